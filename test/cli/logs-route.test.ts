/**
 * GET /_tributary/lambda/logs, the route `tributary logs` reads (src/lambda/logs-route.ts), over a
 * function log kept in memory: its parameters, its bounds and its answers.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { LambdaContext } from "../../src/lambda/action.js";
import { functionLogsPath, functionLogsRoute } from "../../src/lambda/logs-route.js";
import type { FunctionLogEvent, FunctionLogs } from "../../src/lambda/model.js";

function route(events: Record<string, FunctionLogEvent[]>) {
  const reads: Array<{ accountId: string; functionName: string; options: { startMs?: number; limit: number } }> = [];
  const logs: FunctionLogs = {
    append: async () => undefined,
    drop: async () => undefined,
    async read(accountId, functionName, options) {
      reads.push({ accountId, functionName, options });
      return (events[functionName] ?? []).filter((event) => event.timestampMs >= (options.startMs ?? 0)).slice(0, options.limit);
    },
  };
  const context = { accountId: "111122223333", logs } as unknown as LambdaContext;
  return { reads, route: functionLogsRoute(() => ({ context })) };
}

async function get(adminRoute: ReturnType<typeof functionLogsRoute>, query: string): Promise<{ status: number; body: unknown }> {
  const response = await adminRoute.respond({
    method: "GET",
    declaredLength: undefined,
    query: new URLSearchParams(query),
    readBody: async () => ({ ok: true, body: Buffer.alloc(0) }),
  });
  assert.equal(response.headers["content-type"], "application/json");
  return { status: response.statusCode, body: JSON.parse(response.body.toString("utf8")) };
}

const events = [
  { timestampMs: 1_000, message: "START RequestId: r1 Version: $LATEST\n" },
  { timestampMs: 1_001, message: "hello\n" },
  { timestampMs: 1_002, message: "END RequestId: r1\n" },
];

describe("lambda > logs route", () => {
  it("is GET /_tributary/lambda/logs, unauthenticated (served only under --auth none)", () => {
    const { route: adminRoute } = route({});
    assert.equal(adminRoute.path, functionLogsPath);
    assert.equal(functionLogsPath, "/_tributary/lambda/logs");
    assert.deepEqual(adminRoute.methods, ["GET"]);
    assert.equal(adminRoute.unauthenticated, true);
  });

  it("a function's events, oldest first, from the service's account, 1,000 at most by default", async () => {
    const { route: adminRoute, reads } = route({ fn: events });
    assert.deepEqual(await get(adminRoute, "function=fn"), { status: 200, body: { events } });
    assert.deepEqual(reads, [{ accountId: "111122223333", functionName: "fn", options: { limit: 1_000 } }]);
  });

  it("start and limit > passed on", async () => {
    const { route: adminRoute, reads } = route({ fn: events });
    assert.deepEqual(await get(adminRoute, "function=fn&start=1001&limit=1"), { status: 200, body: { events: [events[1]] } });
    assert.deepEqual(reads[0]!.options, { startMs: 1_001, limit: 1 });
  });

  it("a function ARN, with or without a qualifier > its name", async () => {
    const { route: adminRoute, reads } = route({ fn: events });
    await get(adminRoute, `function=${encodeURIComponent("arn:aws:lambda:us-east-1:111122223333:function:fn")}`);
    await get(adminRoute, `function=${encodeURIComponent("arn:aws:lambda:us-east-1:111122223333:function:fn:$LATEST")}`);
    assert.deepEqual(reads.map((read) => read.functionName), ["fn", "fn"]);
  });

  it("a function with no log > an empty list", async () => {
    assert.deepEqual(await get(route({}).route, "function=nothing-yet"), { status: 200, body: { events: [] } });
  });

  const bad: Array<[string, string]> = [
    ["", "the function query parameter is required"],
    ["function=", "the function query parameter is required"],
    ["function=a%20b", "not a function name or ARN: a b"],
    [`function=${"x".repeat(141)}`, `not a function name or ARN: ${"x".repeat(141)}`],
    ["function=fn&start=-1", "start must be epoch milliseconds (a whole number)"],
    ["function=fn&start=soon", "start must be epoch milliseconds (a whole number)"],
    ["function=fn&limit=0", "limit must be a whole number from 1 to 10000"],
    ["function=fn&limit=10001", "limit must be a whole number from 1 to 10000"],
    ["function=fn&limit=1.5", "limit must be a whole number from 1 to 10000"],
  ];
  for (const [query, message] of bad) {
    it(`?${query.slice(0, 40)} > 400 ${message.slice(0, 50)}`, async () => {
      const { route: adminRoute, reads } = route({ fn: events });
      assert.deepEqual(await get(adminRoute, query), { status: 400, body: { message } });
      assert.deepEqual(reads, []);
    });
  }
});
