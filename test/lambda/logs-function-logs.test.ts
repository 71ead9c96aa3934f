/**
 * lambda > logs: FunctionLogs over the service table — order by function then time then arrival,
 * reads from a time, drop, and the bounds (a per-function cap, a retention).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createFunctionLogs, eventsPerFunctionMax, retentionMs } from "../../src/lambda/logs/index.js";
import { ServiceTables } from "../../src/lambda/service-tables.js";
import { createMemoryEngine } from "../../src/storage/memory/memory-engine.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";

const account = "000000000000";

function setup(startMs = 1_700_000_000_000) {
  const clock = new ManualClock(startMs);
  const random = new SeededRandom(7);
  const engine = createMemoryEngine(random);
  const logs = createFunctionLogs({ tables: engine.tables, serviceTables: new ServiceTables(engine.tables, clock, random), clock });
  return { clock, engine, logs };
}

describe("lambda > logs", () => {
  it("reads a function's events oldest first, in arrival order within a millisecond, never another function's (fn vs fn-2)", async () => {
    const { clock, logs } = setup();
    const now = clock.nowMs();
    await logs.append(account, "fn", [
      { timestampMs: now, message: "a" },
      { timestampMs: now, message: "b" },
      { timestampMs: now + 5, message: "c" },
    ]);
    await logs.append(account, "fn-2", [{ timestampMs: now, message: "other" }]);
    await logs.append(account, "fn", [{ timestampMs: now + 1, message: "d" }]);
    assert.deepEqual((await logs.read(account, "fn", { limit: 10 })).map((event) => event.message), ["a", "b", "d", "c"]);
    assert.deepEqual(await logs.read(account, "fn", { startMs: now + 1, limit: 10 }), [
      { timestampMs: now + 1, message: "d" },
      { timestampMs: now + 5, message: "c" },
    ]);
    assert.deepEqual((await logs.read(account, "fn", { limit: 2 })).map((event) => event.message), ["a", "b"]);
    assert.deepEqual((await logs.read("111111111111", "fn", { limit: 10 })), []);
    await logs.drop(account, "fn");
    assert.deepEqual(await logs.read(account, "fn", { limit: 10 }), []);
    assert.deepEqual((await logs.read(account, "fn-2", { limit: 10 })).map((event) => event.message), ["other"]);
  });

  it("keeps at most eventsPerFunctionMax events per function, dropping the oldest", async () => {
    const { clock, engine, logs } = setup();
    const now = clock.nowMs();
    const total = eventsPerFunctionMax + 1_000;
    for (let at = 0; at < total; at += 250) {
      await logs.append(account, "busy", Array.from({ length: 250 }, (_, index) => ({ timestampMs: now + at + index, message: `e${at + index}` })));
    }
    const kept = await logs.read(account, "busy", { limit: total });
    assert.ok(kept.length <= eventsPerFunctionMax + 500, `${kept.length} kept`);
    assert.ok(kept.length >= eventsPerFunctionMax, `${kept.length} kept`);
    assert.equal(kept[kept.length - 1]!.message, `e${total - 1}`);
    const table = (await engine.tables.list()).find((meta) => meta.TableName === "function-logs")!;
    assert.equal((await engine.tables.stats(table.tableId)).itemCount, kept.length);
  });

  it("drops events older than the retention on the next trim, and never reads them", async () => {
    const { clock, logs } = setup();
    await logs.append(account, "old", [{ timestampMs: clock.nowMs(), message: "ancient" }]);
    clock.advance(retentionMs + 1000);
    assert.deepEqual(await logs.read(account, "old", { limit: 10 }), []);
  });
});
