/**
 * Resharding on two Tributary nodes over one engine (two apps, one memory engine whose shard logs
 * seal for every node, test/cluster/cluster-helpers.ts): node A's reshard seals the closing shards
 * before it reads their ends and stores the new map; node B, which routed a write by the old map,
 * meets the seal and sends the records to the children. Every record acknowledged is read back
 * exactly once, and none lies in a parent past its ending sequence number.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordCommand, PutRecordsCommand, SplitShardCommand, UpdateShardCountCommand,
  type KinesisClient, type Shard,
} from "@aws-sdk/client-kinesis";
import { createMemoryEngine } from "../../src/storage/index.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { waitUntilActive } from "../helpers/streams.js";
import { waitFor } from "../helpers/wait.js";
import { nodeEngine, SharedSeals, type ClusterNodeEngine } from "./cluster-helpers.js";

/** Every record of the stream by its data, with the shard it was read from; parents read to their ends. */
async function readAll(kinesis: KinesisClient, streamName: string): Promise<{ shards: Shard[]; records: { data: string; shardId: string; sequenceNumber: string }[] }> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards!;
  const records: { data: string; shardId: string; sequenceNumber: string }[] = [];
  for (const shard of shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator;
    while (iterator !== undefined) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) records.push({ data: Buffer.from(record.Data!).toString("utf8"), shardId: shard.ShardId!, sequenceNumber: record.SequenceNumber! });
      if ((page.Records ?? []).length === 0 && (page.MillisBehindLatest === 0 || page.NextShardIterator === undefined)) break;
      iterator = page.NextShardIterator;
    }
  }
  return { shards, records };
}

describe("cluster > resharding over two nodes", () => {
  const shared = createMemoryEngine(systemRandom);
  const seals = new SharedSeals();
  let nodeA: ClusterNodeEngine;
  let nodeB: ClusterNodeEngine;
  let a: TestServer;
  let b: TestServer;
  let kinesisA: KinesisClient;
  let kinesisB: KinesisClient;
  before(async () => {
    nodeA = nodeEngine(shared, seals);
    nodeB = nodeEngine(shared, seals);
    a = await startTestServer({ storage: nodeA.engine, random: new SeededRandom(1) });
    b = await startTestServer({ storage: nodeB.engine, random: new SeededRandom(2) });
    kinesisA = kinesisClient(a);
    kinesisB = kinesisClient(b);
  });
  after(async () => {
    await a.stop();
    await b.stop();
  });

  it("sends a write routed by the old map to the children once node A's reshard sealed the parent", async () => {
    const streamName = randomStreamName("cluster-split");
    await kinesisA.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 1 }));
    await waitUntilActive(kinesisA, streamName);
    await kinesisB.send(new PutRecordsCommand({ StreamName: streamName, Records: [{ PartitionKey: "k", Data: Buffer.from("before") }] }));

    // B routes by the one-shard map; its appends wait on their way to the log.
    const hold = nodeB.holdAppends();
    const putRecords = kinesisB.send(new PutRecordsCommand({ StreamName: streamName, Records: Array.from({ length: 20 }, (_, index) => ({ PartitionKey: `key-${index}`, Data: Buffer.from(`batch-${index}`) })) }));
    const putRecord = kinesisB.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "single", Data: Buffer.from("single") }));
    await waitFor("node B's appends are on their way", () => hold.held() === 2);

    await kinesisA.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (2n ** 127n).toString() }));
    await waitFor("the split is in effect", async () => (await kinesisA.send(new ListShardsCommand({ StreamName: streamName }))).Shards!.length === 3);
    const refusedBefore = seals.refused;
    hold.release();
    const [batch, single] = await Promise.all([putRecords, putRecord]);
    assert.equal(seals.refused - refusedBefore, 2, "both appends met the sealed parent");
    assert.equal(batch.FailedRecordCount, 0);
    for (const entry of batch.Records!) assert.notEqual(entry.ShardId, "shardId-000000000000", "routed again to a child");
    assert.notEqual(single.ShardId, "shardId-000000000000");

    const { shards, records } = await readAll(kinesisA, streamName);
    const parent = shards.find((shard) => shard.ShardId === "shardId-000000000000")!;
    assert.deepEqual(records.filter((record) => record.shardId === parent.ShardId).map((record) => record.data), ["before"]);
    const acknowledged = new Map(batch.Records!.map((entry, index) => [`batch-${index}`, entry.SequenceNumber!]));
    acknowledged.set("single", single.SequenceNumber!);
    for (const [data, sequenceNumber] of acknowledged) {
      const found = records.filter((record) => record.data === data);
      assert.equal(found.length, 1, `${data} read once`);
      assert.equal(found[0]!.sequenceNumber, sequenceNumber);
    }
  });

  it("keeps every record acknowledged through both nodes exactly once while node A reshards under continuous writes", async () => {
    const streamName = randomStreamName("cluster-scale");
    await kinesisA.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: 2 }));
    await waitUntilActive(kinesisA, streamName);
    const acknowledged = new Map<string, string>();
    let writing = true;
    const writer = async (kinesis: KinesisClient, node: string) => {
      for (let call = 0; writing || call < 3; call++) {
        const data = Array.from({ length: 25 }, (_, index) => `${node}-${call}-${index}`);
        const answer = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: data.map((each) => ({ PartitionKey: each, Data: Buffer.from(each) })) }));
        answer.Records!.forEach((entry, index) => {
          if (entry.SequenceNumber !== undefined) acknowledged.set(data[index]!, entry.SequenceNumber);
        });
      }
    };
    const writers = [writer(kinesisA, "a"), writer(kinesisB, "b")];
    await kinesisA.send(new UpdateShardCountCommand({ StreamName: streamName, TargetShardCount: 4, ScalingType: "UNIFORM_SCALING" }));
    await waitFor("the scaling is in effect", async () => (await kinesisB.send(new ListShardsCommand({ StreamName: streamName }))).Shards!.filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined).length === 4);
    writing = false;
    await Promise.all(writers);

    const { records } = await readAll(kinesisB, streamName);
    const counts = new Map<string, number>();
    for (const record of records) counts.set(record.data, (counts.get(record.data) ?? 0) + 1);
    assert.ok(acknowledged.size >= 150);
    for (const [data, sequenceNumber] of acknowledged) {
      assert.equal(counts.get(data), 1, `${data} read exactly once`);
      assert.ok(records.some((record) => record.data === data && record.sequenceNumber === sequenceNumber));
    }
  });
});
