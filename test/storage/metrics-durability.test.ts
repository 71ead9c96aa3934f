/**
 * Where the metrics store keeps its minutes (src/storage/metrics; docs/metrics.md): in the
 * engine's tables, so the embedded engine has them after a restart and the series they belong to
 * are listed again; two nodes on one engine write their own items and read each other's; items
 * past the retention are swept; a failed write is logged and tried again, never lost; `--metrics
 * off` writes nothing; the app writes the last minutes at stop, and a reset keeps them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { MetricsStore, type MetricsStorage } from "../../src/storage/metrics/metrics-store.js";
import { metricsNamespace, minutesTableName } from "../../src/storage/metrics/minute-table.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine, TableStore } from "../../src/storage/types.js";
import type { MetricId, MetricsRecorder } from "../../src/core/metrics.js";
import { startApp, requestBytesMaxDefault, type AppConfig } from "../../src/server/app.js";
import type { AppServiceModule } from "../../src/server/services.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { ManualClock, systemClock } from "../../src/util/clock.js";
import { SeededRandom } from "../../src/util/random.js";
import { silentLogger, type Logger } from "../../src/util/logger.js";

const accountId = "000000000000";
const startMs = Date.UTC(2026, 11, 7, 10, 0, 0);
const incoming: MetricId = { Namespace: "AWS/Kinesis", MetricName: "IncomingRecords", Dimensions: [{ Name: "StreamName", Value: "orders" }] };
const latency: MetricId = { Namespace: "AWS/Kinesis", MetricName: "PutRecords.Latency", Dimensions: [{ Name: "StreamName", Value: "orders" }] };
const invocations: MetricId = { Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "f" }] };

function storageOf(engine: StorageEngine, seed: number, logger: Logger = silentLogger, tables: TableStore = engine.tables): MetricsStorage {
  return { tables, random: new SeededRandom(seed), logger };
}

async function withDataDir(work: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "tributary-metrics-"));
  try {
    await work(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

function openEmbedded(dataDir: string): Promise<StorageEngine> {
  return createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: new SeededRandom(9), logger: silentLogger, accountId });
}

/** The metrics table's items, read from the engine directly. */
async function metricItems(engine: StorageEngine): Promise<string[]> {
  const table = await engine.tables.get(`${metricsNamespace}@${accountId}`, minutesTableName);
  if (table === undefined) return [];
  return (await engine.tables.scan(table.tableId, undefined, 10_000)).map((entry) => entry.key);
}

function stats(SampleCount: number, Sum: number, Minimum: number, Maximum: number) {
  return { SampleCount, Sum, Minimum, Maximum };
}

