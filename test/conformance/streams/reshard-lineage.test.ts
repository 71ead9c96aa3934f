import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, type GetRecordsCommandOutput,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { jsonCall } from "../../helpers/raw.js";
import { assertError, call, formats, ok } from "../../helpers/wire-assert.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../../src/storage/index.js";
import { defaultStreamsConfig } from "../../../src/streams/index.js";
import type { AppendOutcome, AppendRecord, ShardLog, StorageEngine } from "../../../src/storage/types.js";
import { decodeSequenceNumber, encodeSequenceNumber } from "../../../src/core/sequence-number.js";
import { ManualClock } from "../../../src/util/clock.js";
import { systemRandom } from "../../../src/util/random.js";
import { silentLogger } from "../../../src/util/logger.js";
import { sleep } from "../../helpers/wait.js";

const hourMs = 3600_000;
const half = (1n << 127n).toString();
const max = ((1n << 128n) - 1n).toString();
const id = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const text = (data: unknown) => Buffer.from(data as Uint8Array).toString();

async function iterator(client: KinesisClient, streamName: string, shardId: string, type: "TRIM_HORIZON" | "LATEST" = "TRIM_HORIZON"): Promise<string> {
  return (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: type }))).ShardIterator!;
}

/** Reads one shard from TRIM_HORIZON to its end (bounded): its records' data and the ChildShards it names there. */
async function readShard(client: KinesisClient, streamName: string, shardId: string): Promise<{ data: string[]; children: GetRecordsCommandOutput["ChildShards"] }> {
  const data: string[] = [];
  let next: string | undefined = await iterator(client, streamName, shardId);
  for (let page = 0; page < 100; page++) {
    const out: GetRecordsCommandOutput = await client.send(new GetRecordsCommand({ ShardIterator: next }));
    data.push(...out.Records!.map((record) => text(record.Data)));
    if (out.NextShardIterator === undefined) return { data, children: out.ChildShards };
    if (out.Records!.length === 0) return { data, children: undefined };
    next = out.NextShardIterator;
  }
  throw new Error(`${shardId} did not end`);
}

/** Every shard's records, parents before children as a lineage-following consumer (KCL) reads them. */
async function readByLineage(client: KinesisClient, streamName: string, roots: readonly string[]): Promise<Map<string, string[]>> {
  const read = new Map<string, string[]>();
  const parentsOf = new Map<string, string[]>();
  const queue = [...roots];
  while (queue.length > 0) {
    const index = queue.findIndex((shardId) => (parentsOf.get(shardId) ?? []).every((parent) => read.has(parent)));
    assert.ok(index >= 0, "every queued shard has an unread parent");
    const [shardId] = queue.splice(index, 1) as [string];
    if (read.has(shardId)) continue;
    const { data, children } = await readShard(client, streamName, shardId);
    read.set(shardId, data);
    for (const child of children ?? []) {
      parentsOf.set(child.ShardId!, child.ParentShards!);
      if (!queue.includes(child.ShardId!)) queue.push(child.ShardId!);
    }
  }
  return read;
}

