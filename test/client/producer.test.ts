/**
 * The producer end to end against a Tributary server through the AWS SDK: batching, aggregation
 * read back with GetRecords and de-aggregated, retries under the server's fault injection and its
 * AWS limits, per-key order under retries, flush/close, and backpressure.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand, SplitShardCommand,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";
import { rawRequest } from "../helpers/raw.js";
import { createActiveStream, waitUntilActive } from "../helpers/streams.js";
import { sleep } from "../helpers/wait.js";
import { deaggregate, Producer, ProducerError, type ProducerOptions, type PutResult, type UserRecord } from "../../src/client/index.js";
import { hashPartitionKey } from "../../src/core/hash-key.js";
import { SeededRandom } from "../../src/util/random.js";

let server: TestServer;
let limited: TestServer;
let client: KinesisClient;
let limitedClient: KinesisClient;

before(async () => {
  server = await startTestServer();
  limited = await startTestServer({ limits: "aws" });
  client = kinesisClient(server);
  limitedClient = kinesisClient(limited);
});

after(async () => {
  client.destroy();
  limitedClient.destroy();
  await server.stop();
  await limited.stop();
});

async function createStream(target: KinesisClient, shardCount = 1): Promise<string> {
  const name = randomStreamName("producer");
  await createActiveStream(target, name, shardCount);
  return name;
}

/** Every record of every shard, by shard, in shard order. */
async function readStream(target: KinesisClient, streamName: string): Promise<Map<string, _Record[]>> {
  const { Shards } = await target.send(new ListShardsCommand({ StreamName: streamName }));
  const byShard = new Map<string, _Record[]>();
  for (const shard of Shards ?? []) {
    const records: _Record[] = [];
    let { ShardIterator } = await target.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
    while (ShardIterator) {
      const page = await target.send(new GetRecordsCommand({ ShardIterator }));
      records.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      ShardIterator = page.NextShardIterator;
    }
    byShard.set(shard.ShardId!, records);
  }
  return byShard;
}

/** The user records of a stream, de-aggregated, tagged with their shard. */
async function readUserRecords(target: KinesisClient, streamName: string): Promise<Array<UserRecord & { ShardId: string }>> {
  const users: Array<UserRecord & { ShardId: string }> = [];
  for (const [shardId, records] of await readStream(target, streamName)) {
    for (const record of records) {
      for (const user of deaggregate(record)) users.push({ ...user, ShardId: shardId });
    }
  }
  return users;
}

/** Counts the entries of each PutRecords call the client sends. */
function countPutRecords(target: KinesisClient): number[] {
  const calls: number[] = [];
  target.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "PutRecordsCommand") calls.push((args.input as { Records: unknown[] }).Records.length);
      return next(args);
    },
    { step: "initialize" },
  );
  return calls;
}

async function installFaults(target: TestServer, rules: unknown[], seed = 1): Promise<void> {
  const response = await rawRequest(target.url, JSON.stringify({ seed, rules }), { method: "PUT", path: "/_tributary/faults", contentType: "application/json" });
  assert.equal(response.statusCode, 200, JSON.stringify(response.body));
}

async function clearFaults(target: TestServer): Promise<void> {
  await rawRequest(target.url, "", { method: "DELETE", path: "/_tributary/faults", contentType: "application/json" });
}

/** An SDK client with its own retries off, so every failure reaches the producer. */
function clientWithoutRetries(target: TestServer): KinesisClient {
  return new KinesisClient({ endpoint: target.url, region: target.region, credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }, maxAttempts: 1 });
}

const data = (text: string) => Buffer.from(text);

function producer(options: Partial<ProducerOptions> & Pick<ProducerOptions, "StreamName">): Producer {
  return new Producer({ client, random: new SeededRandom(3), backoffMsBase: 5, backoffMsMax: 50, ...options });
}

