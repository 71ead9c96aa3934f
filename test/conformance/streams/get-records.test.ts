import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, PutRecordCommand, PutRecordsCommand, type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { ManualClock } from "../../../src/util/clock.js";
import { assertError, assertSerialization, iteratorFor, shardId, wires } from "./data-plane-helpers.js";
import { createActiveStream, readToTip } from "../../helpers/streams.js";

const mib = 1024 * 1024;
const hourMs = 60 * 60 * 1000;

let server: TestServer;
let client: KinesisClient;
const stream = randomStreamName("get-records");

before(async () => {
  server = await startTestServer();
  client = kinesisClient(server);
  await createActiveStream(client, stream, 2);
});

after(async () => {
  client.destroy();
  await server.stop();
});

async function putText(c: KinesisClient, streamName: string, data: string): Promise<string> {
  return (await c.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "k", Data: Buffer.from(data), ExplicitHashKey: "0" }))).SequenceNumber!;
}

function texts(records: { Data?: Uint8Array }[] | undefined): string[] {
  return (records ?? []).map((record) => Buffer.from(record.Data!).toString());
}

/** Java's Date.toString in UTC, computed independently of the server's formatter. */
function javaUtc(ms: number): string {
  const [, day, date, month, year, time] = /^(\w{3}), (\d{2}) (\w{3}) (\d{4}) (\d{2}:\d{2}:\d{2}) GMT$/.exec(new Date(ms).toUTCString())!;
  return `${day} ${month} ${date} ${time} UTC ${year}`;
}

for (const wire of wires) {
  const call = (body: unknown) => wire.call(server.url, "GetRecords", body);

  it(`GetRecords > serialization > ${wire.name} > rejects members of the wrong type`, async () => {
    assertSerialization(await call({ ShardIterator: "abc", Limit: "23" }), "class java.lang.String can not be converted to an Integer");
    assertSerialization(await call({ ShardIterator: "abc", Limit: true }), "class java.lang.Boolean can not be converted to an Integer");
    assertSerialization(await call({ ShardIterator: true }), "class java.lang.Boolean can not be converted to an String");
    assertSerialization(await call({ ShardIterator: [] }), "Start of list found where not expected");
    assertSerialization(await call({ ShardIterator: "abc", Limit: {} }), "Start of structure or map found where not expected.");
  });

  it(`GetRecords > validation > ${wire.name} > ShardIterator is required`, async () => {
    assertError(await call({}), 400, "ValidationException", "1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null");
  });

  it(`GetRecords > validation > ${wire.name} > Limit and ShardIterator bounds`, async () => {
    assertError(
      await call({ ShardIterator: "", Limit: 0 }),
      400,
      "ValidationException",
      "2 validation errors detected: " +
        "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
        "Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const long = "a".repeat(513);
    assertError(
      await call({ ShardIterator: long, Limit: 100000 }),
      400,
      "ValidationException",
      "2 validation errors detected: " +
        "Value '100000' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000; " +
        `Value '${long}' at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 512`,
    );
  });

  it(`GetRecords > errors > ${wire.name} > garbage and tampered iterators are invalid`, async () => {
    const genuine = await iteratorFor(client, stream, 0, "TRIM_HORIZON");
    const raw = Buffer.from(genuine, "base64");
    raw[raw.length - 20]! ^= 0x40;
    for (const token of [randomStreamName("garbage"), raw.toString("base64"), genuine.slice(0, -8), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"]) {
      assertError(await call({ ShardIterator: token }), 400, "InvalidArgumentException", "Invalid ShardIterator.");
    }
  });

  it(`GetRecords > behaviour > ${wire.name} > records carry exactly AWS's Record members`, async () => {
    const name = randomStreamName("members");
    await createActiveStream(client, name, 1);
    await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "pk", Data: Buffer.from("v"), ExplicitHashKey: "12345" }));
    const response = await call({ ShardIterator: await iteratorFor(client, name, 0, "TRIM_HORIZON") });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ["MillisBehindLatest", "NextShardIterator", "Records"]);
    assert.equal(response.body.Records.length, 1);
    // No ExplicitHashKey and, for an unencrypted stream, no EncryptionType.
    assert.deepEqual(Object.keys(response.body.Records[0]).sort(), ["ApproximateArrivalTimestamp", "Data", "PartitionKey", "SequenceNumber"]);
    assert.equal(response.body.Records[0].PartitionKey, "pk");
    assert.equal(response.body.MillisBehindLatest, 0);
  });
}

