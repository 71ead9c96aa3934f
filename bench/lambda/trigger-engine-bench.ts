/**
 * bench/lambda/trigger-engine-bench.ts — the trigger engine with the real sandboxes, in one process
 * (no Lambda API needed): a server's streams, createEventSourceManager, createExecutor running a
 * trivial Node handler. Measures records/s delivered on 4 shards at BatchSize 1,000 (the stream
 * filled first, read from TRIM_HORIZON), and the delay
 * put acknowledged → the handler's invocation completed (an upper bound of "handler sees it") at
 * 1,000 records/s with a batching window of 0.
 *
 *   node --import tsx bench/lambda/trigger-engine-bench.ts [records=200000] [delaySeconds=10]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createExecutor } from "../../src/lambda/runtime/index.js";
import type { Executor } from "../../src/lambda/model.js";
import { systemClock } from "../../src/util/clock.js";
import { silentLogger } from "../../src/util/logger.js";
import { systemRandom } from "../../src/util/random.js";
import { Harness, harness } from "../../test/lambda/esm-harness.js";
import { zipOf } from "../../test/helpers/zip.js";

const total = Number(process.argv[2] ?? 200_000);
const delaySeconds = Number(process.argv[3] ?? 10);
const sandboxRoot = mkdtempSync(join(tmpdir(), "trigger-bench-"));
const zip = zipOf({ "index.js": "exports.handler = async () => ({});" });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

async function withRealExecutor(h: Harness, onBatch: (ids: string[], doneMs: number) => void): Promise<void> {
  await h.manager.stop();
  const real = createExecutor({
    clock: systemClock,
    random: systemRandom,
    logger: silentLogger,
    region: "us-east-1",
    options: { functionsEnabled: true, sandboxRoot },
    code: { readZip: async () => zip },
    logs: { append: async () => {}, read: async () => [], drop: async () => {} },
    endpointUrl: () => h.server.url,
  });
  const counting: Executor = {
    ...real,
    invoke: async (fn, input) => {
      const result = await real.invoke(fn, input);
      const event = JSON.parse(input.payload.toString("utf8")) as { Records: { kinesis: { data: string } }[] };
      onBatch(event.Records.map((record) => Buffer.from(record.kinesis.data, "base64").toString()), Date.now());
      return result;
    },
    retire: (arn, version) => real.retire(arn, version),
    sandboxCount: (arn) => real.sandboxCount(arn),
    stop: () => real.stop(),
  };
  (h as unknown as { executorOverride: Executor }).executorOverride = counting;
  h.startManager();
  await h.manager.start();
}

// Throughput
const seen = new Map<string, number>();
const t = await harness(4);
await withRealExecutor(t, (ids, doneMs) => ids.forEach((id) => seen.has(id) || seen.set(id, doneMs)));
// The stream is filled first, then the mapping reads it from TRIM_HORIZON: the engine's rate, not
// the rate one in-process SDK client can put at.
const fillStart = performance.now();
const inflight = new Set<Promise<unknown>>();
for (let at = 0; at < total; at += 500) {
  const entries = Array.from({ length: Math.min(500, total - at) }, (_, index) => ({ key: `k${(at + index) % 1024}`, data: Buffer.from(`t${at + index}`) }));
  const put = t.put(entries).then(() => inflight.delete(put));
  inflight.add(put);
  if (inflight.size >= 8) await Promise.race(inflight);
}
await Promise.all(inflight);
const putSeconds = (performance.now() - fillStart) / 1000;
const start = performance.now();
await t.createMapping({ StartingPosition: "TRIM_HORIZON", BatchSize: 1000 });
while (seen.size < total) await new Promise((resolve) => setTimeout(resolve, 5));
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ phase: "throughput", records: total, putSeconds: +putSeconds.toFixed(2), deliveredSeconds: +seconds.toFixed(2), recordsPerSecond: Math.round(total / seconds) }));
await t.stop();

// Delay at 1,000 records/s
const d = await harness(1);
const doneAt = new Map<string, number>();
await withRealExecutor(d, (ids, doneMs) => ids.forEach((id) => doneAt.has(id) || doneAt.set(id, doneMs)));
await d.createMapping({ StartingPosition: "LATEST", BatchSize: 100 });
const acked = new Map<string, number>();
const t0 = performance.now();
for (let tick = 0; tick < delaySeconds * 100; tick += 1) {
  const wait = t0 + tick * 10 - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const ids = Array.from({ length: 10 }, (_, index) => `d${tick * 10 + index}`);
  void d.put(ids.map((id, index) => ({ key: `k${index}`, data: Buffer.from(id) }))).then(() => ids.forEach((id) => acked.set(id, Date.now())));
}
const expected = delaySeconds * 1000;
const deadline = performance.now() + 30_000;
while ((acked.size < expected || doneAt.size < expected) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
const delays = [...acked].filter(([id]) => doneAt.has(id)).map(([id, ack]) => Math.max(0, doneAt.get(id)! - ack)).sort((a, b) => a - b);
console.log(JSON.stringify({ phase: "delay", records: delays.length, p50Ms: percentile(delays, 0.5), p99Ms: percentile(delays, 0.99), maxMs: delays[delays.length - 1] }));
await d.stop();
rmSync(sandboxRoot, { recursive: true, force: true });
process.exit(0);
