/**
 * The metrics store (src/storage/metrics/metrics-store.ts) against a naive model: seeded random
 * samples at random clock times, on a few series, while the store's timer flushes minutes to the
 * engine's tables; every read, for 1/5/10/30 s periods (raw seconds in memory) and 60/300/3600 s
 * periods (stored minutes merged with the unwritten ones), must equal what the model computes
 * from the list of every sample. Some reads run while a flush is under way, which is where a
 * minute could be counted twice or not at all. Replay a failure with its printed seed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MetricsStore } from "../../src/storage/metrics/metrics-store.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import type { MetricDatapoint, MetricId, StatisticSet } from "../../src/core/metrics.js";
import type { TableStore } from "../../src/storage/types.js";
import { ManualClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { seeded } from "../helpers/seeded.js";

const rawSeconds = 900;
/** Short enough that a run's clock moves (up to two hours at a time) pass it. */
const retentionMinutes = 6 * 60;
const retentionMs = retentionMinutes * 60_000;
const seriesIds: MetricId[] = [
  { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] },
  { Namespace: "AWS/Kinesis", MetricName: "IncomingBytes", Dimensions: [{ Name: "StreamName", Value: "orders" }] },
  // Two dimensions, and a value with the characters the item keys separate parts with.
  { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "a|b/c=d&e" }, { Name: "ShardId", Value: "shardId-000000000001" }] },
  // The first series' name in another account than the process's: a series of its own.
  { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }], AccountId: "111122223333" },
];

interface Sample {
  series: number;
  atMs: number;
  value: number;
}

/**
 * What a store must answer: every sample of the series whose period starts in [startMs, endMs),
 * grouped by period; for minute periods, only samples whose minute ends within the retention.
 */
function modelStatistics(samples: readonly Sample[], series: number, startMs: number, endMs: number, periodSeconds: number, nowMs: number): MetricDatapoint[] {
  const periodMs = periodSeconds * 1000;
  const periods = new Map<number, StatisticSet>();
  for (const sample of samples) {
    if (sample.series !== series) continue;
    if (periodMs % 60_000 === 0 && sample.atMs - (sample.atMs % 60_000) + 60_000 <= nowMs - retentionMs) continue;
    const start = sample.atMs - (sample.atMs % periodMs);
    if (start < startMs || start >= endMs) continue;
    const stats = periods.get(start);
    if (stats === undefined) periods.set(start, { SampleCount: 1, Sum: sample.value, Minimum: sample.value, Maximum: sample.value });
    else {
      stats.SampleCount++;
      stats.Sum += sample.value;
      stats.Minimum = Math.min(stats.Minimum, sample.value);
      stats.Maximum = Math.max(stats.Maximum, sample.value);
    }
  }
  return [...periods].sort((a, b) => a[0] - b[0]).map(([timestampMs, stats]) => ({ timestampMs, stats }));
}

/** The same series named with its dimensions in another order: one series (metricKey). */
function reordered(id: MetricId): MetricId {
  return { ...id, Dimensions: [...id.Dimensions].reverse() };
}

async function checkAll(store: MetricsStore, clock: ManualClock, samples: readonly Sample[], startedMs: number, random: (bound: number) => number, context: string): Promise<void> {
  const nowMs = clock.nowMs();
  for (let series = 0; series < seriesIds.length; series++) {
    const id = random(2) === 0 ? seriesIds[series]! : reordered(seriesIds[series]!);
    // Raw seconds: only periods wholly within the seconds every series still keeps.
    const rawFromMs = nowMs - (nowMs % 1000) - rawSeconds * 1000 + 1000;
    for (const periodSeconds of [1, 5, 10, 30]) {
      const startMs = rawFromMs + ((periodSeconds * 1000 - (rawFromMs % (periodSeconds * 1000))) % (periodSeconds * 1000));
      const endMs = nowMs + 60_000;
      assert.deepEqual(await store.statistics(id, startMs, endMs, periodSeconds), modelStatistics(samples, series, startMs, endMs, periodSeconds, nowMs), `${context}: series ${series}, ${periodSeconds} s`);
    }
    for (const periodSeconds of [60, 300, 3600]) {
      // The whole run, and a random window with unaligned ends.
      const whole: [number, number] = [startedMs - 3_600_000, nowMs + 3_600_000];
      const a = startedMs + random(Math.max(1, nowMs - startedMs));
      const b = startedMs + random(Math.max(1, nowMs - startedMs + 600_000));
      for (const [startMs, endMs] of [whole, [Math.min(a, b), Math.max(a, b)] as [number, number]]) {
        assert.deepEqual(await store.statistics(id, startMs, endMs, periodSeconds), modelStatistics(samples, series, startMs, endMs, periodSeconds, nowMs), `${context}: series ${series}, ${periodSeconds} s over [${startMs}, ${endMs})`);
      }
    }
  }
}

/**
 * Tables whose writes can be held: applied at once but acknowledged only at release, as the
 * embedded engine applies a write in memory and answers once its frame is durable. A read in
 * between sees a minute in the table that the store still holds as unwritten.
 */
