/**
 * The client library's proof scenario (issue 7), shared by the polling and the enhanced fan-out
 * test files: worker processes share a 6-shard stream through the lease table Tributary serves,
 * while a producer writes; a shard is split and two are merged mid-run; one worker is killed with
 * SIGKILL and another joins. Afterwards the deliveries the workers logged are checked: every
 * acknowledged record at least once, each partition key in order, parents before children,
 * re-deliveries only where a lease changed hands; then a fresh worker restarts from the
 * checkpoints and re-delivers nothing already done.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, ListShardsCommand, MergeShardsCommand, SplitShardCommand, type KinesisClient, type Shard } from "@aws-sdk/client-kinesis";
import { Producer } from "../../src/client/index.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";

/** 40 keys × this many records before the workers start: ~10,700 a shard. */
const backlogRounds = 1600;
/** The workers' pretend processing cost: ~1,000 records a second per shard, so the backlog lasts well past the split. */
const msPerRecord = 1;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ScenarioOptions {
  mode: "polling" | "fanout";
  failoverMs: number;
}

interface Delivery {
  atMs: number;
  workerId: string;
  shardId: string;
  seq: string;
  sub: number;
  key: string;
  data: string;
}

class Worker {
  readonly process: ChildProcess;
  readonly out: string;
  exited: Promise<number | null>;
  stderr = "";

  constructor(
    readonly id: string,
    dir: string,
    env: Record<string, string>,
  ) {
    this.out = join(dir, `${id}.jsonl`);
    this.process = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../fixtures/consumer/worker.ts")], {
      env: { ...process.env, ...env, OUT: this.out, WORKER_ID: id },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.process.stderr!.on("data", (chunk: Buffer) => {
      this.stderr += chunk.toString("utf8");
    });
    this.exited = new Promise((resolve) => this.process.on("exit", (code) => resolve(code)));
  }

  async started(): Promise<void> {
    let stdout = "";
    await new Promise<void>((resolve, reject) => {
      this.process.stdout!.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        if (stdout.includes("started\n")) resolve();
      });
      void this.exited.then((code) => reject(new Error(`worker ${this.id} exited (${code}) before starting: ${this.stderr}`)));
    });
  }

  deliveries(): Delivery[] {
    if (!existsSync(this.out)) return [];
    return readFileSync(this.out, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Delivery);
  }

  async shutdown(): Promise<void> {
    this.process.kill("SIGTERM");
    const code = await this.exited;
    assert.equal(code, 0, `worker ${this.id} shut down with ${code}: ${this.stderr}`);
  }
}

