/**
 * Stream triggers end to end, the scenarios where time or the shards move, only through public
 * clients (see lambda-triggers.test.ts): tumbling windows sum correctly across batches with one
 * final invocation per window; SplitShard and MergeShards mid-run lose and reorder nothing;
 * MaximumRecordAgeInSeconds sends old records to the OnFailure bucket without an invocation. For
 * record age the server's clock jumps two minutes ahead (a real clock plus an offset: timers keep
 * running in real time), which is the only way to have records a minute old in a short test.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListShardsCommand, MergeShardsCommand, SplitShardCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { UpdateEventSourceMappingCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { S3Client } from "@aws-sdk/client-s3";
import { systemClock, type Clock } from "../../src/util/clock.js";
import { waitUntilActive } from "../helpers/streams.js";
import { sleep, waitFor } from "../helpers/wait.js";
import {
  assertEveryKeyInOrder, createMapping, createStream, firstSeenByKey, onFailureRecords, Producer, seenRecords, startTriggerWorld, TriggerSink,
  type KinesisEvent, type TriggerWorld,
} from "./lambda-triggers-fixture.js";

const functionName = "trigger-recorder";
const bucket = "trigger-e2e-aged";

describe("e2e > lambda > stream triggers over time and resharding", () => {
  let world: TriggerWorld;
  let kinesis: KinesisClient;
  let lambda: LambdaClient;
  let s3: S3Client;
  const sink = new TriggerSink();
  let offsetMs = 0;
  const clock: Clock = { ...systemClock, nowMs: () => systemClock.nowMs() + offsetMs };

  before(async () => {
    world = await startTriggerWorld(sink, functionName, { bucket, server: { clock } });
    ({ kinesis, lambda, s3 } = world);
  });
  after(() => world.stop());

  it("tumbling windows on 4 shards: state handed from batch to batch, one final invocation per window and shard, sums right", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-window", 4);
    const handedOver: string[] = [];
    const lastState = new Map<string, string>();
    const finals: { shardId: string; start: string; state: Record<string, number> }[] = [];
    sink.on(streamArn, (event) => {
      const windowKey = `${event.shardId}/${event.window!.start}`;
      const state = { ...event.state };
      const expectedState = lastState.get(windowKey) ?? "{}";
      if (JSON.stringify(state) !== expectedState) handedOver.push(`${windowKey}: got ${JSON.stringify(state)}, expected ${expectedState}`);
      if (event.isFinalInvokeForWindow) {
        finals.push({ shardId: event.shardId!, start: event.window!.start, state });
        // Every answer under tumbling windows carries state (Lambda counts one without it as failed).
        return { result: { state } };
      }
      for (const record of seenRecords(event)) state.sum = (state.sum ?? 0) + record.n;
      state.count = (state.count ?? 0) + event.Records.length;
      lastState.set(windowKey, JSON.stringify(state));
      return { result: { state } };
    });
    await createMapping(lambda, { FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 20, TumblingWindowInSeconds: 1 });
    const producer = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 8, recordsPerRequest: 50 });
    await producer.run(10, 200);
    let expectedSum = 0;
    for (const count of producer.acked.values()) expectedSum += (count * (count - 1)) / 2;
    await waitFor("every window closed", () => finals.reduce((sum, final) => sum + (final.state.count ?? 0), 0) >= producer.ackedTotal, 20_000, 50);
    assert.deepEqual(handedOver, []);
    assert.equal(finals.reduce((sum, final) => sum + (final.state.count ?? 0), 0), producer.ackedTotal);
    assert.equal(finals.reduce((sum, final) => sum + (final.state.sum ?? 0), 0), expectedSum);
    const windows = finals.map((final) => `${final.shardId}/${final.start}`);
    assert.equal(new Set(windows).size, windows.length, "one final invocation per window and shard");
    assert.ok(new Set(finals.map((final) => final.start)).size >= 2, "the load spans several windows");
    assert.equal(new Set(finals.map((final) => final.shardId)).size, 4);
    const first = sink.of(streamArn)[0]!.event;
    assert.deepEqual(Object.keys(first), ["Records", "window", "state", "shardId", "eventSourceARN", "isFinalInvokeForWindow", "isWindowTerminatedEarly"]);
    assert.ok(sink.of(streamArn).every((delivery) => delivery.records.length <= 20));
  });

  it("SplitShard and MergeShards mid-run on a loaded 4-shard stream lose and reorder nothing", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-reshard", 4);
    sink.on(streamArn, async () => {
      await sleep(2);
      return {};
    });
    await createMapping(lambda, { FunctionName: functionName, EventSourceArn: streamArn, StartingPosition: "TRIM_HORIZON", BatchSize: 50 });
    const producer = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 16, recordsPerRequest: 40 });
    const producing = producer.run(30, 20);
    await sleep(250);
    const [first] = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards!;
    const middle = (BigInt(first!.HashKeyRange!.StartingHashKey!) + BigInt(first!.HashKeyRange!.EndingHashKey!)) / 2n;
    await kinesis.send(new SplitShardCommand({ StreamName: streamName, ShardToSplit: first!.ShardId!, NewStartingHashKey: middle.toString() }));
    await waitUntilActive(kinesis, streamName);
    await sleep(250);
    const open = ((await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [])
      .filter((shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined)
      .sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
    await kinesis.send(new MergeShardsCommand({ StreamName: streamName, ShardToMerge: open[2]!.ShardId!, AdjacentShardToMerge: open[3]!.ShardId! }));
    await waitUntilActive(kinesis, streamName);
    await producing;
    await waitFor("every record delivered", () => sink.succeeded(streamArn).length >= producer.ackedTotal, 30_000, 50);
    await sleep(200);
    const records = sink.succeeded(streamArn);
    assert.equal(records.length, producer.ackedTotal);
    assert.equal(new Set(records.map((record) => record.sequenceNumber)).size, records.length, "no record twice");
    assertEveryKeyInOrder(producer.acked, records);
    const shards = new Set(records.map((record) => record.shardId));
    assert.ok(shards.size >= 7, `records came from the parents and the children: ${[...shards].join(", ")}`);
  });

  it("MaximumRecordAgeInSeconds: records past the age go to OnFailure without an invocation, the rest to the function", async () => {
    const { streamName, streamArn } = await createStream(kinesis, "trig-age", 4);
    sink.on(streamArn, () => ({}));
    const uuid = await createMapping(lambda, {
      FunctionName: functionName,
      EventSourceArn: streamArn,
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 100,
      MaximumRecordAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: `arn:aws:s3:::${bucket}` } },
      Enabled: false,
    });
    const old = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 4, recordsPerRequest: 50, data: (_key, n) => JSON.stringify({ n, age: "old" }) });
    await old.run(2);
    offsetMs += 120_000;
    const fresh = new Producer(kinesis, streamName, { writers: 4, keysPerWriter: 4, recordsPerRequest: 50, data: (_key, n) => JSON.stringify({ n, age: "new" }) });
    await fresh.run(2);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));

    const discarded = async () => (await onFailureRecords(s3, bucket, uuid)).reduce((sum, each) => sum + each.record.KinesisBatchInfo.batchSize, 0);
    await waitFor("the old records discarded", async () => (await discarded()) >= old.ackedTotal, 20_000, 100);
    await waitFor("the new records delivered", () => sink.succeeded(streamArn).length >= fresh.ackedTotal, 20_000, 50);
    await sleep(200);

    const delivered = sink.succeeded(streamArn);
    assert.equal(delivered.length, fresh.ackedTotal);
    assert.ok(delivered.every((record) => record.data.includes('"new"')));
    assertEveryKeyInOrder(fresh.acked, delivered);

    const failures = await onFailureRecords(s3, bucket, uuid);
    assert.ok(failures.every(({ record }) => record.requestContext.condition === "RecordAgeExceeded" && record.requestContext.approximateInvokeCount === 0));
    const oldRecords = failures.flatMap(({ record }) => seenRecords(JSON.parse(record.payload) as KinesisEvent));
    assert.equal(oldRecords.length, old.ackedTotal);
    assert.ok(oldRecords.every((record) => record.data.includes('"old"')));
    assert.deepEqual(
      [...firstSeenByKey(oldRecords).entries()].map(([key, numbers]) => [key, numbers.length]).sort(),
      [...old.acked.entries()].sort(),
    );
    for (const { key, record } of failures) assert.match(key, new RegExp(`^aws/lambda/${uuid}/${record.KinesisBatchInfo.shardId}/\\d{4}/\\d{2}/\\d{2}/\\d{4}-\\d{2}-\\d{2}T\\d{2}\\.\\d{2}\\.\\d{2}-[0-9a-f-]{36}$`));
  });
});
