/** ListVersionsByFunction (GET /2015-03-31/functions/{FunctionName}/versions): `$LATEST`, then each published version; 50 per page. */
import { lambdaErrors } from "../errors.js";
import { functionConfiguration } from "../function-records.js";
import { nameFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { paging } from "./members.js";

export const listVersionsByFunction = defineApiAction({
  name: "ListVersionsByFunction",
  method: "GET",
  path: "/2015-03-31/functions/{FunctionName}/versions",
  iamAction: "lambda:ListVersionsByFunction",
  async run(context, request) {
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const { marker, maxItems } = paging(request.query);
    const item = await context.store.getFunction(named.accountId, named.name);
    if (item === undefined) throw lambdaErrors.functionNotFound(named.functionArn);
    const nowMs = context.clock.nowMs();
    const all = [item.latest, ...(await context.store.listVersions(named.accountId, named.name))].map((record) =>
      functionConfiguration(record, named.functionArn, context.region, nowMs),
    );
    const start = marker === undefined ? 0 : Number.parseInt(marker, 10);
    if (!Number.isInteger(start) || start < 0) throw lambdaErrors.invalidParameterValue(`Invalid marker: ${marker}`);
    const page = all.slice(start, start + maxItems);
    const next = start + page.length;
    return { statusCode: 200, body: { Versions: page, ...(next < all.length && { NextMarker: String(next) }) } };
  },
});
