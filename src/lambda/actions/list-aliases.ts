/** ListAliases (GET /2015-03-31/functions/{FunctionName}/aliases): by name, FunctionVersion to filter; 50 per page. */
import { aliasConfiguration } from "../function-records.js";
import { nameFunction, readFunction } from "../function-lookup.js";
import { defineApiAction } from "./define.js";
import { pageFrom, paging } from "./members.js";

export const listAliases = defineApiAction({
  name: "ListAliases",
  method: "GET",
  path: "/2015-03-31/functions/{FunctionName}/aliases",
  iamAction: "lambda:ListAliases",
  async run(context, request) {
    const named = nameFunction(context.region, request.accountId, request.params.FunctionName!);
    const { marker, maxItems } = paging(request.query);
    const version = request.query.get("FunctionVersion");
    const item = await readFunction(context.store, named);
    const all = Object.values(item.aliases)
      .filter((alias) => version === null || alias.FunctionVersion === version)
      .sort((a, b) => (a.Name < b.Name ? -1 : 1))
      .map((alias) => aliasConfiguration(alias, named.functionArn));
    const start = marker === undefined ? 0 : Number.parseInt(marker, 10);
    // An unreadable marker gives an empty page here, not InvalidParameterValueException (as before pageOf).
    const { page, next } = pageFrom(all, start, maxItems);
    return { statusCode: 200, body: { Aliases: page, ...next } };
  },
});