describe("client > producer > batching", () => {
  it("sends full batches at once and the rest on flush, and acknowledges each record with where it went", async () => {
    const target = kinesisClient(server);
    const calls = countPutRecords(target);
    const StreamName = await createStream(target);
    const p = producer({ client: target, StreamName, batchRecordsMax: 10, lingerMs: 60_000 });
    const puts = Array.from({ length: 25 }, (_, i) => p.put({ PartitionKey: `k${i}`, Data: data(`record ${i}`) }));
    await p.flush();
    const results = await Promise.all(puts);
    assert.deepEqual(calls, [10, 10, 5]);
    const stored = (await readStream(target, StreamName)).get("shardId-000000000000")!;
    assert.deepEqual(results.map((result) => result.SequenceNumber), stored.map((record) => record.SequenceNumber));
    assert.deepEqual(stored.map((record) => Buffer.from(record.Data!).toString()), Array.from({ length: 25 }, (_, i) => `record ${i}`));
    assert.ok(results.every((result) => result.ShardId === "shardId-000000000000" && result.attempts === 1 && result.SubSequenceNumber === undefined));
    await p.close();
    target.destroy();
  });

  it("caps a batch's bytes (data plus partition keys)", async () => {
    const target = kinesisClient(server);
    const calls = countPutRecords(target);
    const StreamName = await createStream(target);
    const p = producer({ client: target, StreamName, batchBytesMax: 1000, lingerMs: 60_000 });
    const puts = Array.from({ length: 7 }, (_, i) => p.put({ PartitionKey: "k", Data: Buffer.alloc(299, i) }));
    await p.close();
    await Promise.all(puts);
    assert.deepEqual(calls, [3, 3, 1]);
    target.destroy();
  });

  it("sends a lingering batch on its own once lingerMs has passed", async () => {
    const target = kinesisClient(server);
    const calls = countPutRecords(target);
    const StreamName = await createStream(target);
    const p = producer({ client: target, StreamName, lingerMs: 20 });
    const results = await Promise.all([1, 2, 3].map((i) => p.put({ PartitionKey: `k${i}`, Data: data(String(i)) })));
    assert.equal(results.length, 3);
    assert.deepEqual(calls, [3]);
    await p.close();
    target.destroy();
  });
});