it("GetRecords > errors > an iterator from another server (another account's key) is invalid", async (t) => {
  const other = await startTestServer({ streams: { accountId: "111111111111" } });
  if (!other.app) return t.skip("needs a second in-process server");
  const otherClient = kinesisClient(other);
  try {
    const name = randomStreamName("elsewhere");
    await createActiveStream(otherClient, name, 1);
    const foreign = await iteratorFor(otherClient, name, 0, "TRIM_HORIZON");
    for (const wire of wires) {
      assertError(await wire.call(server.url, "GetRecords", { ShardIterator: foreign }), 400, "InvalidArgumentException", "Invalid ShardIterator.");
    }
  } finally {
    otherClient.destroy();
    await other.stop();
  }
});

it("GetRecords > errors > an iterator expires after five minutes with AWS's message", async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 4, 6, 7, 8, 9, 10));
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("expiry");
    await createActiveStream(localClient, name, 1);
    const issuedMs = clock.nowMs();
    const iterator = await iteratorFor(localClient, name, 0, "LATEST");
    clock.advance(300_000);
    const stillValid = await localClient.send(new GetRecordsCommand({ ShardIterator: iterator }));
    assert.deepEqual(stillValid.Records, []);
    clock.advance(1);
    for (const wire of wires) {
      assertError(
        await wire.call(local.url, "GetRecords", { ShardIterator: iterator }),
        400,
        "ExpiredIteratorException",
        `Iterator expired. The iterator was created at time ${javaUtc(issuedMs)} while right now it is ${javaUtc(clock.nowMs())} ` +
          "which is further in the future than the tolerated delay of 300000 milliseconds.",
      );
    }
    // The iterator GetRecords hands back is fresh: it lives five minutes from its own issue.
    assert.ok(stillValid.NextShardIterator);
    assert.deepEqual((await localClient.send(new GetRecordsCommand({ ShardIterator: stillValid.NextShardIterator }))).Records, []);
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetRecords > errors > iterators of a deleted stream, and of its namesake recreated later, are refused", async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 5, 1));
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("recreated");
    await createActiveStream(localClient, name, 2);
    await putText(localClient, name, "first life");
    const iterator0 = await iteratorFor(localClient, name, 0, "TRIM_HORIZON");
    const iterator1 = await iteratorFor(localClient, name, 1, "TRIM_HORIZON");
    await localClient.send(new DeleteStreamCommand({ StreamName: name }));
    clock.advance(1000);
    const gone = (index: number) => `Shard ${shardId(index)} in stream ${name} under account ${local.accountId} does not exist`;
    for (const wire of wires) {
      assertError(await wire.call(local.url, "GetRecords", { ShardIterator: iterator0 }), 400, "ResourceNotFoundException", gone(0));
      assertError(await wire.call(local.url, "GetRecords", { ShardIterator: iterator1 }), 400, "ResourceNotFoundException", gone(1));
    }
    await createActiveStream(localClient, name, 2);
    await putText(localClient, name, "second life");
    for (const wire of wires) {
      assertError(await wire.call(local.url, "GetRecords", { ShardIterator: iterator0 }), 400, "ResourceNotFoundException", gone(0));
    }
    assert.deepEqual(texts(await readToTip(localClient, await iteratorFor(localClient, name, 0, "TRIM_HORIZON"))), ["second life"]);
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetRecords > errors > a StreamARN naming another stream than the iterator's is refused", async () => {
  const iterator = await iteratorFor(client, stream, 0, "LATEST");
  const own = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${stream}`;
  const other = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${stream}-other`;
  assert.deepEqual((await client.send(new GetRecordsCommand({ ShardIterator: iterator, StreamARN: own }))).Records, []);
  for (const wire of wires) {
    assertError(await wire.call(server.url, "GetRecords", { ShardIterator: iterator, StreamARN: other }), 400, "InvalidArgumentException", "Invalid ShardIterator.");
  }
});

it("GetRecords > behaviour > LATEST sees only what is put after it, and an iterator can be read again", async () => {
  const name = randomStreamName("latest");
  await createActiveStream(client, name, 1);
  await putText(client, name, "before");
  const latest = await iteratorFor(client, name, 0, "LATEST");
  const empty = await client.send(new GetRecordsCommand({ ShardIterator: latest }));
  assert.deepEqual(empty.Records, []);
  const sequenceNumbers = [await putText(client, name, "after-1"), await putText(client, name, "after-2")];
  const first = await client.send(new GetRecordsCommand({ ShardIterator: latest }));
  assert.deepEqual(texts(first.Records), ["after-1", "after-2"]);
  assert.deepEqual(first.Records!.map((record) => record.SequenceNumber), sequenceNumbers);
  // The empty read's NextShardIterator stays put, so it sees the same records.
  assert.deepEqual(texts((await client.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }))).Records), ["after-1", "after-2"]);
  // And the first read's NextShardIterator continues after them.
  assert.deepEqual((await client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }))).Records, []);
});