export async function runConsumerScenario(options: ScenarioOptions): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `tributary-consumer-${options.mode}-`));
  const server: TestServer = await startTestServer({ streams: { updateStreamMs: 100 } });
  const kinesis = kinesisClient(server);
  const workers: Worker[] = [];
  try {
    const StreamName = randomStreamName(`consumer-${options.mode}`);
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 6 }));
    await waitActive(kinesis, StreamName);
    const env = {
      ENDPOINT: server.url,
      STREAM: StreamName,
      APP: `app-${StreamName}`,
      MODE: options.mode,
      FAILOVER_MS: String(options.failoverMs),
      INITIAL: "TRIM_HORIZON",
      MS_PER_RECORD: String(msPerRecord),
    };
    const startWorker = async (id: string) => {
      const worker = new Worker(id, dir, env);
      workers.push(worker);
      await worker.started();
      return worker;
    };

    // The producer: 40 keys, each key's records numbered 0, 1, 2, … in the order they are put;
    // ordered mode keeps them in that order in the stream, aggregation packs them KPL-style.
    const producer = new Producer({ client: kinesis, StreamName, aggregate: true, ordered: true, lingerMs: 20 });
    const acked = new Map<string, number>(); // "key:n" → times acknowledged (1)
    const failures: unknown[] = [];
    const nextByKey = new Map<string, number>();
    const putRound = () => {
      for (let k = 0; k < 40; k++) {
        const key = `key-${k}`;
        const n = nextByKey.get(key) ?? 0;
        nextByKey.set(key, n + 1);
        const data = `${key}:${n}`;
        producer.put({ PartitionKey: key, Data: data }).then(
          () => acked.set(data, 1),
          (error: unknown) => failures.push(error),
        );
      }
    };
    // A backlog first: with each record costing the workers MS_PER_RECORD, the shard that is split
    // still has records to process when its children appear — only the lineage gate keeps the
    // children waiting then.
    for (let round = 0; round < backlogRounds; round++) putRound();
    await producer.flush();
    let producing = true;
    const production = (async () => {
      while (producing) {
        putRound();
        await sleep(25);
      }
      await producer.close();
    })();

    const [w1] = await Promise.all([startWorker("w1"), startWorker("w2"), startWorker("w3")]);
    await sleep(options.failoverMs * 2);

    // Reshard mid-run: split the first shard, merge the last two.
    const shards = await listShards(kinesis, StreamName);
    const first = shards[0]!;
    const middle = (BigInt(first.HashKeyRange!.StartingHashKey!) + BigInt(first.HashKeyRange!.EndingHashKey!)) / 2n;
    await kinesis.send(new SplitShardCommand({ StreamName, ShardToSplit: first.ShardId!, NewStartingHashKey: middle.toString() }));
    await waitActive(kinesis, StreamName);
    await kinesis.send(new MergeShardsCommand({ StreamName, ShardToMerge: shards[4]!.ShardId!, AdjacentShardToMerge: shards[5]!.ShardId! }));
    await waitActive(kinesis, StreamName);
    await sleep(1500);

    // kill -9 one worker; another joins.
    w1!.process.kill("SIGKILL");
    await w1!.exited;
    await startWorker("w4");
    await sleep(options.failoverMs * 3);

    producing = false;
    await production;
    assert.deepEqual(failures, [], "the producer acknowledged every record");
    assert.ok(acked.size > 1000, `a meaningful load was written (${acked.size} records)`);

    // Wait until every acknowledged record was delivered somewhere.
    const allDelivered = () => {
      const seen = new Set(workers.flatMap((worker) => worker.deliveries()).map((delivery) => delivery.data));
      return [...acked.keys()].filter((data) => !seen.has(data));
    };
    const deadline = Date.now() + 60_000;
    let missing = allDelivered();
    while (missing.length > 0 && Date.now() < deadline) {
      await sleep(250);
      missing = allDelivered();
    }
    assert.deepEqual(missing.slice(0, 10), [], `every acknowledged record is delivered (${missing.length} missing; worker logs: ${workers.map((w) => w.stderr).join("\n")})`);

    const live = workers.filter((worker) => worker !== w1);
    await Promise.all(live.map((worker) => worker.shutdown()));
    const deliveries = workers.flatMap((worker) => worker.deliveries()).sort((a, b) => a.atMs - b.atMs);
    const finalShards = await listShards(kinesis, StreamName);
    checkOrderPerKey(deliveries);
    checkParentsBeforeChildren(deliveries, finalShards);
    checkNoLongConcurrentProcessing(deliveries, options.failoverMs);
    const redeliveries = checkRedeliveries(deliveries, options.failoverMs);
    process.stdout.write(`# ${options.mode}: ${acked.size} records acknowledged, ${deliveries.length} deliveries, ${redeliveries} re-deliveries\n`);

    // Restart: a fresh worker resumes from the checkpoints and re-delivers nothing already done.
    const before = new Set(deliveries.map((delivery) => delivery.data));
    const more = new Producer({ client: kinesis, StreamName });
    const extra = Array.from({ length: 50 }, (_, i) => `after-restart:${i}`);
    await Promise.all(extra.map((data, i) => more.put({ PartitionKey: `key-${i % 40}`, Data: data })));
    await more.close();
    const w5 = await startWorker("w5");
    const restartDeadline = Date.now() + 60_000;
    while (Date.now() < restartDeadline && !extra.every((data) => w5.deliveries().some((delivery) => delivery.data === data))) await sleep(250);
    const after = w5.deliveries();
    assert.deepEqual(extra.filter((data) => !after.some((delivery) => delivery.data === data)), [], "the restarted worker reads what was written while no worker ran");
    const redelivered = after.filter((delivery) => before.has(delivery.data));
    assert.deepEqual(redelivered.slice(0, 5), [], `after a graceful shutdown nothing is re-delivered (${redelivered.length})`);
    await w5.shutdown();
  } finally {
    for (const worker of workers) if (worker.process.exitCode === null && worker.process.signalCode === null) worker.process.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    kinesis.destroy();
    await server.stop();
    if (process.env.KEEP_SCENARIO_DIR === undefined) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`# kept ${dir}\n`);
  }
}

/** Each key's records are first delivered in the order they were written. */
function checkOrderPerKey(deliveries: Delivery[]): void {
  const lastFirstSeen = new Map<string, number>();
  const seen = new Set<string>();
  for (const delivery of deliveries) {
    if (seen.has(delivery.data)) continue;
    seen.add(delivery.data);
    const [key, n] = splitData(delivery.data);
    const previous = lastFirstSeen.get(key) ?? -1;
    assert.equal(n, previous + 1, `key ${key}: record ${n} first delivered after record ${previous} (no gap, no reordering)`);
    lastFirstSeen.set(key, n);
  }
}