describe("client > producer > aggregation", () => {
  it("packs records per shard into KPL aggregates that GetRecords plus deaggregate give back in order", async () => {
    const StreamName = await createStream(client, 3);
    const p = producer({ StreamName, aggregate: true, lingerMs: 60_000 });
    const random = new SeededRandom(9);
    const records = Array.from({ length: 300 }, (_, i) => ({ PartitionKey: `key-${random.int(25)}`, Data: data(`payload ${i}`) }));
    const puts = records.map((record) => p.put(record));
    await p.close();
    const results = await Promise.all(puts);
    const stored = await readStream(client, StreamName);
    const kinesisRecordCount = [...stored.values()].reduce((sum, shard) => sum + shard.length, 0);
    assert.ok(kinesisRecordCount <= 3, `${kinesisRecordCount} Kinesis records for 300 user records`);
    const users = await readUserRecords(client, StreamName);
    assert.equal(users.length, records.length);
    assert.ok(users.every((user) => user.aggregated));
    // Each user record sits on the shard its own hash key maps to (what the KCL's shard filter checks).
    const { Shards } = await client.send(new ListShardsCommand({ StreamName }));
    for (const user of users) {
      const shard = Shards!.find((candidate) => candidate.ShardId === user.ShardId)!;
      const hashKey = hashPartitionKey(user.PartitionKey);
      assert.ok(BigInt(shard.HashKeyRange!.StartingHashKey!) <= hashKey && hashKey <= BigInt(shard.HashKeyRange!.EndingHashKey!));
    }
    // The acknowledgements name the aggregate and the place in it that GetRecords shows.
    const found = new Map(users.map((user) => [`${user.SequenceNumber}/${user.SubSequenceNumber}`, Buffer.from(user.Data).toString()]));
    results.forEach((result, i) => {
      assert.equal(found.get(`${result.SequenceNumber}/${result.SubSequenceNumber}`), `payload ${i}`);
    });
    // Within a key, the order of put.
    for (let key = 0; key < 25; key++) {
      const expected = records.filter((record) => record.PartitionKey === `key-${key}`).map((record) => record.Data.toString());
      assert.deepEqual(users.filter((user) => user.PartitionKey === `key-${key}`).map((user) => Buffer.from(user.Data).toString()), expected);
    }
  });

  it("after a reshard, puts an aggregate that landed on an unpredicted shard again, regrouped by the new shards", async () => {
    const StreamName = await createStream(client, 1);
    const p = producer({ StreamName, aggregate: true, lingerMs: 60_000 });
    const first = p.put({ PartitionKey: "before", Data: data("before") }); // loads the one-shard map
    await p.flush();
    assert.equal((await first).ShardId, "shardId-000000000000");
    await client.send(new SplitShardCommand({ StreamName, ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
    await waitUntilActive(client, StreamName);
    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    const puts = keys.map((key) => p.put({ PartitionKey: key, Data: data(key) }));
    await p.close();
    const results = await Promise.all(puts);
    assert.ok(results.every((result) => result.ShardId !== "shardId-000000000000"), "everything after the split goes to the children");
    assert.ok(results.some((result) => result.attempts === 2), "the first aggregate, grouped by the stale map, went again");
    // What a KCL reader keeps: user records inside the hash key range of the shard they were read from.
    const { Shards } = await client.send(new ListShardsCommand({ StreamName }));
    const kept = (await readUserRecords(client, StreamName)).filter((user) => {
      const range = Shards!.find((shard) => shard.ShardId === user.ShardId)!.HashKeyRange!;
      const hashKey = hashPartitionKey(user.PartitionKey);
      return BigInt(range.StartingHashKey!) <= hashKey && hashKey <= BigInt(range.EndingHashKey!);
    });
    for (const key of keys) assert.equal(kept.filter((user) => user.PartitionKey === key).length >= 1, true, `${key} is readable from its shard`);
  });
});

describe("client > producer > retries", () => {
  it("retries the failed entries of a partially failed PutRecords, writing each record once", async () => {
    const StreamName = await createStream(client);
    await installFaults(server, [{ action: "PutRecords", stream: StreamName, fault: "partial-failure", fraction: 0.5, schedule: { calls: [1, 2] } }]);
    try {
      const p = producer({ StreamName, lingerMs: 60_000 });
      const puts = Array.from({ length: 40 }, (_, i) => p.put({ PartitionKey: `k${i}`, Data: data(`r${i}`) }));
      await p.close();
      const results = await Promise.all(puts);
      assert.ok(results.filter((result) => result.attempts > 1).length >= 20, "half the entries of the first call were retried");
      const users = await readUserRecords(client, StreamName);
      assert.deepEqual(users.map((user) => Buffer.from(user.Data).toString()).sort(), Array.from({ length: 40 }, (_, i) => `r${i}`).sort());
    } finally {
      await clearFaults(server);
    }
  });

  it("retries a whole call that was throttled", async () => {
    const target = clientWithoutRetries(server);
    const StreamName = await createStream(target);
    await installFaults(server, [{ action: "PutRecords", stream: StreamName, fault: "throttle", schedule: { calls: [1, 2] } }]);
    try {
      const p = producer({ client: target, StreamName, lingerMs: 60_000 });
      const puts = Array.from({ length: 5 }, (_, i) => p.put({ PartitionKey: `k${i}`, Data: data(`r${i}`) }));
      await p.flush();
      const results = await Promise.all(puts);
      assert.deepEqual(results.map((result) => result.attempts), [3, 3, 3, 3, 3]);
      await p.close();
    } finally {
      await clearFaults(server);
      target.destroy();
    }
  });

  it("rejects records that still fail after attemptsMax sends, with the last error code", async () => {
    const StreamName = await createStream(client);
    await installFaults(server, [{ action: "PutRecords", stream: StreamName, fault: "partial-failure", fraction: 1, errorCode: "InternalFailure" }]);
    try {
      const p = producer({ StreamName, attemptsMax: 3, lingerMs: 0 });
      const outcome = await p.put({ PartitionKey: "k", Data: data("doomed") }).then(
        () => assert.fail("the put succeeded"),
        (error: unknown) => error,
      );
      assert.ok(outcome instanceof ProducerError);
      assert.equal(outcome.code, "InternalFailure");
      assert.equal(outcome.attempts, 3);
      assert.match(outcome.message, /^failed after 3 attempts: Internal Service Failure$/);
      await p.close();
      assert.equal((await readUserRecords(client, StreamName)).length, 0);
    } finally {
      await clearFaults(server);
    }
  });

  it("fails at once on an error no retry can fix, keeping the SDK's error as the cause", async () => {
    const p = producer({ StreamName: "no-such-stream", rateLimit: false, lingerMs: 0 });
    const outcome = await p.put({ PartitionKey: "k", Data: data("x") }).catch((error: unknown) => error);
    assert.ok(outcome instanceof ProducerError);
    assert.equal(outcome.code, "ResourceNotFoundException");
    assert.equal(outcome.attempts, 1);
    assert.equal((outcome.cause as Error).name, "ResourceNotFoundException");
    await p.close();
  });

  it("fails the records it cannot route when ListShards fails for good", async () => {
    const p = producer({ StreamName: "no-such-stream", aggregate: true, lingerMs: 0 });
    const outcome = await p.put({ PartitionKey: "k", Data: data("x") }).catch((error: unknown) => error);
    assert.ok(outcome instanceof ProducerError);
    assert.equal(outcome.code, "ShardMapUnavailable");
    assert.equal((outcome.cause as Error).name, "ResourceNotFoundException");
    await p.close();
  });

  it("rides out AWS's per-shard write limit when its own rate limiting is off", async () => {
    const StreamName = await createStream(limitedClient);
    const p = new Producer({ client: limitedClient, StreamName, rateLimit: false, lingerMs: 0, random: new SeededRandom(5), backoffMsBase: 50, backoffMsMax: 200 });
    const puts = Array.from({ length: 1300 }, (_, i) => p.put({ PartitionKey: `k${i % 50}`, Data: data(`r${i}`) }));
    await p.close();
    const results = await Promise.all(puts);
    assert.ok(results.some((result) => result.attempts > 1), "some records were throttled and retried");
    assert.equal((await readUserRecords(limitedClient, StreamName)).length, 1300);
  });

  it("stays under the per-shard write limit when its own rate limiting is on", async () => {
    const StreamName = await createStream(limitedClient);
    // A little under AWS's 1,000 records a second, so the client's and the server's buckets never disagree by rounding.
    const p = new Producer({ client: limitedClient, StreamName, shardRecordsPerSecond: 900, lingerMs: 0, random: new SeededRandom(6) });
    const puts = Array.from({ length: 1200 }, (_, i) => p.put({ PartitionKey: `k${i % 50}`, Data: data(`r${i}`) }));
    await p.close();
    const results = await Promise.all(puts);
    assert.deepEqual(results.filter((result) => result.attempts > 1).length, 0);
    assert.equal((await readUserRecords(limitedClient, StreamName)).length, 1200);
  });
});

describe("client > producer > ordering", () => {
  it("keeps each partition key's records in put order while entries fail and are retried", async () => {
    const StreamName = await createStream(client, 2);
    // Partial failures fail at least one entry, so with the small batches of ordered mode the rate is about the odds per entry.
    await installFaults(server, [{ action: "PutRecords", stream: StreamName, fault: "partial-failure", fraction: 0.3, rate: 0.3 }], 21);
    try {
      const p = producer({ StreamName, ordered: true, lingerMs: 1, batchRecordsMax: 20, requestsInFlightMax: 4, attemptsMax: 30 });
      const keys = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"];
      const puts: Array<Promise<PutResult>> = [];
      for (let i = 0; i < 240; i++) puts.push(p.put({ PartitionKey: keys[i % keys.length]!, Data: data(String(i)) }));
      const settled = Promise.all(puts);
      await p.close();
      const results = await settled;
      assert.ok(results.some((result) => result.attempts > 1), "some entries failed and were retried");
      const users = await readUserRecords(client, StreamName);
      assert.equal(users.length, 240);
      for (const key of keys) {
        const order = users.filter((user) => user.PartitionKey === key).map((user) => Number(Buffer.from(user.Data).toString()));
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `order of ${key}`);
      }
    } finally {
      await clearFaults(server);
    }
  });
});

describe("client > producer > flush and close", () => {
  it("flush resolves once every record put before it has settled", async () => {
    const StreamName = await createStream(client);
    const p = producer({ StreamName, lingerMs: 60_000 });
    const settled: boolean[] = [];
    const puts = Array.from({ length: 12 }, (_, i) => p.put({ PartitionKey: `k${i}`, Data: data("x") }).then(() => (settled[i] = true)));
    assert.equal(p.bufferedRecords, 12);
    await p.flush();
    assert.equal(settled.filter(Boolean).length, 12);
    assert.equal(p.bufferedRecords, 0);
    await Promise.all(puts);
    await p.close();
  });

  it("close sends what is buffered, then refuses new records", async () => {
    const StreamName = await createStream(client);
    const p = producer({ StreamName, lingerMs: 60_000 });
    const puts = Array.from({ length: 4 }, (_, i) => p.put({ PartitionKey: `k${i}`, Data: data("x") }));
    await p.close();
    assert.equal((await Promise.all(puts)).length, 4);
    const refused = await p.put({ PartitionKey: "k", Data: data("late") }).catch((error: unknown) => error);
    assert.ok(refused instanceof ProducerError);
    assert.equal(refused.code, "ProducerClosed");
    assert.equal((await readUserRecords(client, StreamName)).length, 4);
  });

  it("refuses an invalid record at put, before it is buffered", async () => {
    const p = producer({ StreamName: "unused", rateLimit: false });
    const cases: Array<[Parameters<Producer["put"]>[0], RegExp]> = [
      [{ PartitionKey: "", Data: data("x") }, /PartitionKey must be 1 to 256 characters long, got 0/],
      [{ PartitionKey: "k".repeat(257), Data: data("x") }, /got 257/],
      [{ PartitionKey: "k", Data: Buffer.alloc(1024 * 1024) }, /record of 1048577 bytes \(data plus partition key\) exceeds the 1048576-byte record limit/],
      [{ PartitionKey: "k", Data: data("x"), ExplicitHashKey: "-1" }, /ExplicitHashKey must be a decimal integer/],
      [{ PartitionKey: "k", Data: data("x"), ExplicitHashKey: (1n << 128n).toString() }, /ExplicitHashKey must be a decimal integer/],
    ];
    for (const [record, message] of cases) {
      await assert.rejects(p.put(record), (error: unknown) => error instanceof ProducerError && error.code === "InvalidRecord" && message.test(error.message));
    }
    assert.equal(p.bufferedRecords, 0);
    await p.close();
  });
});

describe("client > producer > backpressure", () => {
  it("makes enqueue wait while the buffer is full, and go on as records are acknowledged", async () => {
    const StreamName = await createStream(client);
    const p = producer({ StreamName, lingerMs: 60_000, bufferedRecordsMax: 5 });
    const accepted = [];
    for (let i = 0; i < 5; i++) accepted.push(await p.enqueue({ PartitionKey: `k${i}`, Data: data(String(i)) }));
    let sixthAccepted = false;
    const sixth = p.enqueue({ PartitionKey: "k5", Data: data("5") }).then((handle) => {
      sixthAccepted = true;
      return handle;
    });
    await new Promise((resolve) => setImmediate(resolve));
    await sleep(20);
    assert.equal(sixthAccepted, false, "the sixth record waits for room");
    assert.equal(p.bufferedRecords, 5);
    await p.flush(); // the five go, and their room goes to the sixth
    assert.equal(sixthAccepted, true);
    await Promise.all(accepted.map((handle) => handle.acknowledged));
    await (await sixth).acknowledged;
    await p.close();
    assert.equal((await readUserRecords(client, StreamName)).length, 6);
  });

  it("bounds the buffer by bytes too", async () => {
    const StreamName = await createStream(client);
    const p = producer({ StreamName, lingerMs: 60_000, bufferedBytesMax: 1000 });
    await p.enqueue({ PartitionKey: "k", Data: Buffer.alloc(600) });
    let secondAccepted = false;
    const second = p.enqueue({ PartitionKey: "k", Data: Buffer.alloc(600) }).then((handle) => ((secondAccepted = true), handle));
    await sleep(20);
    assert.equal(secondAccepted, false);
    await p.close();
    assert.equal(secondAccepted, true);
    await (await second).acknowledged;
  });
});