it("GetRecords > behaviour > AT_SEQUENCE_NUMBER includes the record and AFTER_SEQUENCE_NUMBER excludes it", async () => {
  const name = randomStreamName("after");
  await createActiveStream(client, name, 1);
  const numbers = [await putText(client, name, "a"), await putText(client, name, "b"), await putText(client, name, "c")];
  for (const [index, number] of numbers.entries()) {
    const at = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "0", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: number }));
    const after = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "0", ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: number }));
    assert.deepEqual(texts(await readToTip(client, at.ShardIterator!)), ["a", "b", "c"].slice(index));
    assert.deepEqual(texts(await readToTip(client, after.ShardIterator!)), ["a", "b", "c"].slice(index + 1));
  }
});

it("GetRecords > behaviour > Limit caps the count and the next iterator resumes after the last record", async () => {
  const name = randomStreamName("limit");
  await createActiveStream(client, name, 1);
  await client.send(new PutRecordsCommand({ StreamName: name, Records: ["r0", "r1", "r2", "r3", "r4"].map((text) => ({ PartitionKey: text, Data: Buffer.from(text) })) }));
  const start = await iteratorFor(client, name, 0, "TRIM_HORIZON");
  const two = await client.send(new GetRecordsCommand({ ShardIterator: start, Limit: 2 }));
  assert.deepEqual(texts(two.Records), ["r0", "r1"]);
  const rest = await client.send(new GetRecordsCommand({ ShardIterator: two.NextShardIterator, Limit: 3 }));
  assert.deepEqual(texts(rest.Records), ["r2", "r3", "r4"]);
  assert.deepEqual(texts((await client.send(new GetRecordsCommand({ ShardIterator: two.NextShardIterator, Limit: 1 }))).Records), ["r2"]);
  assert.deepEqual(texts((await client.send(new GetRecordsCommand({ ShardIterator: start, Limit: 10000 }))).Records), ["r0", "r1", "r2", "r3", "r4"]);
});

it("GetRecords > behaviour > one call returns at most 10 MiB of data", async () => {
  const name = randomStreamName("ten-mib");
  await createActiveStream(client, name, 1);
  for (let batch = 0; batch < 3; batch++) {
    const records = Array.from({ length: 4 }, (_, i) => ({ PartitionKey: "k", Data: Buffer.alloc(mib - 1, batch * 4 + i) }));
    assert.equal((await client.send(new PutRecordsCommand({ StreamName: name, Records: records }))).FailedRecordCount, 0);
  }
  const first = await client.send(new GetRecordsCommand({ ShardIterator: await iteratorFor(client, name, 0, "TRIM_HORIZON") }));
  assert.equal(first.Records!.length, 10);
  assert.deepEqual(first.Records!.map((record) => record.Data![0]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.ok(first.Records!.every((record) => record.Data!.length === mib - 1));
  const second = await client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }));
  assert.deepEqual(second.Records!.map((record) => record.Data![0]), [10, 11]);
});

