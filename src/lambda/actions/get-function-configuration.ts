/** GetFunctionConfiguration (GET /2015-03-31/functions/{FunctionName}/configuration). */
import { functionConfiguration } from "../function-records.js";
import { locateFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";

export const getFunctionConfiguration = defineApiAction({
  name: "GetFunctionConfiguration",
  method: "GET",
  path: "/2015-03-31/functions/{FunctionName}/configuration",
  iamAction: "lambda:GetFunctionConfiguration",
  async run(context, request) {
    const qualifier = request.query.get("Qualifier") ?? undefined;
    const located = await locateFunction(context.store, context.region, request.accountId, request.params.FunctionName!, qualifier);
    return { statusCode: 200, body: functionConfiguration(located.record, located.functionArn, context.region, context.clock.nowMs()) };
  },
});
