/**
 * kill -9 of a server running a stream trigger: `tributary server` (the sources through tsx, the
 * leader of its own process group, embedded storage, fsync always) runs an event source mapping
 * (ParallelizationFactor 2) on a 4-shard stream fed by a steady producer; the whole group is
 * killed mid-run, twice, and started again at once on the same data directory while the
 * producer keeps going. The function reports every event to a sink in this process (which
 * outlives the server). Afterwards every acknowledged record was seen by the handler at least
 * once; per partition key the first-seen order is the put order; and records are seen again only
 * across a kill, no more per shard than the poller had read ahead of its checkpoint
 * (docs/lambda.md, "Durability: at-least-once"). The sandboxes of a killed server exit by
 * themselves (their Runtime API is gone).
 *
 * The kill moments come from a seed printed in the test's name; replay with
 * TRIBUTARY_TRIGGER_CRASH_SEED=<seed>.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { killGroup, startGroupServer } from "../cli/process-group.js";
import { exampleCredentials } from "../helpers/server.js";
import { seeded } from "../helpers/seeded.js";
import { sleep, waitFor } from "../helpers/wait.js";
import { createRecorder, TriggerSink, type SeenRecord } from "../e2e/lambda-triggers-fixture.js";

const kills = 2;
const writers = 4;
const keysPerWriter = 8;
const recordsPerRequest = 20;
const batchSize = 50;
const parallelizationFactor = 2;
const shardCount = 4;
const streamName = "trigger-crash";
const functionName = "trigger-crash-recorder";
/** Records the handler sees in a life before its kill may land: the kill must find the mapping at work. */
const seenBeforeKill = 600;
/** What a shard's poller may have finished past its checkpoint: its read-ahead (4 reads) and one read more. */
const repeatsPerShardMax = 5 * batchSize * parallelizationFactor;

