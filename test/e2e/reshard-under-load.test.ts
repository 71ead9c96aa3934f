/**
 * Resharding under load: writers (each with its own partition keys, one request at a time) and
 * lineage-following readers run while the stream is split, merged, scaled up and down. Afterwards
 * every shard is read parents-before-children, and each partition key's records must be exactly
 * the acknowledged ones, once each, in acknowledgment order, in the shard that acknowledged them.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, MergeShardsCommand,
  PutRecordCommand, PutRecordsCommand, SplitShardCommand, UpdateShardCountCommand, type GetRecordsCommandOutput, type Shard,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { createEmbeddedEngine } from "../../src/storage/index.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { sleep } from "../helpers/wait.js";

const writerCount = 4;
const keysPerWriter = 4;
const batchRecords = 24;
/** Load before the first reshard and between reshards. */
const settleMs = 150;
const pollMs = 10;
const waitActiveMsMax = 5000;


let dataDir: string;
let server: TestServer;
let client: KinesisClient;
const streamName = randomStreamName("reshard-load");

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tributary-reshard-load-"));
  const storage = await createEmbeddedEngine({ dataDir, fsync: "never", clock: systemClock, random: systemRandom, logger: silentLogger, accountId: defaultStreamsConfig.accountId });
  server = await startTestServer({ storage, streams: { updateStreamMs: 50 } });
  client = kinesisClient(server);
});

after(async () => {
  client.destroy();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the service acknowledged for one record. */
interface Ack {
  shardId: string;
  sequenceNumber: string;
}

class Writer {
  /** Per partition key, the record numbers in acknowledgment order. */
  readonly acked = new Map<string, number[]>();
  readonly acks = new Map<string, Ack>();
  private readonly next = new Map<string, number>();
  private readonly keys: string[];

  constructor(readonly index: number) {
    this.keys = Array.from({ length: keysPerWriter }, (_, key) => `writer${index}-key${key}`);
    for (const key of this.keys) {
      this.acked.set(key, []);
      this.next.set(key, 0);
    }
  }

  private take(key: string): string {
    const number = this.next.get(key)!;
    this.next.set(key, number + 1);
    return `${key}:${number}`;
  }

  private ack(data: string, ack: Ack): void {
    const [key, number] = data.split(":") as [string, string];
    this.acked.get(key)!.push(Number(number));
    this.acks.set(data, ack);
  }

  /** One request at a time: PutRecords batches, every fourth request a single PutRecord. */
  async run(stopped: () => boolean): Promise<void> {
    for (let request = 0; !stopped(); request++) {
      if (request % 4 === 3) {
        const data = this.take(this.keys[request % this.keys.length]!);
        const out = await client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: data.split(":")[0], Data: Buffer.from(data) }));
        this.ack(data, { shardId: out.ShardId!, sequenceNumber: out.SequenceNumber! });
        continue;
      }
      const batch = Array.from({ length: batchRecords }, (_, i) => this.take(this.keys[(request + i) % this.keys.length]!));
      const out = await client.send(new PutRecordsCommand({
        StreamName: streamName,
        Records: batch.map((data) => ({ PartitionKey: data.split(":")[0], Data: Buffer.from(data) })),
      }));
      assert.equal(out.FailedRecordCount, 0, "no entry fails");
      out.Records!.forEach((entry, i) => this.ack(batch[i]!, { shardId: entry.ShardId!, sequenceNumber: entry.SequenceNumber! }));
    }
  }
}

/** A record as a reader saw it. */
interface Seen {
  data: string;
  shardId: string;
  sequenceNumber: string;
}

/**
 * Reads the stream as a KCL worker does: from the root shards at TRIM_HORIZON, each shard to its
 * end, and a child only once all its parents have ended.
 */
class LineageReader {
  readonly seen: Seen[] = [];
  private readonly ended = new Set<string>();
  private readonly parentsOf = new Map<string, string[]>();
  private readonly reading = new Map<string, string>();
  private readonly waiting = new Set<string>();

  constructor(private readonly roots: readonly string[]) {}

  /** Reads until `done()` holds at the start of a round in which every open shard was caught up. */
  async run(done: () => boolean): Promise<void> {
    for (const root of this.roots) await this.start(root);
    for (let round = 0; ; round++) {
      assert.ok(round < 100_000, "the reader finishes");
      const finishing = done();
      let records = 0;
      for (const [shardId, iterator] of [...this.reading]) records += await this.poll(shardId, iterator);
      if (records === 0 && this.waiting.size === 0 && finishing) return;
      if (records === 0) await sleep(pollMs);
    }
  }

  private async start(shardId: string): Promise<void> {
    const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
    this.reading.set(shardId, out.ShardIterator!);
  }

