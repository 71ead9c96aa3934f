/** ListVersionsByFunction (GET /2015-03-31/functions/{FunctionName}/versions): `$LATEST`, then each published version; 50 per page. */
import { functionConfiguration } from "../function-records.js";
import { nameFunction, readFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { pageOf, paging } from "./members.js";

export const listVersionsByFunction = defineApiAction({
  name: "ListVersionsByFunction",
  method: "GET",
  path: "/2015-03-31/functions/{FunctionName}/versions",
  iamAction: "lambda:ListVersionsByFunction",
  async run(context, request) {
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const { marker, maxItems } = paging(request.query);
    const item = await readFunction(context.store, named);
    const nowMs = context.clock.nowMs();
    const all = [item.latest, ...(await context.store.listVersions(named.accountId, named.name))].map((record) =>
      functionConfiguration(record, named.functionArn, context.region, nowMs),
    );
    const { page, next } = pageOf(all, marker, maxItems);
    return { statusCode: 200, body: { Versions: page, ...next } };
  },
});