const seed = Number(process.env.TRIBUTARY_TRIGGER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Life {
  pgid: number;
  url: string;
  exited: Promise<unknown>;
  kinesis: KinesisClient;
  lambda: LambdaClient;
}

const dataDir = mkdtempSync(join(tmpdir(), "tributary-trigger-crash-"));
const lives: Life[] = [];
/** Each life's server (its process group leader), from its spawn on. */
const pgids: number[] = [];
const sink = new TriggerSink();
const orphans = new Set<number>();
after(async () => {
  for (const life of lives) {
    life.kinesis.destroy();
    life.lambda.destroy();
    killGroup(life.pgid);
  }
  for (const pid of orphans) killGroup(pid);
  await sink.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<Life> {
  // The server leads its own process group, killed as a whole as a supervisor would.
  const group = startGroupServer("sources", ["--port", "0", "--data-dir", dataDir, "--storage", "embedded", "--fsync", "always", "--create-stream-ms", "0", "--limits", "off", "--functions", "on", "--log-level", "warn"]);
  pgids.push(group.pgid);
  const url = await group.ready;
  // No retries: an answer is this life's, and a retry could not reach the next one anyway.
  const options = { endpoint: url, region: "us-east-1", credentials: exampleCredentials, maxAttempts: 1 };
  const life = { pgid: group.pgid, url, exited: group.exited, kinesis: new KinesisClient(options), lambda: new LambdaClient(options) };
  lives.push(life);
  return life;
}

/** The processes whose parent is `pid` (the server's sandboxes lead process groups of their own). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === pid && state !== "Z") out.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One writer: its own keys, one PutRecords at a time, through whichever life is current. */
class Writer {
  /** Per key, the numbers acknowledged. */
  readonly acked = new Map<string, number[]>();
  private n = 0;
  stopped = false;

  constructor(
    private readonly index: number,
    private readonly current: () => Life,
  ) {}

  async run(): Promise<void> {
    while (!this.stopped) {
      const entries = Array.from({ length: recordsPerRequest }, () => {
        const n = this.n++;
        return { key: `w${this.index}-k${n % keysPerWriter}`, n };
      });
      try {
        const answer = await this.current().kinesis.send(
          new PutRecordsCommand({ StreamName: streamName, Records: entries.map(({ key, n }) => ({ PartitionKey: key, Data: Buffer.from(JSON.stringify({ n })) })) }),
        );
        for (const [at, result] of (answer.Records ?? []).entries()) {
          if (result.SequenceNumber === undefined) continue;
          const { key, n } = entries[at]!;
          let list = this.acked.get(key);
          if (list === undefined) this.acked.set(key, (list = []));
          list.push(n);
        }
      } catch {
        // The server died under this request: its records may or may not be in the stream; the
        // writer goes on with new numbers (unacknowledged ones may be seen, in order, or not).
        await sleep(50);
      }
      await sleep(10);
    }
  }
}

describe("crash > lambda > kill -9 of a server running a stream trigger", () => {
  it(`every acknowledged record is seen at least once, first seen in put order per key; repeats only across a kill (seed ${seed})`, { timeout: 240_000 }, async (t) => {
    const random = seeded(seed);
    await sink.start();
    let life = await start();
    const deliveriesPerLife: { life: number; records: SeenRecord[] }[] = [];
    let lifeIndex = 0;
    await life.kinesis.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
    await waitFor("stream ACTIVE", async () => (await life.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary?.StreamStatus === "ACTIVE");
    const streamArn = (await life.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: streamName }))).StreamDescriptionSummary!.StreamARN!;
    sink.on(streamArn, async (_event, records, pid) => {
      // The life whose server spawned this sandbox; an orphan (its server killed) belongs to the life before this one.
      const ppid = parentOf(pid);
      const owner = pgids.indexOf(ppid ?? -1);
      deliveriesPerLife.push({ life: owner >= 0 ? owner : lifeIndex - 1, records });
      await sleep(5);
      return {};
    });
    await createRecorder(life.lambda, functionName, sink.url);
    const { UUID } = await life.lambda.send(
      new CreateEventSourceMappingCommand({ FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: batchSize, ParallelizationFactor: parallelizationFactor }),
    );
    await waitFor("mapping Enabled", async () => (await life.lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Enabled");

    const writerList = Array.from({ length: writers }, (_, index) => new Writer(index, () => life));
    const writing = writerList.map((writer) => writer.run());
    const seenCount = () => sink.of(streamArn).reduce((sum, delivery) => sum + delivery.records.length, 0);

    for (let kill = 0; kill < kills; kill += 1) {
      const before = seenCount();
      await waitFor(`${seenBeforeKill} records seen in life ${kill}`, () => seenCount() - before >= seenBeforeKill, 60_000, 20);
      await sleep(random(300));
      const sandboxes = childrenOf(life.pgid);
      for (const pid of sandboxes) orphans.add(pid);
      lifeIndex += 1;
      killGroup(life.pgid);
      await life.exited;
      life = await start();
      // A killed server's sandboxes lose their Runtime API and exit.
      await waitFor(`the killed server's sandboxes exit (${sandboxes.join(", ")})`, () => sandboxes.every((pid) => !alive(pid)), 15_000, 50);
    }
    const before = seenCount();
    await waitFor("records seen in the last life", () => seenCount() - before >= seenBeforeKill, 60_000, 20);
    for (const writer of writerList) writer.stopped = true;
    await Promise.all(writing);

    const acked = new Map<string, number[]>();
    for (const writer of writerList) for (const [key, numbers] of writer.acked) acked.set(key, numbers);
    const ackedTotal = [...acked.values()].reduce((sum, numbers) => sum + numbers.length, 0);
    const seenNumbers = () => {
      const out = new Map<string, Set<number>>();
      for (const record of sink.of(streamArn).flatMap((delivery) => delivery.records)) {
        let set = out.get(record.key);
        if (set === undefined) out.set(record.key, (set = new Set()));
        set.add(record.n);
      }
      return out;
    };
    await waitFor(
      "every acknowledged record seen",
      () => {
        const seen = seenNumbers();
        return [...acked].every(([key, numbers]) => numbers.every((n) => seen.get(key)?.has(n)));
      },
      60_000,
      100,
    );
    await sleep(500);

    // Per key, the first sighting of each number comes in put order (the writer's numbers rise).
    const records = deliveriesPerLife.flatMap((delivery) => delivery.records.map((record) => ({ ...record, life: delivery.life })));
    const firstSeen = new Map<string, number[]>();
    const sightings = new Map<string, { life: number; shardId: string }[]>();
    for (const record of records) {
      const id = `${record.key}/${record.n}`;
      let list = sightings.get(id);
      if (list === undefined) {
        sightings.set(id, (list = []));
        let numbers = firstSeen.get(record.key);
        if (numbers === undefined) firstSeen.set(record.key, (numbers = []));
        numbers.push(record.n);
      }
      list.push({ life: record.life, shardId: record.shardId });
    }
    for (const [key, numbers] of firstSeen) {
      for (let at = 1; at < numbers.length; at += 1) assert.ok(numbers[at]! > numbers[at - 1]!, `key ${key}: first seen out of order at ${at}: ${numbers.slice(Math.max(0, at - 3), at + 2).join(",")}`);
    }
    for (const [key, numbers] of acked) for (const n of numbers) assert.ok(sightings.has(`${key}/${n}`), `acknowledged ${key}/${n} never seen`);

    // Repeats: only across a kill (never twice in one life), bounded per shard and kill.
    const repeatsPerShard = new Map<string, number>();
    for (const [id, list] of sightings) {
      if (list.length === 1) continue;
      const lifeSet = new Set(list.map((sighting) => sighting.life));
      assert.equal(lifeSet.size, list.length, `${id} seen twice in one life: ${JSON.stringify(list)}`);
      const shardId = list[0]!.shardId;
      repeatsPerShard.set(shardId, (repeatsPerShard.get(shardId) ?? 0) + list.length - 1);
    }
    for (const [shardId, repeats] of repeatsPerShard) assert.ok(repeats <= kills * repeatsPerShardMax, `${shardId}: ${repeats} repeats`);
    const repeats = [...repeatsPerShard.values()].reduce((sum, count) => sum + count, 0);
    t.diagnostic(`acknowledged ${ackedTotal}, deliveries ${records.length}, repeated ${repeats} (seed ${seed})`);
    assert.ok(ackedTotal > (kills + 1) * seenBeforeKill);
  });
});