function holdingTables(inner: TableStore): { tables: TableStore; hold(): void; release(): void } {
  let held: (() => void)[] | undefined;
  const tables: TableStore = Object.create(inner);
  tables.putItem = (async (tableId: string, entry: { key: string; value: string }) => {
    const outcome = await inner.putItem(tableId, entry);
    if (held !== undefined) await new Promise<void>((resolve) => held!.push(resolve));
    return outcome;
  }) as TableStore["putItem"];
  return {
    tables,
    hold: () => (held = []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const resolve of waiting) resolve();
    },
  };
}

/** A few turns of the event loop: a flush started meanwhile gets its writes applied. */
async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((resolve) => setImmediate(resolve));
}

async function runModel(seed: number, steps: number): Promise<void> {
  const random = seeded(seed);
  const startedMs = Date.UTC(2026, 11, 7, 10, 0, 0) + random(3_600_000);
  const clock = new ManualClock(startedMs);
  const engine = createMemoryEngine(new SeededRandom(seed));
  const holding = holdingTables(engine.tables);
  const storage = { tables: holding.tables, random: new SeededRandom(seed + 1), logger: silentLogger };
  const store = new MetricsStore(clock, { enabled: true, accountId: "000000000000", rawSeconds, retentionMinutes, storage });
  store.start();
  const handles = seriesIds.map((id) => store.series(id, "Count"));
  const samples: Sample[] = [];
  const context = `seed ${seed}`;
  for (let step = 0; step < steps; step++) {
    const choice = random(100);
    if (choice < 70) {
      const series = random(seriesIds.length);
      // Integers, some negative: sums are exact whatever order they are added in.
      const value = random(2001) - 500;
      handles[series]!.observe(value);
      samples.push({ series, atMs: clock.nowMs(), value });
    } else if (choice < 90) {
      // Mostly within a second or a minute; sometimes past several flushes or an hour.
      const deltaMs = random(4) === 0 ? random(2 * 3_600_000) : random(4) === 0 ? random(120_000) : random(1500);
      await clock.advanceAsync(deltaMs);
    } else if (choice < 95) {
      // A read while a flush's writes are applied but not acknowledged: each minute counted once.
      holding.hold();
      const flushing = store.flushClosedMinutes();
      await turns(3);
      await checkAll(store, clock, samples, startedMs, random, `${context}, step ${step}, during a flush`);
      holding.release();
      await flushing;
    } else {
      await checkAll(store, clock, samples, startedMs, random, `${context}, step ${step}`);
    }
  }
  await checkAll(store, clock, samples, startedMs, random, `${context}, end`);
  // Everything is written at stop: a store started afresh on the same tables (a restart) reads every minute.
  await store.stop();
  const restarted = new MetricsStore(clock, { enabled: true, accountId: "000000000000", rawSeconds, retentionMinutes, storage: { ...storage, random: new SeededRandom(seed + 2) } });
  const nowMs = clock.nowMs();
  for (let series = 0; series < seriesIds.length; series++) {
    for (const periodSeconds of [60, 300]) {
      const [startMs, endMs] = [startedMs - 3_600_000, clock.nowMs() + 3_600_000];
      assert.deepEqual(await restarted.statistics(seriesIds[series]!, startMs, endMs, periodSeconds), modelStatistics(samples, series, startMs, endMs, periodSeconds, nowMs), `${context}, after a restart: series ${series}, ${periodSeconds} s`);
    }
  }
  const listed = (await restarted.listMetrics({ Namespace: "AWS/Kinesis" })).map(({ id }) => `${id.MetricName} ${id.Dimensions.map((d) => d.Value).join(",")}`);
  // Listed: the series with minutes in an hour that ends within the retention (the directory's granularity).
  const recorded = new Set(samples.filter((sample) => sample.atMs - (sample.atMs % 3_600_000) + 3_600_000 > nowMs - retentionMs).map((sample) => sample.series));
  assert.deepEqual(listed.sort(), [...recorded].map((series) => `${seriesIds[series]!.MetricName} ${seriesIds[series]!.Dimensions.map((d) => d.Value).join(",")}`).sort(), context);
  assert.equal(clock.pendingTimers(), 0, "stop clears the store's timer");
}

describe("storage > metrics store > model", () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`storage > metrics store > model > random samples and clock moves equal the naive model (seed ${seed})`, async () => {
      await runModel(seed, 400);
    });
  }

  it("storage > metrics store > model > a store without storage keeps its minutes in memory and reads them alike", async () => {
    const random = seeded(7);
    const startedMs = Date.UTC(2026, 11, 7, 10, 0, 0);
    const clock = new ManualClock(startedMs);
    const store = new MetricsStore(clock, { enabled: true, accountId: "000000000000", rawSeconds, retentionMinutes });
    const handle = store.series(seriesIds[0]!, "Count");
    const samples: Sample[] = [];
    for (let step = 0; step < 300; step++) {
      const value = random(100);
      handle.observe(value);
      samples.push({ series: 0, atMs: clock.nowMs(), value });
      clock.advance(random(30_000));
    }
    for (const periodSeconds of [60, 300]) {
      const nowMs = clock.nowMs();
      assert.deepEqual(await store.statistics(seriesIds[0]!, startedMs, nowMs + 1, periodSeconds), modelStatistics(samples, 0, startedMs, nowMs + 1, periodSeconds, nowMs));
    }
  });
});
