/**
 * A function's log on the server's own port, for `tributary logs` (src/cli/logs-command.ts):
 *
 *   GET /_tributary/lambda/logs?function=<name or ARN>&start=<epoch ms>&limit=<n>
 *     → 200 {"events": [{"timestampMs": 1700000000000, "message": "START RequestId: …"}, …]}
 *       oldest first, from `start` (inclusive; default: the oldest kept), at most `limit` (default
 *       1,000, at most 10,000, CloudWatch GetLogEvents' bound)
 *     → 400 {"message": "…"} for a missing function or a bad number
 *
 * The account is the service's own (`--account-id`): like the other admin routes it has no
 * authentication of its own, so it is served only under `--auth none` (`unauthenticated`), where
 * every caller is that account anyway. A function that has no log (or does not exist) answers an
 * empty list, so a follower can wait for a function that is not deployed yet.
 */
import type { ResponseToSend } from "../protocol/respond.js";
import type { AdminRoute } from "../protocol/service-module.js";
import type { LambdaContext } from "./action.js";

export const functionLogsPath = "/_tributary/lambda/logs";
export const logEventsPerRequestDefault = 1_000;
export const logEventsPerRequestMax = 10_000;

/** A function name, or the name inside a function ARN (with or without a version or alias). */
const functionArnPattern = /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9-_]+)(:[a-zA-Z0-9$_-]+)?$/;
const functionNamePattern = /^[a-zA-Z0-9-_]{1,140}$/;

/** `current` is the service instance serving now: a reset (src/server/app.ts) replaces it. */
export function functionLogsRoute(current: () => { context: LambdaContext }): AdminRoute {
  return {
    path: functionLogsPath,
    methods: ["GET"],
    unauthenticated: true,
    async respond(request) {
      const query = request.query;
      const given = query.get("function") ?? "";
      const functionName = functionArnPattern.exec(given)?.[1] ?? (functionNamePattern.test(given) ? given : undefined);
      if (functionName === undefined) return json(400, { message: given === "" ? "the function query parameter is required" : `not a function name or ARN: ${given}` });
      const startMs = query.has("start") ? wholeNumber(query.get("start")!) : undefined;
      if (query.has("start") && startMs === undefined) return json(400, { message: "start must be epoch milliseconds (a whole number)" });
      const limit = query.has("limit") ? wholeNumber(query.get("limit")!) : logEventsPerRequestDefault;
      if (limit === undefined || limit < 1 || limit > logEventsPerRequestMax) return json(400, { message: `limit must be a whole number from 1 to ${logEventsPerRequestMax}` });
      const { context } = current();
      const events = await context.logs.read(context.accountId, functionName, { ...(startMs !== undefined && { startMs }), limit });
      return json(200, { events: events.map(({ timestampMs, message }) => ({ timestampMs, message })) });
    },
  };
}

function wholeNumber(text: string): number | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined;
  return Number(text);
}

function json(statusCode: number, value: unknown): ResponseToSend {
  return { statusCode, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify(value)) };
}
