/** GetAlias (GET /2015-03-31/functions/{FunctionName}/aliases/{Name}). */
import { lambdaErrors } from "../errors.js";
import { aliasConfiguration } from "../function-records.js";
import { nameFunction, readFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";

export const getAlias = defineApiAction({
  name: "GetAlias",
  method: "GET",
  path: "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
  iamAction: "lambda:GetAlias",
  async run(context, request) {
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const aliasName = request.params.Name!;
    const item = await readFunction(context.store, named);
    const alias = item.aliases[aliasName];
    if (alias === undefined) throw lambdaErrors.aliasNotFound(`${named.functionArn}:${aliasName}`);
    return { statusCode: 200, body: aliasConfiguration(alias, named.functionArn) };
  },
});