/** No record of a child shard is delivered before the last delivery of any record of its parents. */
function checkParentsBeforeChildren(deliveries: Delivery[], shards: Shard[]): void {
  const firstByShard = new Map<string, number>();
  const lastByShard = new Map<string, number>();
  for (const delivery of deliveries) {
    if (!firstByShard.has(delivery.shardId)) firstByShard.set(delivery.shardId, delivery.atMs);
    lastByShard.set(delivery.shardId, delivery.atMs);
  }
  let children = 0;
  for (const shard of shards) {
    for (const parent of [shard.ParentShardId, shard.AdjacentParentShardId]) {
      if (parent === undefined) continue;
      const childFirst = firstByShard.get(shard.ShardId!);
      const parentLast = lastByShard.get(parent);
      if (childFirst === undefined || parentLast === undefined) continue;
      children++;
      assert.ok(parentLast < childFirst, `${shard.ShardId!} started (${childFirst}) after its parent ${parent} ended (${parentLast})`);
    }
  }
  assert.ok(children >= 3, `the split's two children and the merge's child were read (${children} parent links checked)`);
}

/**
 * Two workers never process one shard at the same time for longer than a lease period. A worker's
 * active periods on a shard are its deliveries from it with no pause over `activeGapMs` between
 * them; two workers' periods on one shard may overlap by at most failoverMs (plus a chunk's time).
 */
function checkNoLongConcurrentProcessing(deliveries: Delivery[], failoverMs: number): void {
  const activeGapMs = 1000;
  const periods = new Map<string, { workerId: string; fromMs: number; toMs: number }[]>(); // by shard
  const current = new Map<string, { workerId: string; fromMs: number; toMs: number }>(); // by shard + worker
  for (const delivery of deliveries) {
    const key = `${delivery.shardId} ${delivery.workerId}`;
    const period = current.get(key);
    if (period !== undefined && delivery.atMs - period.toMs <= activeGapMs) {
      period.toMs = delivery.atMs;
      continue;
    }
    const fresh = { workerId: delivery.workerId, fromMs: delivery.atMs, toMs: delivery.atMs };
    current.set(key, fresh);
    periods.set(delivery.shardId, [...(periods.get(delivery.shardId) ?? []), fresh]);
  }
  let compared = 0;
  for (const [shardId, list] of periods) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a, b] = [list[i]!, list[j]!];
        if (a.workerId === b.workerId) continue;
        compared++;
        const overlapMs = Math.min(a.toMs, b.toMs) - Math.max(a.fromMs, b.fromMs);
        assert.ok(overlapMs <= failoverMs + 500, `${shardId}: ${a.workerId} and ${b.workerId} both processed it for ${Math.round(overlapMs)} ms`);
      }
    }
  }
  assert.ok(compared > 0, "some shard changed hands");
}

/**
 * At-least-once: a record is delivered again only where its shard changed hands before the record
 * was checkpointed (a kill, or a lease stolen to balance the workers) — by a different worker than
 * before — and only from the earlier worker's last lease period on that shard (its batches that
 * were not yet checkpointed when the lease moved).
 */
function checkRedeliveries(deliveries: Delivery[], failoverMs: number): number {
  // By stream position: the same data at two positions is the producer's doing (an aggregate that
  // landed on another shard than predicted after the reshard is put again), not a re-delivery.
  const byPosition = new Map<string, Delivery[]>();
  const byWorkerShard = new Map<string, number[]>();
  for (const delivery of deliveries) {
    const position = `${delivery.seq}/${delivery.sub}`;
    byPosition.set(position, [...(byPosition.get(position) ?? []), delivery]);
    const key = `${delivery.workerId} ${delivery.shardId}`;
    byWorkerShard.set(key, [...(byWorkerShard.get(key) ?? []), delivery.atMs]);
  }
  let redelivered = 0;
  for (const [position, list] of byPosition) {
    for (let i = 1; i < list.length; i++) {
      redelivered++;
      const earlier = list[i - 1]!;
      const later = list[i]!;
      assert.notEqual(later.workerId, earlier.workerId, `${position} (${later.data}) re-delivered by the same worker ${later.workerId}`);
      // The earlier worker's last delivery from this shard before the re-delivery.
      const times = byWorkerShard.get(`${earlier.workerId} ${earlier.shardId}`)!.filter((atMs) => atMs < later.atMs);
      const lastMs = Math.max(...times);
      assert.ok(
        earlier.atMs >= lastMs - failoverMs,
        `${position} (${later.data}): re-delivered from ${earlier.workerId}'s last lease period on ${earlier.shardId} (${Math.round(lastMs - earlier.atMs)} ms before its last delivery there)`,
      );
    }
  }
  assert.ok(redelivered <= deliveries.length * 0.05, `re-deliveries stay a small fraction (${redelivered} of ${deliveries.length})`);
  return redelivered;
}

function splitData(data: string): [string, number] {
  const colon = data.lastIndexOf(":");
  return [data.slice(0, colon), Number(data.slice(colon + 1))];
}

async function listShards(kinesis: KinesisClient, StreamName: string): Promise<Shard[]> {
  const out = await kinesis.send(new ListShardsCommand({ StreamName }));
  return out.Shards ?? [];
}

async function waitActive(kinesis: KinesisClient, StreamName: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
    if (out.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
    await sleep(50);
  }
  throw new Error(`${StreamName} did not become ACTIVE`);
}
