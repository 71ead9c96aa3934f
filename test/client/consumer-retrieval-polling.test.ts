import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, ExpiredIteratorException, ListShardsCommand, MergeShardsCommand, PutRecordCommand, SplitShardCommand,
  KinesisClient,
} from "@aws-sdk/client-kinesis";
import { aggregateRecords } from "../../src/client/kpl/index.js";
import { PollingFetcher, type PollingFetcherOptions } from "../../src/client/consumer/retrieval/polling-fetcher.js";
import type { InitialPosition } from "../../src/client/consumer/types.js";
import { hashPartitionKey } from "../../src/core/hash-key.js";
import { systemClock } from "../../src/util/clock.js";
import { putAggregate, putPlain, readRecords, sentinel, shardIdOf, text } from "./retrieval-helpers.js";
import { exampleCredentials, kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";

async function createStream(client: KinesisClient, shards = 1): Promise<string> {
  const name = randomStreamName("polling");
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  return name;
}

describe("consumer > retrieval > polling", () => {
  let server: TestServer;
  let client: KinesisClient;
  /** Added to the server's clock: moving it ages every iterator at once. */
  let clockOffsetMs = 0;
  const fetchers: PollingFetcher[] = [];

  const fetcher = (stream: string, options: Partial<PollingFetcherOptions> & { initialPosition?: InitialPosition } = {}) => {
    const created = new PollingFetcher({
      kinesis: client,
      stream: { StreamName: stream },
      shardId: shardIdOf(0),
      checkpoint: sentinel("TRIM_HORIZON"),
      initialPosition: { type: "TRIM_HORIZON" },
      idleTimeBetweenReadsMs: 20,
      ...options,
    });
    fetchers.push(created);
    return created;
  };

  before(async () => {
    server = await startTestServer({ clock: { ...systemClock, nowMs: () => Date.now() + clockOffsetMs } });
    client = kinesisClient(server);
  });
  after(async () => {
    await Promise.all(fetchers.map((f) => f.close()));
    client.destroy();
    await server.stop();
  });

  it("consumer > retrieval > polling > reads plain and aggregated records from TRIM_HORIZON, in order, with sub-sequence numbers", async () => {
    const stream = await createStream(client);
    const first = await putPlain(client, stream, ["p0", "p1"]);
    const aggregate = await putAggregate(client, stream, ["a0", "a1", "a2"]);
    const last = await putPlain(client, stream, ["p2"]);
    const { records } = await readRecords(fetcher(stream), 6);
    assert.deepEqual(records.map(text), ["p0", "p1", "a0", "a1", "a2", "p2"]);
    assert.deepEqual(
      records.map((r) => [r.SequenceNumber, r.SubSequenceNumber, r.aggregated]),
      [[first[0], 0, false], [first[1], 0, false], [aggregate, 0, true], [aggregate, 1, true], [aggregate, 2, true], [last[0], 0, false]],
    );
    assert.deepEqual(records.map((r) => r.PartitionKey), ["p0", "p1", "a0", "a1", "a2", "p2"]);
  });

  it("consumer > retrieval > polling > LATEST skips what was written before the first read", async () => {
    const stream = await createStream(client);
    await putPlain(client, stream, ["old"]);
    const latest = fetcher(stream, { checkpoint: sentinel("LATEST"), initialPosition: { type: "LATEST" } });
    const empty = await latest.next();
    assert.deepEqual(empty.records, []);
    assert.equal(empty.shardEnd, undefined);
    await putPlain(client, stream, ["new0", "new1"]);
    const { records } = await readRecords(latest, 2);
    assert.deepEqual(records.map(text), ["new0", "new1"]);
  });

  it("consumer > retrieval > polling > AT_TIMESTAMP starts at the first record that arrived at or after it", async () => {
    const stream = await createStream(client);
    await putPlain(client, stream, ["before0", "before1"]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const timestamp = new Date(Date.now() + clockOffsetMs);
    await new Promise((resolve) => setTimeout(resolve, 30));
    await putPlain(client, stream, ["after0", "after1"]);
    const atTimestamp = fetcher(stream, { checkpoint: sentinel("AT_TIMESTAMP"), initialPosition: { type: "AT_TIMESTAMP", timestamp } });
    const { records } = await readRecords(atTimestamp, 2);
    assert.deepEqual(records.map(text), ["after0", "after1"]);
  });

  it("consumer > retrieval > polling > a checkpoint inside an aggregate resumes at its next sub-record", async () => {
    const stream = await createStream(client);
    await putPlain(client, stream, ["p0"]);
    const aggregate = await putAggregate(client, stream, ["a0", "a1", "a2", "a3"]);
    await putPlain(client, stream, ["p1"]);
    const mid = fetcher(stream, { checkpoint: { sequenceNumber: aggregate, subSequenceNumber: 1 } });
    const { records } = await readRecords(mid, 3);
    assert.deepEqual(records.map(text), ["a2", "a3", "p1"]);
    assert.deepEqual(records.slice(0, 2).map((r) => r.SubSequenceNumber), [2, 3]);
    // At the aggregate's last sub-record: everything in it is done.
    const end = fetcher(stream, { checkpoint: { sequenceNumber: aggregate, subSequenceNumber: 3 } });
    assert.deepEqual((await readRecords(end, 1)).records.map(text), ["p1"]);
  });

  it("consumer > retrieval > polling > a checkpoint at a plain record resumes after it", async () => {
    const stream = await createStream(client);
    const sequenceNumbers = await putPlain(client, stream, ["r0", "r1", "r2"]);
    const resumed = fetcher(stream, { checkpoint: { sequenceNumber: sequenceNumbers[0]!, subSequenceNumber: 0 } });
    assert.deepEqual((await readRecords(resumed, 2)).records.map(text), ["r1", "r2"]);
  });

  it("consumer > retrieval > polling > drops aggregated sub-records whose hash key is outside the shard", async () => {
    const stream = await createStream(client, 2);
    const shards = (await client.send(new ListShardsCommand({ StreamName: stream }))).Shards!;
    const range = shards[0]!.HashKeyRange!;
    const inside = "5";
    const outside = (BigInt(range.EndingHashKey!) + 1n).toString();
    // Sub-records without an explicit hash key are placed by the MD5 of their partition key: one of each side.
    const keys = Array.from({ length: 50 }, (_, i) => `key-${i}`);
    const keyIn = keys.find((key) => hashPartitionKey(key) <= BigInt(range.EndingHashKey!))!;
    const keyOut = keys.find((key) => hashPartitionKey(key) > BigInt(range.EndingHashKey!))!;
    const [entry] = aggregateRecords([
      { PartitionKey: "ehk-in", ExplicitHashKey: inside, Data: Buffer.from("ehk-in") },
      { PartitionKey: "ehk-out", ExplicitHashKey: outside, Data: Buffer.from("ehk-out") },
      { PartitionKey: keyIn, Data: Buffer.from("md5-in") },
      { PartitionKey: keyOut, Data: Buffer.from("md5-out") },
    ]);
    await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: entry!.PartitionKey, Data: entry!.Data, ExplicitHashKey: "0" }));
    const filtered = fetcher(stream, { hashKeyRange: { startingHashKey: range.StartingHashKey!, endingHashKey: range.EndingHashKey! } });
    const { records } = await readRecords(filtered, 2);
    assert.deepEqual(records.map(text), ["ehk-in", "md5-in"]);
    assert.deepEqual(records.map((r) => r.SubSequenceNumber), [0, 2]);
    // Without a range nothing is dropped.
    assert.deepEqual((await readRecords(fetcher(stream), 4)).records.map(text), ["ehk-in", "ehk-out", "md5-in", "md5-out"]);
  });

  it("consumer > retrieval > polling > an empty read waits idleTimeBetweenReadsMs and returns an empty batch", async () => {
    const stream = await createStream(client);
    const idle = fetcher(stream, { idleTimeBetweenReadsMs: 200 });
    const startedMs = Date.now();
    const batch = await idle.next();
    assert.deepEqual(batch.records, []);
    assert.equal(batch.shardEnd, undefined);
    assert.ok(Date.now() - startedMs >= 190, "the empty read waited before returning");
    assert.equal(idle.stats.getRecordsCalls, 1);
  });

  it("consumer > retrieval > polling > an expired iterator is replaced after the last record seen: nothing lost or repeated", async () => {
    const stream = await createStream(client);
    await putPlain(client, stream, ["e0", "e1"]);
    const expiring = fetcher(stream, { maxRecords: 1 });
    const first = await expiring.next();
    assert.deepEqual(first.records.map(text), ["e0"]);
    clockOffsetMs += 6 * 60 * 1000; // past AWS's 5-minute iterator lifetime
    try {
      await putPlain(client, stream, ["e2"]);
      const { records } = await readRecords(expiring, 2);
      assert.deepEqual(records.map(text), ["e1", "e2"]);
      assert.equal(expiring.stats.iteratorsExpired, 1);
    } finally {
      clockOffsetMs -= 6 * 60 * 1000;
    }
  });

  it("consumer > retrieval > polling > an iterator that expires before any record was seen restarts at the checkpoint", async () => {
    const stream = await createStream(client);
    const aggregate = await putAggregate(client, stream, ["x0", "x1", "x2"]);
    // A client whose first GetRecords answers ExpiredIteratorException, as a slow first read would get.
    const expiring = kinesisClient(server);
    let expired = 0;
    expiring.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetRecordsCommand" && expired === 0) {
          expired++;
          throw new ExpiredIteratorException({ message: "Iterator expired.", $metadata: { httpStatusCode: 400 } });
        }
        return next(args);
      },
      { step: "initialize", name: "expireOnce" },
    );
    try {
      const resumed = fetcher(stream, { kinesis: expiring, checkpoint: { sequenceNumber: aggregate, subSequenceNumber: 0 } });
      const { records } = await readRecords(resumed, 2);
      assert.deepEqual(records.map(text), ["x1", "x2"]);
      assert.equal(resumed.stats.iteratorsExpired, 1);
      assert.equal(expired, 1);
    } finally {
      expiring.destroy();
    }
  });

  it("consumer > retrieval > polling > the shard's end after SplitShard names its children", async () => {
    const stream = await createStream(client);
    await putPlain(client, stream, ["before0", "before1"]);
    await client.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shardIdOf(0), NewStartingHashKey: (1n << 127n).toString() }));
    await putPlain(client, stream, ["child0"]);
    const { records, batches } = await readRecords(fetcher(stream), Infinity);
    assert.deepEqual(records.map(text), ["before0", "before1"]);
    assert.deepEqual(batches[batches.length - 1]!.shardEnd, { childShardIds: [shardIdOf(1), shardIdOf(2)] });
    assert.ok(batches.slice(0, -1).every((batch) => batch.shardEnd === undefined), "only the last batch ends the shard");
  });

  it("consumer > retrieval > polling > without ChildShards in the response, the children come from ListShards", async () => {
    const stream = await createStream(client, 2);
    await putPlain(client, stream, ["m0"]);
    await client.send(new MergeShardsCommand({ StreamName: stream, ShardToMerge: shardIdOf(0), AdjacentShardToMerge: shardIdOf(1) }));
    // A client whose GetRecords answers lose ChildShards, as an older service's would.
    const stripped = kinesisClient(server);
    stripped.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === "GetRecordsCommand") delete (out.output as { ChildShards?: unknown }).ChildShards;
        return out;
      },
      { step: "initialize", name: "stripChildShards" },
    );
    try {
      for (const shardId of [shardIdOf(0), shardIdOf(1)]) {
        const { batches } = await readRecords(fetcher(stream, { kinesis: stripped, shardId }), Infinity);
        assert.deepEqual(batches[batches.length - 1]!.shardEnd, { childShardIds: [shardIdOf(2)] }, shardId);
      }
    } finally {
      stripped.destroy();
    }
  });

  it("consumer > retrieval > polling > close() ends a pending next()", async () => {
    const stream = await createStream(client);
    const idle = fetcher(stream, { idleTimeBetweenReadsMs: 60_000 });
    const pending = idle.next();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await idle.close();
    await assert.rejects(pending, { name: "ConsumerError", code: "FetcherClosed" });
  });
});

