/**
 * GetFunction (GET /2015-03-31/functions/{FunctionName}): the configuration of the version named
 * (a Qualifier, or one in the name), where to download its code (a URL on this server, valid for
 * ten minutes like Lambda's presigned S3 URL), its tags (unqualified only) and reserved concurrency.
 */
import { functionConfiguration } from "../function-records.js";
import { locateFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { codeLocation } from "./code-location.js";

export const getFunction = defineApiAction({
  name: "GetFunction",
  method: "GET",
  path: "/2015-03-31/functions/{FunctionName}",
  iamAction: "lambda:GetFunction",
  async run(context, request) {
    const qualifier = request.query.get("Qualifier") ?? undefined;
    const located = await locateFunction(context.store, context.region, request.accountId, request.params.FunctionName!, qualifier);
    const body: Record<string, unknown> = {
      Configuration: functionConfiguration(located.record, located.functionArn, context.region, context.clock.nowMs()),
      Code: { RepositoryType: "S3", Location: codeLocation(context, located.record.code) },
    };
    if (located.qualifier === undefined) body.Tags = { ...located.item.tags };
    if (located.item.reservedConcurrency !== undefined) body.Concurrency = { ReservedConcurrentExecutions: located.item.reservedConcurrency };
    return { statusCode: 200, body };
  },
});
