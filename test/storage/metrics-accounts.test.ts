/**
 * Metric series are per account (src/core/metrics.ts; docs/metrics.md): the store keeps two
 * accounts' series of one name apart in memory and in its items, gives a series recorded without
 * an account the process's, lists and reads one account's series only when asked for it, and
 * reads the items written before series had accounts (no account in their keys, directory format
 * 1) as the process's account's.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MetricsStore } from "../../src/storage/metrics/metrics-store.js";
import { metricsNamespace, minutesTableName } from "../../src/storage/metrics/minute-table.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import type { MetricId } from "../../src/core/metrics.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const processAccount = "000000000000";
const otherAccount = "111122223333";
const startMs = Date.UTC(2026, 11, 7, 10, 0, 0);
const orders: MetricId = { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] };

function stats(SampleCount: number, Sum: number, Minimum: number, Maximum: number) {
  return { SampleCount, Sum, Minimum, Maximum };
}

function storeOn(engine: StorageEngine, clock: ManualClock, seed: number): MetricsStore {
  return new MetricsStore(clock, { enabled: true, accountId: processAccount, storage: { tables: engine.tables, random: new SeededRandom(seed), logger: silentLogger } });
}

async function metricsTableId(engine: StorageEngine): Promise<string> {
  const table = await engine.tables.get(`${metricsNamespace}@${processAccount}`, minutesTableName);
  assert.ok(table, "the metrics table exists");
  return table.tableId;
}

describe("storage > metrics > accounts", () => {
  it("storage > metrics > accounts > two accounts' series of one name are kept, listed and read apart, in memory and after a restart", async () => {
    const engine = createMemoryEngine(new SeededRandom(1));
    const clock = new ManualClock(startMs + 5_000);
    const store = storeOn(engine, clock, 2);
    store.series(orders, "Count").observe(3);
    store.series({ ...orders, AccountId: otherAccount }, "Count").observe(5);
    store.series({ ...orders, AccountId: otherAccount }, "Count").observe(1);
    const check = async (reader: MetricsStore, when: string) => {
      assert.deepEqual(await reader.statistics(orders, startMs, startMs + 60_000, 60), [{ timestampMs: startMs, stats: stats(1, 3, 3, 3) }], `${when}: no account is the process's`);
      assert.deepEqual(await reader.statistics({ ...orders, AccountId: processAccount }, startMs, startMs + 60_000, 60), [{ timestampMs: startMs, stats: stats(1, 3, 3, 3) }], when);
      assert.deepEqual(await reader.statistics({ ...orders, AccountId: otherAccount }, startMs, startMs + 60_000, 60), [{ timestampMs: startMs, stats: stats(2, 6, 1, 5) }], when);
      assert.deepEqual(await reader.statistics({ ...orders, AccountId: "222233334444" }, startMs, startMs + 60_000, 60), [], when);
      assert.deepEqual((await reader.listMetrics({ AccountId: otherAccount })).map(({ id }) => id), [{ ...orders, AccountId: otherAccount }], when);
      assert.deepEqual((await reader.listMetrics({ AccountId: processAccount, Namespace: "AWS/Kinesis" })).map(({ id }) => id), [{ ...orders, AccountId: processAccount }], when);
      assert.deepEqual(await reader.listMetrics({ AccountId: "222233334444" }), [], when);
      assert.deepEqual((await reader.listMetrics({})).map(({ id }) => id.AccountId).sort(), [processAccount, otherAccount], `${when}: every account's without a filter`);
    };
    await check(store, "in memory");
    assert.deepEqual([...store.totals()].map(({ id, stats }) => [id.AccountId, stats.Sum]).sort(), [[processAccount, 3], [otherAccount, 6]]);
    await store.stop();
    const keys = (await engine.tables.scan(await metricsTableId(engine), undefined, 100)).map((entry) => entry.key);
    assert.ok(keys.some((key) => key.startsWith(`m|${otherAccount}/AWS%2FKinesis/IncomingRecords/StreamName=orders|`)), `the account is in the keys: ${keys.join(" ")}`);
    await check(storeOn(engine, clock, 3), "after a restart");
  });

  it("storage > metrics > accounts > items written before series had accounts are read and listed as the process's account's", async () => {
    const engine = createMemoryEngine(new SeededRandom(4));
    const clock = new ManualClock(startMs + 5 * 60_000);
    // A first store makes the table (and records a minute of its own in the process's account).
    const first = storeOn(engine, clock, 5);
    first.series(orders, "Count").observe(7);
    await first.stop();
    const tableId = await metricsTableId(engine);
    // What a process before accounts wrote: keys without the account, directory format 1.
    const legacyPart = "AWS%2FKinesis/IncomingRecords/StreamName=orders";
    const hour = String(startMs).padStart(15, "0");
    const legacyId = { Namespace: orders.Namespace, MetricName: orders.MetricName, Dimensions: orders.Dimensions };
    for (const item of [
      { key: `m|${legacyPart}|${hour}|0123456789abcdef`, value: JSON.stringify({ v: 1, m: [[0, 2, 10, 4, 6], [1, 1, 2, 2, 2]] }) },
      { key: `d|${legacyPart}|0123456789abcdef`, value: JSON.stringify({ v: 1, id: legacyId, unit: "Count", untilMs: startMs + 3_600_000 }) },
      // A series only the old process recorded: listed from its directory item alone.
      { key: `d|AWS%2FKinesis/IncomingBytes/StreamName=orders|0123456789abcdef`, value: JSON.stringify({ v: 1, id: { ...legacyId, MetricName: "IncomingBytes" }, unit: "Bytes", untilMs: startMs + 3_600_000 }) },
    ]) {
      assert.deepEqual(await engine.tables.putItem(tableId, item), { ok: true });
    }
    const reader = storeOn(engine, clock, 6);
    assert.deepEqual(await reader.statistics(orders, startMs, startMs + 10 * 60_000, 60), [
      { timestampMs: startMs, stats: stats(2, 10, 4, 6) },
      { timestampMs: startMs + 60_000, stats: stats(1, 2, 2, 2) },
      { timestampMs: startMs + 5 * 60_000, stats: stats(1, 7, 7, 7) },
    ]);
    assert.deepEqual(await reader.statistics({ ...orders, AccountId: otherAccount }, startMs, startMs + 10 * 60_000, 60), [], "another account's series has none of them");
    const listed = async (AccountId: string) => (await reader.listMetrics({ AccountId, Namespace: "AWS/Kinesis" })).map(({ id, unit }) => `${id.AccountId} ${id.MetricName} ${unit}`).sort();
    assert.deepEqual(await listed(processAccount), [`${processAccount} IncomingBytes Bytes`, `${processAccount} IncomingRecords Count`]);
    assert.deepEqual(await listed(otherAccount), []);
    // Without a namespace too (GetMetricData looks its series' units up so).
    assert.deepEqual((await reader.listMetrics({ AccountId: processAccount })).map(({ id }) => `${id.AccountId} ${id.MetricName}`).sort(), [`${processAccount} IncomingBytes`, `${processAccount} IncomingRecords`]);
    assert.deepEqual(await reader.listMetrics({ AccountId: otherAccount }), []);
    assert.deepEqual((await reader.listMetrics({})).map(({ id }) => `${id.AccountId} ${id.MetricName}`).sort(), [`${processAccount} IncomingBytes`, `${processAccount} IncomingRecords`]);
    // The retention sweep removes them like any other item.
    clock.advance(25 * 3_600_000);
    await reader.sweep();
    assert.deepEqual(await engine.tables.scan(tableId, undefined, 100), []);
  });
});
