/** GetBucketLocation: the bucket's region, an empty LocationConstraint for us-east-1 (as S3 answers). */
import type { S3Action } from "../action.js";
import { xmlResponse } from "../responses.js";
import { xmlDocument } from "../xml.js";
import { requireBucket } from "./common.js";

export const getBucketLocation: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  return xmlResponse(xmlDocument("LocationConstraint", bucket.region === "us-east-1" ? "" : bucket.region));
};
