/**
 * The code download that GetFunction's and GetLayerVersion's `Location` points at
 * (code-location.ts): the zip, for a token that is ours and unexpired. Not an AWS operation: AWS
 * serves these from S3.
 */
import { lambdaErrors } from "../errors.js";
import { codeOfToken } from "./code-location.js";
import { defineApiAction } from "./define.js";

export const downloadCode = defineApiAction({
  name: "DownloadCode",
  method: "GET",
  path: "/2015-03-31/code-locations/{Token}",
  iamAction: "lambda:GetFunction",
  async run(context, request) {
    const code = codeOfToken(context, request.params.Token!);
    if (code === undefined) throw lambdaErrors.accessDenied("Request has expired or its signature does not match.");
    const zip = await context.code.readZip(code);
    return { statusCode: 200, headers: { "content-type": "application/zip" }, body: zip };
  },
});