describe("Resharding > lineage", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const put = (streamName: string, data: string, hashKey: string) =>
    client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "k", Data: Buffer.from(data), ExplicitHashKey: hashKey }));

  describe("GetRecords at the end of a closed shard", () => {
    it("answers no NextShardIterator, MillisBehindLatest 0 and the children, in JSON and CBOR", async () => {
      const name = randomStreamName("lineage-split");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      await put(name, "one", "0");
      await put(name, "two", "0");
      const start = await iterator(client, name, id(0));
      await ok(server, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: half });
      await put(name, "three", "0");

      for (const format of formats) {
        // Short of the end: records and a next iterator, no children yet.
        const first = await call(server, format, "GetRecords", { ShardIterator: start, Limit: 1 });
        assert.equal(first.statusCode, 200);
        assert.equal(first.body.Records.length, 1);
        assert.equal(typeof first.body.NextShardIterator, "string");
        assert.equal("ChildShards" in first.body, false);
        // Reaching the end: the last record, then the children instead of an iterator.
        const last = await call(server, format, "GetRecords", { ShardIterator: first.body.NextShardIterator });
        assert.equal(last.body.Records.length, 1);
        assert.equal("NextShardIterator" in last.body, false);
        assert.equal(last.body.MillisBehindLatest, 0);
        assert.deepEqual(last.body.ChildShards, [
          { ShardId: id(1), ParentShards: [id(0)], HashKeyRange: { StartingHashKey: "0", EndingHashKey: ((1n << 127n) - 1n).toString() } },
          { ShardId: id(2), ParentShards: [id(0)], HashKeyRange: { StartingHashKey: half, EndingHashKey: max } },
        ]);
      }
      const children = await readShard(client, name, id(0));
      assert.deepEqual(children.data, ["one", "two"]);
      assert.deepEqual(children.children!.map((child) => child.ShardId), [id(1), id(2)]);
      assert.deepEqual((await readShard(client, name, id(1))).data, ["three"]);
    });

    it("names a merge's child, with both parents, at the end of each parent", async () => {
      const name = randomStreamName("lineage-merge");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 2 });
      await put(name, "low", "0");
      await put(name, "high", max);
      await ok(server, "MergeShards", { StreamName: name, ShardToMerge: id(0), AdjacentShardToMerge: id(1) });
      await put(name, "merged", "0");
      const expected = [{ ShardId: id(2), ParentShards: [id(0), id(1)], HashKeyRange: { StartingHashKey: "0", EndingHashKey: max } }];
      const low = await readShard(client, name, id(0));
      const high = await readShard(client, name, id(1));
      assert.deepEqual([low.data, low.children], [["low"], expected]);
      assert.deepEqual([high.data, high.children], [["high"], expected]);
      assert.deepEqual((await readShard(client, name, id(2))).data, ["merged"]);
    });

    it("reaches the end at once from a LATEST iterator on a closed shard, and reads it again from a sequence number", async () => {
      const name = randomStreamName("lineage-latest");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      const first = await put(name, "a", "0");
      await put(name, "b", "0");
      await ok(server, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: half });
      const latest = await client.send(new GetRecordsCommand({ ShardIterator: await iterator(client, name, id(0), "LATEST") }));
      assert.deepEqual([latest.Records, latest.NextShardIterator, latest.ChildShards!.length], [[], undefined, 2]);
      const after = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: id(0), ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: first.SequenceNumber }));
      const rest = await client.send(new GetRecordsCommand({ ShardIterator: after.ShardIterator }));
      assert.deepEqual(rest.Records!.map((record) => text(record.Data)), ["b"]);
      assert.equal(rest.NextShardIterator, undefined);
    });
  });

  describe("EndingSequenceNumber", () => {
    it("is no lower than any sequence number the shard handed out, and above none of its children's", async () => {
      const name = randomStreamName("lineage-ending");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
      const puts = [await put(name, "a", "0"), await put(name, "b", max)];
      await ok(server, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: half });
      const later = await put(name, "c", "0");
      const shards = (await ok(server, "ListShards", { StreamName: name })).Shards;
      const ending = shards[0].SequenceNumberRange.EndingSequenceNumber as string;
      const position = decodeSequenceNumber(ending)!;
      assert.deepEqual([position.shardIndex, position.offset], [0, 1]);
      assert.equal(shards[1].SequenceNumberRange.EndingSequenceNumber, undefined);
      for (const out of puts) assert.ok(BigInt(out.SequenceNumber!) <= BigInt(ending));
      assert.ok(BigInt(shards[1].SequenceNumberRange.StartingSequenceNumber) <= BigInt(later.SequenceNumber!));
    });
  });

  describe("short-lived shards", () => {
    it("lead a lineage-following reader through UpdateShardCount's intermediate steps to every record", async () => {
      const name = randomStreamName("lineage-scale");
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 2 });
      const keys = ["0", "100", (1n << 126n).toString(), half, (3n << 126n).toString(), max];
      for (const key of keys) await put(name, `before-${key}`, key);
      await ok(server, "UpdateShardCount", { StreamName: name, TargetShardCount: 3, ScalingType: "UNIFORM_SCALING" });
      for (const key of keys) await put(name, `after-${key}`, key);
      const read = await readByLineage(client, name, [id(0), id(1)]);
      assert.deepEqual([...read.keys()].sort(), [0, 1, 2, 3, 4, 5, 6].map(id));
      // The intermediate shards 3 and 4 hold nothing.
      assert.deepEqual([read.get(id(3)), read.get(id(4))], [[], []]);
      const all = [...read.values()].flat();
      assert.deepEqual(all.sort(), keys.flatMap((key) => [`before-${key}`, `after-${key}`]).sort());
    });
  });

  describe("writes racing a reshard", () => {
    let holding: HoldingStorage;
    let raced: TestServer;
    let racedClient: KinesisClient;
    before(async () => {
      holding = holdingStorage();
      raced = await startTestServer({ storage: holding.engine });
      racedClient = kinesisClient(raced);
    });
    after(async () => {
      racedClient.destroy();
      await raced.stop();
    });

    it("waits for appends in flight before fixing the parent's end, and routes writes that arrive meanwhile to the children", async () => {
      const name = randomStreamName("lineage-race");
      await ok(raced, "CreateStream", { StreamName: name, ShardCount: 1 });
      const putRaw = (data: string, hashKey: string) =>
        jsonCall(raced.url, "PutRecord", { StreamName: name, PartitionKey: "k", Data: Buffer.from(data).toString("base64"), ExplicitHashKey: hashKey });

      holding.hold();
      const inFlight = ["p0", "p1", "p2", "p3", "p4"].map((data, i) => putRaw(data, i % 2 === 0 ? "0" : max));
      await holding.waitForHeld(5);
      await ok(raced, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: half });
      let described = false;
      const describe = ok(raced, "DescribeStream", { StreamName: name }).then((body) => {
        described = true;
        return body;
      });
      const arriving = ["q0", "q1", "q2", "q3"].map((data, i) => putRaw(data, i % 2 === 0 ? "0" : max));
      await sleep(50);
      // The split cannot take effect while five appends to its parent are unfinished, and the new writes wait for it.
      assert.equal(described, false);
      assert.equal(holding.heldCount(), 5);

      holding.release();
      const first = await Promise.all(inFlight);
      const second = await Promise.all(arriving);
      assert.deepEqual(first.map((response) => response.body.ShardId), [id(0), id(0), id(0), id(0), id(0)]);
      assert.deepEqual(second.map((response) => response.body.ShardId), [id(1), id(2), id(1), id(2)]);
      const shards = (await describe).StreamDescription.Shards;
      assert.equal(decodeSequenceNumber(shards[0].SequenceNumberRange.EndingSequenceNumber)!.offset, 4);
      const parent = await readShard(racedClient, name, id(0));
      assert.deepEqual(parent.data.sort(), ["p0", "p1", "p2", "p3", "p4"]);
      assert.deepEqual((await readShard(racedClient, name, id(1))).data, ["q0", "q2"]);
      assert.deepEqual((await readShard(racedClient, name, id(2))).data, ["q1", "q3"]);
    });
  });

  describe("retention", () => {
    it("keeps a closed shard readable until its records expire, then forgets it", async () => {
      const clock = new ManualClock(Date.now());
      const local = await startTestServer({ clock });
      const localClient = kinesisClient(local);
      try {
        const name = randomStreamName("lineage-expiry");
        await ok(local, "CreateStream", { StreamName: name, ShardCount: 1 });
        await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("old"), ExplicitHashKey: "0" }));
        await ok(local, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: half });
        // The split takes effect at the first look once due (now), closing shard 0 with its record inside.
        assert.equal((await ok(local, "DescribeStream", { StreamName: name })).StreamDescription.Shards.length, 3);
        clock.advance(23 * hourMs);
        assert.deepEqual((await readShard(localClient, name, id(0))).data, ["old"]);
        clock.advance(2 * hourMs);
        const listed = (await ok(local, "ListShards", { StreamName: name })).Shards.map((shard: { ShardId: string }) => shard.ShardId);
        assert.deepEqual(listed, [id(1), id(2)]);
        for (const type of ["TRIM_HORIZON", "LATEST"]) {
          await assertError(local, "GetShardIterator", { StreamName: name, ShardId: id(0), ShardIteratorType: type },
            "ResourceNotFoundException", `Shard ${id(0)} in stream ${name} under account ${local.accountId} does not exist`);
        }
      } finally {
        localClient.destroy();
        await local.stop();
      }
    });
  });

  describe("restarts (embedded engine)", () => {
    it("keep a pending reshard pending, then keep its lineage and ending once it has taken effect", async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "tributary-reshard-"));
      const clock = new ManualClock(Date.now());
      const open = async () => {
        const storage = await createEmbeddedEngine({ dataDir, fsync: "always", clock, random: systemRandom, logger: silentLogger, accountId: defaultStreamsConfig.accountId });
        return startTestServer({ storage, clock, streams: { updateStreamMs: 1000 } });
      };
      const name = randomStreamName("lineage-restart");
      try {
        let local = await open();
        const createdMs = clock.nowMs();
        await ok(local, "CreateStream", { StreamName: name, ShardCount: 1 });
        for (const data of ["a", "b", "c"]) await ok(local, "PutRecord", { StreamName: name, PartitionKey: "k", Data: Buffer.from(data).toString("base64") });
        await ok(local, "SplitShard", { StreamName: name, ShardToSplit: id(0), NewStartingHashKey: half });
        await local.stop();

        local = await open();
        const pending = (await ok(local, "DescribeStream", { StreamName: name })).StreamDescription;
        assert.deepEqual([pending.StreamStatus, pending.Shards.length], ["UPDATING", 1]);
        clock.advance(1000);
        const effectiveMs = clock.nowMs();
        const applied = (await ok(local, "DescribeStream", { StreamName: name })).StreamDescription;
        assert.equal(applied.StreamStatus, "ACTIVE");
        assert.equal(applied.Shards[0].SequenceNumberRange.EndingSequenceNumber, encodeSequenceNumber({ shardEpochSeconds: Math.floor(createdMs / 1000), shardIndex: 0, offset: 2, arrivalMs: effectiveMs }));
        await ok(local, "PutRecord", { StreamName: name, PartitionKey: "k", Data: Buffer.from("d").toString("base64"), ExplicitHashKey: "0" });
        await local.stop();

        local = await open();
        const localClient = kinesisClient(local);
        try {
          assert.deepEqual((await ok(local, "DescribeStream", { StreamName: name })).StreamDescription.Shards, applied.Shards);
          const read = await readByLineage(localClient, name, [id(0)]);
          assert.deepEqual([read.get(id(0)), read.get(id(1)), read.get(id(2))], [["a", "b", "c"], ["d"], []]);
        } finally {
          localClient.destroy();
          await local.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});

interface HoldingStorage {
  engine: StorageEngine;
  /** From now on, appends wait until release(). */
  hold(): void;
  release(): void;
  heldCount(): number;
  waitForHeld(count: number): Promise<void>;
}

/** The memory engine, with appends that can be held in flight. */
function holdingStorage(): HoldingStorage {
  const inner = createMemoryEngine(systemRandom);
  let holdUntil: Promise<void> | undefined;
  let releaseHeld: (() => void) | undefined;
  let held = 0;
  const logs = {
    shard(streamId: string, shardIndex: number): ShardLog {
      const log = inner.logs.shard(streamId, shardIndex);
      return new Proxy(log, {
        get(target, property, receiver) {
          if (property !== "append") return Reflect.get(target, property, receiver);
          return async (records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome> => {
            const waitFor = holdUntil;
            if (waitFor) {
              held++;
              await waitFor;
              held--;
            }
            return target.append(records, arrivalMs);
          };
        },
      });
    },
    dropStream: (streamId: string) => inner.logs.dropStream(streamId),
  };
  return {
    engine: { ...inner, name: "holding-memory", logs },
    hold() {
      holdUntil = new Promise((resolve) => (releaseHeld = resolve));
    },
    release() {
      holdUntil = undefined;
      releaseHeld?.();
    },
    heldCount: () => held,
    async waitForHeld(count) {
      for (let attempt = 0; held < count; attempt++) {
        assert.ok(attempt < 400, `only ${held} appends arrived`);
        await sleep(5);
      }
    },
  };
}