  private async poll(shardId: string, iterator: string): Promise<number> {
    const out: GetRecordsCommandOutput = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
    for (const record of out.Records!) this.seen.push({ data: Buffer.from(record.Data!).toString(), shardId, sequenceNumber: record.SequenceNumber! });
    if (out.NextShardIterator !== undefined) {
      this.reading.set(shardId, out.NextShardIterator);
      return out.Records!.length;
    }
    this.reading.delete(shardId);
    this.ended.add(shardId);
    for (const child of out.ChildShards ?? []) {
      this.parentsOf.set(child.ShardId!, child.ParentShards!);
      this.waiting.add(child.ShardId!);
    }
    for (const child of [...this.waiting]) {
      if (this.parentsOf.get(child)!.every((parent) => this.ended.has(parent))) {
        this.waiting.delete(child);
        await this.start(child);
      }
    }
    // A shard that ended counts as progress: its children may hold records.
    return out.Records!.length + 1;
  }
}

async function waitActive(): Promise<void> {
  for (let waitedMs = 0; ; waitedMs += pollMs) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
    if (summary.StreamDescriptionSummary!.StreamStatus === "ACTIVE") return;
    assert.ok(waitedMs < waitActiveMsMax, "the reshard takes effect");
    await sleep(pollMs);
  }
}

async function openShards(): Promise<Shard[]> {
  const out = await client.send(new ListShardsCommand({ StreamName: streamName, ShardFilter: { Type: "AT_LATEST" } }));
  return out.Shards!.sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
}

/** Split, merge, scale up, scale down, scale to an uneven count: each under load. */
async function reshardRepeatedly(): Promise<void> {
  const steps: (() => Promise<unknown>)[] = [
    async () => {
      const [low] = await openShards();
      const start = BigInt(low!.HashKeyRange!.StartingHashKey!);
      const end = BigInt(low!.HashKeyRange!.EndingHashKey!);
      return client.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: low!.ShardId, NewStartingHashKey: ((start + end) / 2n).toString() }));
    },
    async () => {
      const [first, second] = await openShards();
      return client.send(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: first!.ShardId, AdjacentShardToMerge: second!.ShardId }));
    },
    async () => client.send(new UpdateShardCountCommand({ StreamName: streamName, TargetShardCount: (await openShards()).length * 2, ScalingType: "UNIFORM_SCALING" })),
    async () => client.send(new UpdateShardCountCommand({ StreamName: streamName, TargetShardCount: Math.ceil((await openShards()).length / 2), ScalingType: "UNIFORM_SCALING" })),
    async () => client.send(new UpdateShardCountCommand({ StreamName: streamName, TargetShardCount: 3, ScalingType: "UNIFORM_SCALING" })),
  ];
  for (const step of steps) {
    await sleep(settleMs);
    await step();
    await waitActive();
  }
  await sleep(settleMs);
}

it("e2e > resharding under load > loses, duplicates and reorders nothing", async () => {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 2 }));
  await waitActive();
  const roots = (await openShards()).map((shard) => shard.ShardId!);

  let writing = true;
  const writers = Array.from({ length: writerCount }, (_, index) => new Writer(index));
  const writes = writers.map((writer) => writer.run(() => !writing));
  const liveReaders = [new LineageReader(roots), new LineageReader(roots)];
  let writersDone = false;
  const reads = liveReaders.map((reader) => reader.run(() => writersDone));

  try {
    await reshardRepeatedly();
  } finally {
    writing = false;
    await Promise.all(writes);
    writersDone = true;
  }
  await Promise.all(reads);

  const shards = (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards!;
  // 2 shards; the split adds 2, the merge 1, doubling 2 → 4 adds 4, halving adds 2, 2 → 3 adds 5 (two short-lived).
  assert.equal(shards.length, 16);
  const ending = new Map(shards.map((shard) => [shard.ShardId!, shard.SequenceNumberRange!.EndingSequenceNumber]));

  const afterwards = new LineageReader(roots);
  await afterwards.run(() => true);

  const acked = new Map(writers.flatMap((writer) => [...writer.acked]));
  const acks = new Map(writers.flatMap((writer) => [...writer.acks]));
  assert.ok(acks.size > 500, `the writers got going (${acks.size} records)`);
  for (const reader of [afterwards, ...liveReaders]) {
    // Per partition key: exactly the acknowledged records, each once, in acknowledgment order.
    const readByKey = new Map<string, number[]>([...acked.keys()].map((key) => [key, []]));
    for (const seen of reader.seen) {
      const [key, number] = seen.data.split(":") as [string, string];
      readByKey.get(key)!.push(Number(number));
      // In the shard, and at the sequence number, that acknowledged it: never past a closed shard's end.
      assert.deepEqual({ shardId: seen.shardId, sequenceNumber: seen.sequenceNumber }, acks.get(seen.data), seen.data);
      const end = ending.get(seen.shardId);
      if (end !== undefined) assert.ok(BigInt(seen.sequenceNumber) <= BigInt(end), `${seen.data} lies within ${seen.shardId}`);
    }
    assert.deepEqual(readByKey, acked);
  }
});