describe("storage > metrics > durability", () => {
  it("storage > metrics > durability > the embedded engine has the minutes after a restart, and the series are listed again", async () => {
    await withDataDir(async (dataDir) => {
      const clock = new ManualClock(startMs + 5_000);
      let engine = await openEmbedded(dataDir);
      const store = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 1) });
      store.start();
      store.series(incoming, "Count").observe(10);
      store.series(latency, "Milliseconds").observe(7);
      clock.advance(60_000);
      store.series(incoming, "Count").observe(5);
      store.series(incoming, "Count").observe(20);
      // Past an hour's end: the next minutes go to a new item.
      clock.advance(3_600_000);
      store.series(incoming, "Count").observe(1);
      // The timer wrote the closed minutes; stop writes the open one.
      await store.stop();
      await engine.close();

      engine = await openEmbedded(dataDir);
      const reopened = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 2) });
      assert.deepEqual(await reopened.statistics(incoming, startMs, startMs + 3 * 3_600_000, 60), [
        { timestampMs: startMs, stats: stats(1, 10, 10, 10) },
        { timestampMs: startMs + 60_000, stats: stats(2, 25, 5, 20) },
        { timestampMs: startMs + 3_660_000, stats: stats(1, 1, 1, 1) },
      ]);
      assert.deepEqual(await reopened.statistics(incoming, startMs, startMs + 3 * 3_600_000, 3600), [
        { timestampMs: startMs, stats: stats(3, 35, 5, 20) },
        { timestampMs: startMs + 3_600_000, stats: stats(1, 1, 1, 1) },
      ]);
      assert.deepEqual(await reopened.statistics(latency, startMs, startMs + 3_600_000, 300), [{ timestampMs: startMs, stats: stats(1, 7, 7, 7) }]);
      // Raw seconds are the recording process's only.
      assert.deepEqual(await reopened.statistics(incoming, startMs, startMs + 3 * 3_600_000, 1), []);
      assert.deepEqual(
        (await reopened.listMetrics({ Namespace: "AWS/Kinesis" })).map(({ id, unit }) => [id.MetricName, unit]).sort(),
        [["IncomingRecords", "Count"], ["PutRecords.Latency", "Milliseconds"]],
      );
      assert.deepEqual((await reopened.listMetrics({ Namespace: "AWS/Kinesis", MetricName: "PutRecords.Latency", Dimensions: [{ Name: "StreamName" }] })).map(({ id }) => id), [{ ...latency, AccountId: accountId }], "listed with the process's account");
      assert.deepEqual(await reopened.listMetrics({ Namespace: "AWS/Lambda" }), []);
      await engine.close();
    });
  });

  it("storage > metrics > durability > the app writes its last minutes at stop and reads them after a restart on the same data directory", async () => {
    await withDataDir(async (dataDir) => {
      const clock = new ManualClock(startMs + 1_000);
      const recorder: AppServiceModule = {
        name: "recorder",
        create: (deps) => Object.assign({ start: async () => {}, stop: async () => {} }, { metrics: deps.metrics as MetricsRecorder }),
      };
      const config: AppConfig = { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, streams: defaultStreamsConfig, metrics: { enabled: true, retentionHours: 24 } };
      const start = async () => startApp({ clock, random: new SeededRandom(3), logger: silentLogger, storage: await openEmbedded(dataDir), services: [recorder], config });
      let app = await start();
      const series = app.service<{ metrics: MetricsRecorder } & Awaited<ReturnType<AppServiceModule["create"]>>>("recorder")!.metrics.series(invocations, "Count");
      series.observe(1);
      series.observe(1);
      await app.stop();
      app = await start();
      try {
        assert.deepEqual((await app.metrics.listMetrics({})).map(({ id }) => id), [{ ...invocations, AccountId: accountId }]);
        assert.deepEqual(await app.metrics.statistics(invocations, startMs, startMs + 60_000, 60), [{ timestampMs: startMs, stats: stats(2, 2, 1, 1) }]);
      } finally {
        await app.stop();
      }
    });
  });

  it("storage > metrics > durability > two nodes on one engine write their own items and every reader merges them", async () => {
    const engine = createMemoryEngine(new SeededRandom(4));
    const clock = new ManualClock(startMs);
    const one = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 5) });
    const two = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 6) });
    assert.notEqual(one.nodeId, two.nodeId);
    one.series(incoming, "Count").observe(3);
    two.series(incoming, "Count").observe(4);
    two.series(latency, "Milliseconds").observe(9);
    clock.advance(60_000);
    one.series(incoming, "Count").observe(1);
    // Node two has written its minute; node one has not: one reads its own from memory, two's from the table.
    await two.flushClosedMinutes();
    const merged = [
      { timestampMs: startMs, stats: stats(2, 7, 3, 4) },
      { timestampMs: startMs + 60_000, stats: stats(1, 1, 1, 1) },
    ];
    assert.deepEqual(await one.statistics(incoming, startMs, startMs + 120_000, 60), merged);
    await one.flushClosedMinutes();
    await one.stop();
    await two.stop();
    assert.equal((await metricItems(engine)).filter((key) => key.startsWith("m|")).length, 3, "one item per node per series per hour");
    // A third node (a reader that recorded nothing) sees both, and the series either recorded.
    const three = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 7) });
    assert.deepEqual(await three.statistics(incoming, startMs, startMs + 120_000, 60), merged);
    assert.deepEqual(await three.statistics(incoming, startMs, startMs + 120_000, 120), [{ timestampMs: startMs, stats: stats(3, 8, 1, 4) }]);
    assert.deepEqual((await three.listMetrics({})).map(({ id }) => id.MetricName).sort(), ["IncomingRecords", "PutRecords.Latency"]);
  });

  it("storage > metrics > durability > items past the retention are swept by the timer, and reads and lists stop at the retention", async () => {
    const engine = createMemoryEngine(new SeededRandom(8));
    const clock = new ManualClock(startMs);
    const store = new MetricsStore(clock, { enabled: true, accountId, retentionMinutes: 120, storage: storageOf(engine, 9) });
    store.start();
    store.series(incoming, "Count").observe(1);
    store.series(latency, "Milliseconds").observe(5);
    await clock.advanceAsync(3_600_000);
    store.series(incoming, "Count").observe(2);
    await clock.advanceAsync(120_000);
    assert.deepEqual((await metricItems(engine)).length, 5, "two series' hour items and directory entries, and the second hour's item");
    // Half a minute after the first hour left the retention: its items go; the minute at 1:00 is still kept.
    await clock.advanceAsync(2 * 3_600_000 - 90_000);
    assert.equal(clock.nowMs(), startMs + 3 * 3_600_000 + 30_000);
    // Before the sweep (the timer's last ran at 2:51), reads and lists already stop at the retention.
    assert.equal((await metricItems(engine)).length, 5);
    assert.deepEqual((await store.listMetrics({})).map(({ id }) => id.MetricName), ["IncomingRecords"]);
    assert.deepEqual(await store.statistics(latency, startMs, clock.nowMs(), 60), []);
    await store.sweep();
    const keys = await metricItems(engine);
    assert.equal(keys.length, 2, keys.join("\n"));
    assert.ok(keys.every((key) => key.includes("IncomingRecords")));
    assert.deepEqual(await store.statistics(incoming, startMs, clock.nowMs(), 60), [{ timestampMs: startMs + 3_600_000, stats: stats(1, 2, 2, 2) }]);
    assert.deepEqual(await store.statistics(latency, startMs, clock.nowMs(), 60), []);
    assert.deepEqual((await store.listMetrics({})).map(({ id }) => id.MetricName), ["IncomingRecords"]);
    // Past the retention of the last sample too: the timer's sweeps leave nothing, and nothing is listed.
    await clock.advanceAsync(70 * 60_000);
    await store.flushClosedMinutes();
    assert.deepEqual(await metricItems(engine), []);
    assert.deepEqual(await store.listMetrics({}), []);
    assert.deepEqual(await store.statistics(incoming, startMs, clock.nowMs(), 60), []);
    await store.stop();
  });

  it("storage > metrics > durability > many series: lists and sweeps read the table page after page", async () => {
    const engine = createMemoryEngine(new SeededRandom(19));
    const clock = new ManualClock(startMs);
    const store = new MetricsStore(clock, { enabled: true, accountId, retentionMinutes: 60, storage: storageOf(engine, 20) });
    const streams = Array.from({ length: 700 }, (_, index) => `stream-${String(index).padStart(3, "0")}`);
    for (const StreamName of streams) store.series({ ...incoming, Dimensions: [{ Name: "StreamName", Value: StreamName }] }, "Count").observe(1);
    await store.stop();
    assert.equal((await metricItems(engine)).length, 1400);
    const reader = new MetricsStore(clock, { enabled: true, accountId, retentionMinutes: 60, storage: storageOf(engine, 21) });
    const listed = await reader.listMetrics({ Namespace: "AWS/Kinesis", MetricName: "IncomingRecords" });
    assert.deepEqual(listed.map(({ id }) => id.Dimensions[0]!.Value).sort(), streams);
    assert.deepEqual(await reader.statistics({ ...incoming, Dimensions: [{ Name: "StreamName", Value: "stream-699" }] }, startMs, startMs + 60_000, 60), [{ timestampMs: startMs, stats: stats(1, 1, 1, 1) }]);
    clock.advance(2 * 3_600_000);
    await reader.sweep();
    assert.deepEqual(await metricItems(engine), []);
  });

  it("storage > metrics > durability > a failed write is logged at warn, kept in memory, and written by a later flush", async () => {
    const engine = createMemoryEngine(new SeededRandom(10));
    let failing: "outcome" | "throw" | undefined = "outcome";
    const tables: TableStore = Object.create(engine.tables);
    tables.putItem = ((tableId: string, entry: { key: string; value: string }) => {
      if (failing === "outcome") return Promise.resolve({ ok: false, failure: { kind: "no-space", message: "disk full" } });
      if (failing === "throw") return Promise.reject(new Error("engine closed"));
      return engine.tables.putItem(tableId, entry);
    }) as TableStore["putItem"];
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: "warn", base: undefined }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const clock = new ManualClock(startMs);
    const store = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 11, logger, tables) });
    store.start();
    store.series(incoming, "Count").observe(6);
    await clock.advanceAsync(60_000);
    failing = "throw";
    store.series(incoming, "Count").observe(7);
    await clock.advanceAsync(60_000);
    assert.equal(lines.length, 2);
    assert.ok(lines.every((line) => line.level === 40 && /not written/.test(line.msg)), JSON.stringify(lines));
    assert.deepEqual(await metricItems(engine), []);
    const expected = [
      { timestampMs: startMs, stats: stats(1, 6, 6, 6) },
      { timestampMs: startMs + 60_000, stats: stats(1, 7, 7, 7) },
    ];
    assert.deepEqual(await store.statistics(incoming, startMs, clock.nowMs(), 60), expected, "unwritten minutes are read from memory");
    failing = undefined;
    await clock.advanceAsync(60_000);
    assert.equal((await metricItems(engine)).length, 2);
    await store.stop();
    const reader = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 12) });
    assert.deepEqual(await reader.statistics(incoming, startMs, clock.nowMs(), 60), expected);
  });

  it("storage > metrics > durability > minutes held through hours of failed writes are added to what their hour's item held", async () => {
    const engine = createMemoryEngine(new SeededRandom(22));
    let failing = false;
    const tables: TableStore = Object.create(engine.tables);
    tables.putItem = ((tableId: string, entry: { key: string; value: string }) =>
      failing ? Promise.resolve({ ok: false, failure: { kind: "io", message: "I/O error" } }) : engine.tables.putItem(tableId, entry)) as TableStore["putItem"];
    const clock = new ManualClock(startMs);
    const store = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 23, silentLogger, tables) });
    store.start();
    const series = store.series(incoming, "Count");
    series.observe(1);
    await clock.advanceAsync(60_000);
    assert.equal((await metricItems(engine)).length, 2);
    failing = true;
    // Every minute of the hour's rest and of two more hours waits in memory.
    for (let minute = 1; minute < 180; minute++) {
      series.observe(minute + 1);
      await clock.advanceAsync(60_000);
    }
    failing = false;
    await clock.advanceAsync(60_000);
    const reader = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 24) });
    const hours = await reader.statistics(incoming, startMs, clock.nowMs(), 3600);
    assert.deepEqual(hours, [
      { timestampMs: startMs, stats: stats(60, (60 * 61) / 2, 1, 60) },
      { timestampMs: startMs + 3_600_000, stats: stats(60, (120 * 121) / 2 - (60 * 61) / 2, 61, 120) },
      { timestampMs: startMs + 7_200_000, stats: stats(60, (180 * 181) / 2 - (120 * 121) / 2, 121, 180) },
    ]);
    await store.stop();
  });

  it("storage > metrics > durability > a table dropped under the store is created again by its next write", async () => {
    const engine = createMemoryEngine(new SeededRandom(13));
    const clock = new ManualClock(startMs);
    const store = new MetricsStore(clock, { enabled: true, accountId, storage: storageOf(engine, 14) });
    store.series(incoming, "Count").observe(1);
    clock.advance(60_000);
    await store.flushClosedMinutes();
    assert.deepEqual(await engine.tables.drop(`${metricsNamespace}@${accountId}`, minutesTableName), { ok: true });
    store.series(incoming, "Count").observe(2);
    clock.advance(60_000);
    // The first write meets the dropped table's id and fails; the next looks the table up again.
    await store.flushClosedMinutes();
    assert.deepEqual(await metricItems(engine), []);
    await store.flushClosedMinutes();
    // The node rewrites its hour's item whole, from what it wrote before: its first minute comes back with the second.
    assert.deepEqual(await store.statistics(incoming, startMs, clock.nowMs(), 60), [
      { timestampMs: startMs, stats: stats(1, 1, 1, 1) },
      { timestampMs: startMs + 60_000, stats: stats(1, 2, 2, 2) },
    ]);
    assert.equal((await metricItems(engine)).length, 2);
  });

  it("storage > metrics > durability > --metrics off records nothing and writes nothing", async () => {
    const engine = createMemoryEngine(new SeededRandom(15));
    const clock = new ManualClock(startMs);
    const store = new MetricsStore(clock, { enabled: false, accountId, storage: storageOf(engine, 16) });
    store.start();
    assert.equal(clock.pendingTimers(), 0, "no timer");
    store.series(incoming, "Count").observe(1);
    clock.advance(120_000);
    await store.flushClosedMinutes();
    await store.stop();
    assert.deepEqual(await engine.tables.list(), []);
    assert.deepEqual(await store.statistics(incoming, startMs, clock.nowMs(), 60), []);
    assert.deepEqual(await store.statistics(incoming, startMs, clock.nowMs(), 1), []);
    assert.deepEqual(await store.listMetrics({}), []);
    assert.deepEqual([...store.totals()], []);
  });

  it("storage > metrics > durability > the app under --metrics off creates no metrics table, and a reset keeps the metrics of one that records", async () => {
    const recorder: AppServiceModule = {
      name: "recorder",
      create: (deps) => Object.assign({ start: async () => {}, stop: async () => {} }, { metrics: deps.metrics as MetricsRecorder }),
    };
    for (const enabled of [false, true]) {
      const clock = new ManualClock(startMs);
      const storage = createMemoryEngine(new SeededRandom(17));
      const app = await startApp({
        clock,
        random: new SeededRandom(18),
        logger: silentLogger,
        storage,
        services: [recorder],
        config: { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, streams: defaultStreamsConfig, metrics: { enabled } },
      });
      try {
        const metrics = () => app.service<{ metrics: MetricsRecorder } & Awaited<ReturnType<AppServiceModule["create"]>>>("recorder")!.metrics;
        metrics().series(invocations, "Count").observe(1);
        await clock.advanceAsync(120_000);
        if (!enabled) {
          assert.deepEqual(await storage.tables.list(), []);
          continue;
        }
        assert.equal((await metricItems(storage)).length, 2);
        await app.reset();
        assert.equal((await metricItems(storage)).length, 2, "the reset kept the metrics table");
        assert.deepEqual((await app.metrics.listMetrics({})).map(({ id }) => id), [{ ...invocations, AccountId: accountId }]);
        assert.deepEqual(await app.metrics.statistics(invocations, startMs, clock.nowMs(), 60), [{ timestampMs: startMs, stats: stats(1, 1, 1, 1) }]);
      } finally {
        await app.stop();
      }
    }
  });
});
