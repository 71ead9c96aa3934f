import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DeleteStreamCommand, DeregisterStreamConsumerCommand, DescribeStreamConsumerCommand, MergeShardsCommand, RegisterStreamConsumerCommand, SplitShardCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { ManualClock } from "../../src/util/clock.js";
import type { ShardPosition, StreamAccess } from "../../src/storage/stream-access.js";
import { accessRecords, createStream, fromView, putRecords, sdkRecords, sdkShards } from "./stream-access-helpers.js";

const limits = { recordsMax: 1000, bytesMax: 10 * 1024 * 1024 };
const shardIds = [0, 1, 2, 3].map((index) => `shardId-00000000000${index}`);
const halfHashKey = (1n << 127n).toString();
const topHashKey = ((1n << 128n) - 1n).toString();

describe("streams > stream access > reshards, deletion, consumers, watches", () => {
  let server: TestServer;
  let client: KinesisClient;
  let access: StreamAccess;
  const clock = new ManualClock(Date.now());
  before(async () => {
    // Reshards take effect a second after they are asked for, so a read can be the first to look at one that is due.
    server = await startTestServer({ clock, streams: { updateStreamMs: 1000 } });
    client = kinesisClient(server);
    access = server.app!.streams.streamAccess;
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const arnOf = (name: string) => `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;

  async function readOk(arn: string, shardId: string, position: ShardPosition, recordsMax = limits.recordsMax) {
    const read = await access.readShard(arn, shardId, position, { recordsMax, bytesMax: limits.bytesMax });
    assert.ok(read.ok, JSON.stringify(read));
    return read;
  }

  it("ends a shard that SplitShard closes mid-read, and shows its children with their parent", async () => {
    const name = randomStreamName("access-split");
    const arn = arnOf(name);
    await createStream(client, name, 1);
    await putRecords(client, name, ["a", "b", "c", "d", "e"]);
    const before = await sdkRecords(client, name, shardIds[0]!, "TRIM_HORIZON");
    const first = await readOk(arn, shardIds[0]!, { type: "TRIM_HORIZON" }, 3);
    assert.deepEqual(first.records.map(fromView), before.slice(0, 3));
    assert.equal(first.shardEnded, false);

    await client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: shardIds[0]!, NewStartingHashKey: halfHashKey }));
    clock.advance(1000);
    // The reshard is due: the read puts it into effect first, so it returns the parent's last records and its end.
    const rest = await readOk(arn, shardIds[0]!, first.next);
    assert.deepEqual(rest.records.map(fromView), before.slice(3));
    assert.equal(rest.shardEnded, true);
    assert.equal(rest.millisBehindLatest, 0);
    await putRecords(client, name, ["low-1", "low-2"], "1");
    await putRecords(client, name, ["high-1"], topHashKey);
    // A read at its end says so again and stays there.
    const atEnd = await readOk(arn, shardIds[0]!, rest.next);
    assert.deepEqual([atEnd.records.length, atEnd.shardEnded], [0, true]);
    assert.equal((await readOk(arn, shardIds[0]!, { type: "LATEST" })).shardEnded, true);

    const view = await access.describeStream(arn);
    assert.ok(view);
    assert.deepEqual(view.shards, await sdkShards(client, name));
    assert.deepEqual(view.shards.map((shard) => [shard.shardId, shard.parentShardId, shard.endingSequenceNumber !== undefined]), [
      [shardIds[0], undefined, true],
      [shardIds[1], shardIds[0], false],
      [shardIds[2], shardIds[0], false],
    ]);
    for (const [shardId, keys] of [[shardIds[1]!, ["low-1", "low-2"]], [shardIds[2]!, ["high-1"]]] as const) {
      const child = await accessRecords(access, arn, shardId, { type: "TRIM_HORIZON" });
      assert.deepEqual(child.records, await sdkRecords(client, name, shardId, "TRIM_HORIZON"));
      assert.deepEqual(child.records.map((record) => record.partitionKey), keys);
      assert.equal(child.last.shardEnded, false);
    }
  });

  it("ends both parents of MergeShards, and shows the child with its parent and adjacent parent", async () => {
    const name = randomStreamName("access-merge");
    const arn = arnOf(name);
    await createStream(client, name, 2);
    await putRecords(client, name, ["l-1", "l-2", "l-3"], "0");
    await putRecords(client, name, ["h-1"], topHashKey);
    const left = await readOk(arn, shardIds[0]!, { type: "TRIM_HORIZON" }, 1);
    const right = await readOk(arn, shardIds[1]!, { type: "LATEST" });
    assert.equal(right.records.length, 0);

    await client.send(new MergeShardsCommand({ StreamName: name, ShardToMerge: shardIds[0]!, AdjacentShardToMerge: shardIds[1]! }));
    clock.advance(1000);
    await putRecords(client, name, ["merged"], "0");

    const leftRest = await readOk(arn, shardIds[0]!, left.next);
    assert.deepEqual(leftRest.records.map((record) => record.partitionKey), ["l-2", "l-3"]);
    assert.equal(leftRest.shardEnded, true);
    // LATEST was resolved before the merge, at the end of h-1: nothing more, and the shard has ended.
    const rightRest = await readOk(arn, shardIds[1]!, right.next);
    assert.deepEqual([rightRest.records.length, rightRest.shardEnded], [0, true]);

    const view = await access.describeStream(arn);
    assert.ok(view);
    assert.deepEqual(view.shards, await sdkShards(client, name));
    const child = view.shards.find((shard) => shard.shardId === shardIds[2]);
    assert.deepEqual([child?.parentShardId, child?.adjacentParentShardId], [shardIds[0], shardIds[1]]);
    const merged = await accessRecords(access, arn, shardIds[2]!, { type: "TRIM_HORIZON" });
    assert.deepEqual(merged.records, await sdkRecords(client, name, shardIds[2]!, "TRIM_HORIZON"));
    assert.deepEqual(merged.records.map((record) => record.partitionKey), ["merged"]);
  });

  it("answers stream-not-found for a deleted stream, and never reads a re-created one through an old cursor", async () => {
    const name = randomStreamName("access-deleted");
    const arn = arnOf(name);
    await createStream(client, name, 1);
    await putRecords(client, name, ["a", "b"]);
    const read = await readOk(arn, shardIds[0]!, { type: "TRIM_HORIZON" }, 1);
    await client.send(new DeleteStreamCommand({ StreamName: name }));
    assert.deepEqual(await access.readShard(arn, shardIds[0]!, read.next, limits), { ok: false, reason: "stream-not-found" });
    assert.deepEqual(await access.readShard(arn, shardIds[0]!, { type: "TRIM_HORIZON" }, limits), { ok: false, reason: "stream-not-found" });
    assert.equal(await access.describeStream(arn), undefined);

    await createStream(client, name, 1);
    await putRecords(client, name, ["new"]);
    assert.deepEqual(await access.readShard(arn, shardIds[0]!, read.next, limits), { ok: false, reason: "shard-not-found" });
    const fresh = await accessRecords(access, arn, shardIds[0]!, { type: "TRIM_HORIZON" });
    assert.deepEqual(fresh.records.map((record) => record.partitionKey), ["new"]);
  });

  it("describes consumers as DescribeStreamConsumer does", async () => {
    const name = randomStreamName("access-consumers");
    await createStream(client, name, 1);
    const registered = (await client.send(new RegisterStreamConsumerCommand({ StreamARN: arnOf(name), ConsumerName: "reader" }))).Consumer!;
    const described = (await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: registered.ConsumerARN }))).ConsumerDescription!;
    assert.deepEqual(await access.describeConsumer(registered.ConsumerARN!), {
      consumerArn: described.ConsumerARN,
      consumerName: "reader",
      streamArn: described.StreamARN,
      status: described.ConsumerStatus,
      createdAtMs: described.ConsumerCreationTimestamp!.getTime(),
    });
    assert.equal(await access.describeConsumer(`${arnOf(name)}/consumer/other:1`), undefined);
    assert.equal(await access.describeConsumer(`${arnOf(randomStreamName("absent"))}/consumer/reader:1`), undefined);
    assert.equal(await access.describeConsumer("arn:aws:kinesis:nowhere"), undefined);
    await client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: registered.ConsumerARN }));
    assert.equal(await access.describeConsumer(registered.ConsumerARN!), undefined);
  });

  it("watches a shard: the listener runs on a put and when a reshard closes the shard, and not after stop", async () => {
    const name = randomStreamName("access-watch");
    const arn = arnOf(name);
    await createStream(client, name, 1);
    let calls = 0;
    const watch = access.watchShard(arn, shardIds[0]!, () => calls++);
    await putRecords(client, name, ["a"]);
    assert.ok(calls >= 1, "a put wakes the watcher");

    calls = 0;
    await client.send(new SplitShardCommand({ StreamName: name, ShardToSplit: shardIds[0]!, NewStartingHashKey: halfHashKey }));
    clock.advance(1000);
    // Looking at the stream puts the due reshard into effect; the shard's close wakes the watcher.
    assert.equal((await access.describeStream(arn))?.shards.length, 3);
    assert.ok(calls >= 1, "the reshard wakes the watcher");
    const ended = await accessRecords(access, arn, shardIds[0]!, { type: "TRIM_HORIZON" });
    assert.equal(ended.last.shardEnded, true);

    watch.stop();
    watch.stop();
    calls = 0;
    let childCalls = 0;
    const childWatch = access.watchShard(arn, shardIds[1]!, () => childCalls++);
    await putRecords(client, name, ["b"], "1");
    assert.equal(childCalls, 1);
    await client.send(new DeleteStreamCommand({ StreamName: name }));
    assert.ok(childCalls >= 2, "a deletion wakes the watcher");
    assert.equal(calls, 0);
    childWatch.stop();
    // Nothing to watch on a stream that is gone: the next read says so.
    access.watchShard(arn, shardIds[0]!, () => assert.fail("called")).stop();
  });
});
