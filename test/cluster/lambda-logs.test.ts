/**
 * Lambda function logs written through two nodes sharing one engine: each node numbers its own
 * events from the clock, so two nodes started in the same millisecond, writing a function's log in
 * the same millisecond, use the same numbers — and every line must still be kept, each node's in
 * its order. Each node is a FunctionLogs of its own over one shared memory engine and one clock.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createFunctionLogs, functionLogsTableName } from "../../src/lambda/logs/index.js";
import { ServiceTables } from "../../src/lambda/service-tables.js";
import { createMemoryEngine } from "../../src/storage/memory/memory-engine.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";

const account = "000000000000";

function twoNodes() {
  const clock = new ManualClock(1_700_000_000_000);
  const engine = createMemoryEngine(new SeededRandom(3));
  const node = (seed: number) => createFunctionLogs({ tables: engine.tables, serviceTables: new ServiceTables(engine.tables, clock, new SeededRandom(seed)), clock });
  return { clock, engine, a: node(1), b: node(2) };
}

describe("cluster > lambda function logs", () => {
  it("keeps every line two nodes write in the same millisecond, each node's in order", async () => {
    const { clock, a, b } = twoNodes();
    const now = clock.nowMs();
    await a.append(account, "fn", [{ timestampMs: now, message: "a1" }]);
    await Promise.all([
      a.append(account, "fn", [
        { timestampMs: now, message: "a2" },
        { timestampMs: now, message: "a3" },
      ]),
      b.append(account, "fn", [
        { timestampMs: now, message: "b1" },
        { timestampMs: now, message: "b2" },
        { timestampMs: now, message: "b3" },
      ]),
    ]);
    await b.append(account, "fn", [{ timestampMs: now + 1, message: "b4" }]);
    for (const reader of [a, b]) {
      const messages = (await reader.read(account, "fn", { limit: 100 })).map((event) => event.message);
      assert.deepEqual([...messages].sort(), ["a1", "a2", "a3", "b1", "b2", "b3", "b4"], "no line lost");
      assert.deepEqual(messages.filter((message) => message.startsWith("a")), ["a1", "a2", "a3"]);
      assert.deepEqual(messages.filter((message) => message.startsWith("b")), ["b1", "b2", "b3", "b4"]);
      assert.equal(messages.at(-1), "b4", "later milliseconds after earlier ones");
    }
  });

  it("reads lines written before node ids were in the keys, in time order with the new ones", async () => {
    const { clock, engine, a } = twoNodes();
    const now = clock.nowMs();
    await a.append(account, "fn", [{ timestampMs: now + 2, message: "new" }]);
    const table = (await engine.tables.list()).find((meta) => meta.TableName === functionLogsTableName)!;
    await engine.tables.putItem(table.tableId, { key: `fn\u0000${String(now + 1).padStart(13, "0")}\u0000${"1".padStart(10, "0")}`, value: "old" });
    assert.deepEqual(await a.read(account, "fn", { limit: 10 }), [
      { timestampMs: now + 1, message: "old" },
      { timestampMs: now + 2, message: "new" },
    ]);
    assert.deepEqual((await a.read(account, "fn", { startMs: now + 2, limit: 10 })).map((event) => event.message), ["new"]);
  });
});