describe("consumer > retrieval > polling > throttling", () => {
  let server: TestServer;
  let client: KinesisClient;

  before(async () => {
    server = await startTestServer({ limits: "aws" });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  const readThrottled = async (kinesis: KinesisClient) => {
    const stream = randomStreamName("throttled");
    await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    const values = Array.from({ length: 12 }, (_, i) => `t${i}`);
    await putPlain(client, stream, values);
    const throttled = new PollingFetcher({
      kinesis,
      stream: { StreamName: stream },
      shardId: shardIdOf(0),
      checkpoint: sentinel("TRIM_HORIZON"),
      initialPosition: { type: "TRIM_HORIZON" },
      maxRecords: 1,
      idleTimeBetweenReadsMs: 0,
    });
    try {
      const { records } = await readRecords(throttled, values.length);
      assert.deepEqual(records.map(text), values);
      return throttled.stats;
    } finally {
      await throttled.close();
    }
  };

  it("consumer > retrieval > polling > throttling > more than 5 GetRecords a second back off and lose nothing", async () => {
    // The SDK retries throttling itself (3 attempts by default); with one attempt, every
    // ProvisionedThroughputExceededException reaches the fetcher, whose backoff is under test.
    const oneAttempt = new KinesisClient({ endpoint: server.url, region: server.region, credentials: exampleCredentials, maxAttempts: 1 });
    try {
      const stats = await readThrottled(oneAttempt);
      assert.ok(stats.throttled > 0, "the service throttled some GetRecords");
      assert.equal(stats.getRecordsCalls, 12 + stats.throttled);
    } finally {
      oneAttempt.destroy();
    }
  });

  it("consumer > retrieval > polling > throttling > with the SDK's default retries too", async () => {
    await readThrottled(client);
  });
});
