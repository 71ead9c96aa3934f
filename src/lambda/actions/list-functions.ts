/**
 * ListFunctions (GET /2015-03-31/functions): the account's functions by name, `$LATEST` only, or
 * every published version too with FunctionVersion=ALL; at most 50 per page, NextMarker to go on
 * (the marker is the last item's position).
 */
import { functionArnOf } from "../function-names.js";
import { functionConfiguration } from "../function-records.js";
import { defineApiAction } from "./define.js";
import { pageOf, paging, Violations } from "./members.js";

export const listFunctions = defineApiAction({
  name: "ListFunctions",
  method: "GET",
  path: "/2015-03-31/functions",
  iamAction: "lambda:ListFunctions",
  async run(context, request) {
    const functionVersion = request.query.get("FunctionVersion");
    if (functionVersion !== null && functionVersion !== "ALL") {
      const violations = new Violations();
      violations.add(functionVersion, "functionVersion", "Member must satisfy enum value set: [ALL]");
      violations.check();
    }
    const { marker, maxItems } = paging(request.query);
    const nowMs = context.clock.nowMs();
    const configurations: Record<string, unknown>[] = [];
    for (const item of await context.store.listFunctions(request.accountId)) {
      const arn = functionArnOf(context.region, request.accountId, item.name);
      configurations.push(functionConfiguration(item.latest, arn, context.region, nowMs));
      if (functionVersion === "ALL") {
        for (const version of await context.store.listVersions(request.accountId, item.name)) configurations.push(functionConfiguration(version, arn, context.region, nowMs));
      }
    }
    const { page, next } = pageOf(configurations, marker, maxItems);
    return { statusCode: 200, body: { Functions: page, ...next } };
  },
});
