import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, SplitShardCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { ensureStreamConsumer, FanOutFetcher, type FanOutFetcherOptions } from "../../src/client/consumer/retrieval/fanout-fetcher.js";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { guardMs, putAggregate, putPlain, readRecords, sentinel, shardIdOf, text } from "./retrieval-helpers.js";
import { sleep } from "../helpers/wait.js";


describe("consumer > retrieval > fan-out", () => {
  let server: TestServer;
  let client: KinesisClient;
  const fetchers: FanOutFetcher[] = [];

  /** A new one-shard stream (or more) with a registered, ACTIVE consumer. */
  const setup = async (shards = 1) => {
    const stream = randomStreamName("fanout");
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
    const streamARN = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
    const consumerARN = await ensureStreamConsumer({ kinesis: client, streamARN, consumerName: "app" });
    return { stream, streamARN, consumerARN };
  };
  const fetcher = (target: { streamARN: string; consumerARN: string }, options: Partial<FanOutFetcherOptions> = {}) => {
    const created = new FanOutFetcher({
      kinesis: client,
      ...target,
      shardId: shardIdOf(0),
      checkpoint: sentinel("TRIM_HORIZON"),
      initialPosition: { type: "TRIM_HORIZON" },
      ...options,
    });
    fetchers.push(created);
    return created;
  };
  const waitSubscribed = async (subscribed: FanOutFetcher) => {
    const deadline = Date.now() + guardMs;
    while (subscribed.stats.subscriptions === 0) {
      assert.ok(Date.now() < deadline, "no subscription");
      await sleep(10);
    }
  };

  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    client.destroy();
    await server.stop();
  });

  it("consumer > retrieval > fan-out > ensureStreamConsumer registers once, waits for ACTIVE, and finds it again", async () => {
    const stream = randomStreamName("fanout-register");
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const streamARN = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!.StreamARN!;
    // Three workers at once: one registers, the others find (or lose the race to) its consumer.
    const arns = await Promise.all([1, 2, 3].map(() => ensureStreamConsumer({ kinesis: client, streamARN, consumerName: "workers" })));
    assert.equal(new Set(arns).size, 1);
    const described = await client.send(new DescribeStreamConsumerCommand({ ConsumerARN: arns[0] }));
    assert.equal(described.ConsumerDescription!.ConsumerStatus, "ACTIVE");
    assert.equal(described.ConsumerDescription!.ConsumerName, "workers");
    assert.equal(await ensureStreamConsumer({ kinesis: client, streamARN, consumerName: "workers" }), arns[0]);
  });

  it("consumer > retrieval > fan-out > reads plain and aggregated records from TRIM_HORIZON, in order", async () => {
    const target = await setup();
    const first = await putPlain(client, target.stream, ["p0", "p1"]);
    const aggregate = await putAggregate(client, target.stream, ["a0", "a1", "a2"]);
    await putPlain(client, target.stream, ["p2"]);
    const { records, batches } = await readRecords(fetcher(target), 6);
    assert.deepEqual(records.map(text), ["p0", "p1", "a0", "a1", "a2", "p2"]);
    assert.deepEqual(records.slice(0, 5).map((r) => [r.SequenceNumber, r.SubSequenceNumber]), [
      [first[0], 0], [first[1], 0], [aggregate, 0], [aggregate, 1], [aggregate, 2],
    ]);
    assert.ok(batches.every((batch) => typeof batch.millisBehindLatest === "number"), "every event carries MillisBehindLatest");
  });

  it("consumer > retrieval > fan-out > LATEST starts at the subscription", async () => {
    const target = await setup();
    await putPlain(client, target.stream, ["old"]);
    const latest = fetcher(target, { checkpoint: sentinel("LATEST"), initialPosition: { type: "LATEST" } });
    const reading = readRecords(latest, 2);
    await waitSubscribed(latest);
    await putPlain(client, target.stream, ["new0", "new1"]);
    assert.deepEqual((await reading).records.map(text), ["new0", "new1"]);
  });

  it("consumer > retrieval > fan-out > AT_TIMESTAMP starts at the first record that arrived at or after it", async () => {
    const target = await setup();
    await putPlain(client, target.stream, ["before"]);
    await sleep(30);
    const timestamp = new Date();
    await sleep(30);
    await putPlain(client, target.stream, ["after0", "after1"]);
    const at = fetcher(target, { checkpoint: sentinel("AT_TIMESTAMP"), initialPosition: { type: "AT_TIMESTAMP", timestamp } });
    assert.deepEqual((await readRecords(at, 2)).records.map(text), ["after0", "after1"]);
  });

  it("consumer > retrieval > fan-out > a checkpoint inside an aggregate resumes at its next sub-record", async () => {
    const target = await setup();
    await putPlain(client, target.stream, ["p0"]);
    const aggregate = await putAggregate(client, target.stream, ["a0", "a1", "a2", "a3"]);
    await putPlain(client, target.stream, ["p1"]);
    const mid = fetcher(target, { checkpoint: { sequenceNumber: aggregate, subSequenceNumber: 1 } });
    const { records } = await readRecords(mid, 3);
    assert.deepEqual(records.map(text), ["a2", "a3", "p1"]);
    assert.deepEqual(records.map((r) => r.SubSequenceNumber), [2, 3, 0]);
  });

  it("consumer > retrieval > fan-out > the shard's end after SplitShard names its children", async () => {
    const target = await setup();
    await putPlain(client, target.stream, ["before0", "before1"]);
    await client.send(new SplitShardCommand({ StreamName: target.stream, ShardToSplit: shardIdOf(0), NewStartingHashKey: (1n << 127n).toString() }));
    await putPlain(client, target.stream, ["child0"]);
    const ending = fetcher(target);
    const { records, batches } = await readRecords(ending, Infinity);
    assert.deepEqual(records.map(text), ["before0", "before1"]);
    assert.deepEqual(batches[batches.length - 1]!.shardEnd, { childShardIds: [shardIdOf(1), shardIdOf(2)] });
    // Asked again after the end, it says the same without subscribing again.
    const calls = ending.stats.subscribeCalls;
    assert.deepEqual((await ending.next()).shardEnd, { childShardIds: [shardIdOf(1), shardIdOf(2)] });
    assert.equal(ending.stats.subscribeCalls, calls);
  });

  it("consumer > retrieval > fan-out > close() ends a pending next()", async () => {
    const target = await setup();
    const waiting = fetcher(target, { checkpoint: sentinel("LATEST"), initialPosition: { type: "LATEST" } });
    const pending = waiting.next();
    await waitSubscribed(waiting);
    await waiting.close();
    await assert.rejects(pending, { name: "ConsumerError", code: "FetcherClosed" });
  });

  it("consumer > retrieval > fan-out > a deleted consumer rejects next()", async () => {
    const target = await setup();
    const missing = fetcher({ streamARN: target.streamARN, consumerARN: `${target.streamARN}/consumer/nobody:1700000000` });
    await assert.rejects(missing.next(), { name: "ResourceNotFoundException" });
  });
});