it("GetRecords > behaviour > MillisBehindLatest is the age of the first unread record, 0 at the tip", async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 6, 1));
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("lag");
    await createActiveStream(localClient, name, 1);
    await putText(localClient, name, "x");
    clock.advance(5000);
    await putText(localClient, name, "y");
    clock.advance(3000);
    const start = await iteratorFor(localClient, name, 0, "TRIM_HORIZON");
    const first = await localClient.send(new GetRecordsCommand({ ShardIterator: start, Limit: 1 }));
    assert.deepEqual(texts(first.Records), ["x"]);
    assert.equal(first.MillisBehindLatest, 3000);
    const second = await localClient.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator, Limit: 1 }));
    assert.deepEqual(texts(second.Records), ["y"]);
    assert.equal(second.MillisBehindLatest, 0);
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetRecords > retention > records that left the window are not returned even before the log trims them", async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 7, 1));
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("window");
    await createActiveStream(localClient, name, 1);
    await putText(localClient, name, "early");
    clock.advance(24 * hourMs - 30_000);
    // The shard trims now (nothing is old yet) and not again for a minute.
    const iterator = await iteratorFor(localClient, name, 0, "TRIM_HORIZON");
    clock.advance(45_000);
    const page = await localClient.send(new GetRecordsCommand({ ShardIterator: iterator }));
    assert.deepEqual(page.Records, []);
    const meta = local.app.streams.context.streams.get(name)!;
    assert.equal(local.app.streams.context.logs.shard(meta.streamId, 0).startOffset(), 0, "the log still holds the record");
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetRecords > binary data > bytes round-trip exactly whichever wire puts and reads them", async (t) => {
  const clock = new ManualClock(1_750_000_000_123);
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("bytes");
    await createActiveStream(localClient, name, 1);
    const payloads = [
      Buffer.alloc(0),
      Buffer.from([0]),
      Buffer.from([0xff, 0xfe]),
      Buffer.from([0xf0, 0x9f, 0x92]),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      randomBytes(1000),
      randomBytes(65_537),
    ];
    const expected: { data: Buffer; arrivalMs: number; partitionKey: string }[] = [];
    for (const [index, data] of payloads.entries()) {
      for (const wire of wires) {
        const partitionKey = `${wire.name}-${index}-ключ`;
        const response = await wire.call(local.url, "PutRecord", { StreamName: name, PartitionKey: partitionKey, Data: wire.blob(data) });
        assert.equal(response.statusCode, 200, JSON.stringify(response.body));
        expected.push({ data, arrivalMs: clock.nowMs(), partitionKey });
        clock.advance(7);
      }
      await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: `sdk-${index}`, Data: data }));
      expected.push({ data, arrivalMs: clock.nowMs(), partitionKey: `sdk-${index}` });
      clock.advance(7);
    }
    const iterator = await iteratorFor(localClient, name, 0, "TRIM_HORIZON");
    for (const wire of wires) {
      const response = await wire.call(local.url, "GetRecords", { ShardIterator: iterator });
      assert.equal(response.statusCode, 200);
      const records = response.body.Records as Record<string, unknown>[];
      assert.equal(records.length, expected.length);
      records.forEach((record, i) => {
        assert.deepEqual(wire.bytesOf(record.Data), expected[i]!.data, `${wire.name} record ${i}`);
        assert.equal(record.PartitionKey, expected[i]!.partitionKey);
        assert.equal(wire.msOf(record.ApproximateArrivalTimestamp), expected[i]!.arrivalMs);
      });
    }
    const viaSdk = await localClient.send(new GetRecordsCommand({ ShardIterator: iterator }));
    assert.equal(viaSdk.Records!.length, expected.length);
    viaSdk.Records!.forEach((record, i) => {
      assert.deepEqual(Buffer.from(record.Data!), expected[i]!.data);
      assert.equal(record.ApproximateArrivalTimestamp!.getTime(), expected[i]!.arrivalMs);
    });
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetRecords > closed shards > the end of a closed shard has no next iterator and names its children", async (t) => {
  const local = await startTestServer();
  if (!local.app) return t.skip("needs an in-process server to close a shard by hand until resharding exists");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("closed");
    await createActiveStream(localClient, name, 1);
    await putText(localClient, name, "last words");
    const iterator = await iteratorFor(localClient, name, 0, "TRIM_HORIZON");
    // Close shard 0 and give it two children, as a split would.
    const registry = local.app.streams.context.streams;
    const meta = registry.get(name)!;
    const parent = meta.shards[0]!;
    const half = ((1n << 128n) / 2n).toString();
    const nowMs = Date.now();
    const shards = [
      { ...parent, endingOffset: 1, closedAtMs: nowMs },
      { ShardId: shardId(1), shardIndex: 1, ParentShardId: parent.ShardId, HashKeyRange: { StartingHashKey: "0", EndingHashKey: (BigInt(half) - 1n).toString() }, createdAtMs: nowMs },
      { ShardId: shardId(2), shardIndex: 2, ParentShardId: parent.ShardId, HashKeyRange: { StartingHashKey: half, EndingHashKey: ((1n << 128n) - 1n).toString() }, createdAtMs: nowMs },
    ];
    await registry.put({ ...meta, shards, nextShardIndex: 3 });
    const page = await localClient.send(new GetRecordsCommand({ ShardIterator: iterator }));
    assert.deepEqual(texts(page.Records), ["last words"]);
    assert.equal(page.NextShardIterator, undefined);
    assert.equal(page.MillisBehindLatest, 0);
    assert.deepEqual(page.ChildShards, [
      { ShardId: shardId(1), ParentShards: [parent.ShardId], HashKeyRange: shards[1]!.HashKeyRange },
      { ShardId: shardId(2), ParentShards: [parent.ShardId], HashKeyRange: shards[2]!.HashKeyRange },
    ]);
    // New writes go to the open children.
    const out = await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("child"), ExplicitHashKey: "0" }));
    assert.equal(out.ShardId, shardId(1));
  } finally {
    localClient.destroy();
    await local.stop();
  }
});
