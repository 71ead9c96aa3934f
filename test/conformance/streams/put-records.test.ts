import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PutRecordCommand, PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertSerialization, expectedShardIndex, instrumentedStorage, iteratorFor, md5HashKey, partitionKeyFor, shardId, wires } from "./data-plane-helpers.js";
import { createActiveStream, readToTip } from "../../helpers/streams.js";

const mib = 1024 * 1024;
const twoTo128 = 1n << 128n;
/** How AWS prints an entry `{PartitionKey: "", Data: ""}` in a validation message (kinesalite test/putRecords.js, recorded against AWS). */
const entryText = "com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@c965e310";

let server: TestServer;
let client: KinesisClient;
const stream = randomStreamName("put-records");

before(async () => {
  server = await startTestServer();
  client = kinesisClient(server);
  await createActiveStream(client, stream, 3);
});

after(async () => {
  client.destroy();
  await server.stop();
});

for (const wire of wires) {
  const call = (body: unknown) => wire.call(server.url, "PutRecords", body);
  const entry = (partitionKey: string, data: Buffer, extra: Record<string, unknown> = {}) => ({ PartitionKey: partitionKey, Data: wire.blob(data), ...extra });

  it(`PutRecords > serialization > ${wire.name} > rejects members of the wrong type`, async () => {
    assertSerialization(await call({ StreamName: stream, Records: true }), "Expected list or null");
    assertSerialization(await call({ StreamName: stream, Records: {} }), "Start of structure or map found where not expected.");
    assertSerialization(await call({ StreamName: stream, Records: [true] }), "Expected null");
    assertSerialization(await call({ StreamName: stream, Records: [[]] }), "Start of list found where not expected");
    assertSerialization(await call({ StreamName: stream, Records: [{ PartitionKey: true, Data: wire.blob(Buffer.alloc(0)) }] }), "class java.lang.Boolean can not be converted to an String");
    assertSerialization(await call({ StreamName: stream, Records: [{ PartitionKey: "a", Data: true }] }), "class java.lang.Boolean can not be converted to a Blob");
    assertSerialization(await call({ StreamName: stream, Records: [{ PartitionKey: "a", Data: wire.blob(Buffer.alloc(0)), ExplicitHashKey: [] }] }), "Start of list found where not expected");
    assertSerialization(await call({ StreamName: true, Records: [] }), "class java.lang.Boolean can not be converted to an String");
  });

  it(`PutRecords > validation > ${wire.name} > Records is required`, async () => {
    assertError(await call({}), 400, "ValidationException", "1 validation error detected: Value null at 'records' failed to satisfy constraint: Member must not be null");
  });

  it(`PutRecords > validation > ${wire.name} > reports an empty list and stream name`, async () => {
    assertError(
      await call({ StreamName: "", Records: [] }),
      400,
      "ValidationException",
      "3 validation errors detected: " +
        "Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  // PartitionKey is no longer a required member in AWS's current model (it is optional on AUTO streams):
  // a missing one is refused after the stream is found, on USER_PARTITION_KEY streams (record-distribution.test.ts).
  it(`PutRecords > validation > ${wire.name} > names entry members as records.N.member.x`, async () => {
    assertError(
      await call({ StreamName: "", Records: [entry("", Buffer.alloc(0), { ExplicitHashKey: "" }), {}] }),
      400,
      "ValidationException",
      "5 validation errors detected: " +
        "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
        "Value null at 'records.2.member.data' failed to satisfy constraint: Member must not be null; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it(`PutRecords > validation > ${wire.name} > reports over-long entry members`, async () => {
    const name = "a".repeat(129);
    const key = "k".repeat(257);
    assertError(
      await call({ StreamName: name, Records: [entry(key, Buffer.alloc(10 * mib + 1), { ExplicitHashKey: "" })] }),
      400,
      "ValidationException",
      "4 validation errors detected: " +
        `Value '${key}' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256; ` +
        "Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
        `Value 'java.nio.HeapByteBuffer[pos=0 lim=${10 * mib + 1} cap=${10 * mib + 1}]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 10485760; ` +
        `Value '${name}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it(`PutRecords > validation > ${wire.name} > more than 500 entries, with at most 10 errors reported`, async () => {
    const records = Array.from({ length: 501 }, () => entry("", Buffer.alloc(0)));
    const perEntry = Array.from(
      { length: 9 },
      (_, i) => `Value '' at 'records.${i + 1}.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
    assertError(
      await call({ StreamName: stream, Records: records }),
      400,
      "ValidationException",
      "10 validation errors detected: " +
        `Value '[${Array(501).fill(entryText).join(", ")}]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500; ` +
        perEntry.join("; "),
    );
  });

  it(`PutRecords > validation > ${wire.name} > each entry's data plus partition key must fit in 1 MiB`, async () => {
    assertError(
      await call({ StreamName: stream, Records: [entry("a", Buffer.alloc(1)), entry("ab", Buffer.alloc(mib - 1))] }),
      400,
      "ValidationException",
      `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${mib - 1} cap=${mib - 1}]' at 'records.2.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576`,
    );
  });

  it(`PutRecords > errors > ${wire.name} > a request over 10 MiB of data and partition keys is refused`, async () => {
    const records = Array.from({ length: 10 }, () => entry("k", Buffer.alloc(mib - 1)));
    records.push(entry("k", Buffer.alloc(0)));
    assertError(await call({ StreamName: stream, Records: records }), 400, "InvalidArgumentException", "Records size exceeds 10 MB limit");
  });

  it(`PutRecords > errors > ${wire.name} > an unknown stream is not found`, async () => {
    const name = randomStreamName("missing");
    assertError(
      await call({ StreamName: name, Records: [entry("a", Buffer.from("x"))] }),
      400,
      "ResourceNotFoundException",
      `Stream ${name} under account ${server.accountId} not found.`,
    );
  });

  it(`PutRecords > errors > ${wire.name} > one out-of-range ExplicitHashKey fails the whole request and writes nothing`, async () => {
    const name = randomStreamName("bad-hash");
    await createActiveStream(client, name, 1);
    const hashKey = twoTo128.toString();
    assertError(
      await wire.call(server.url, "PutRecords", { StreamName: name, Records: [entry("a", Buffer.from("x")), entry("a", Buffer.from("y"), { ExplicitHashKey: hashKey })] }),
      400,
      "InvalidArgumentException",
      `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${hashKey}`,
    );
    assert.deepEqual(await readToTip(client, await iteratorFor(client, name, 0, "TRIM_HORIZON")), []);
  });

  it(`PutRecords > behaviour > ${wire.name} > answers per entry, in request order`, async () => {
    const response = await call({ StreamName: stream, Records: [entry("a", Buffer.from("1")), entry("b", Buffer.from("2"), { ExplicitHashKey: "0" })] });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ["EncryptionType", "FailedRecordCount", "Records"]);
    assert.equal(response.body.FailedRecordCount, 0);
    assert.equal(response.body.EncryptionType, "NONE");
    assert.equal(response.body.Records[0].ShardId, shardId(expectedShardIndex(md5HashKey("a"), 3)));
    assert.equal(response.body.Records[1].ShardId, shardId(0));
    for (const result of response.body.Records) assert.deepEqual(Object.keys(result).sort(), ["SequenceNumber", "ShardId"]);
  });
}

it("PutRecords > behaviour > routes mixed keys like AWS and numbers each shard's records in request order", async () => {
  const width = twoTo128 / 3n;
  const records: PutRecordsRequestEntry[] = [
    { PartitionKey: "a", Data: randomBytes(10) },
    { PartitionKey: "b", Data: randomBytes(10) },
    { PartitionKey: "e", Data: randomBytes(10) },
    { PartitionKey: "f", Data: randomBytes(10) },
    { PartitionKey: "a", Data: randomBytes(10), ExplicitHashKey: (twoTo128 - 1n).toString() },
    { PartitionKey: "a", Data: randomBytes(10), ExplicitHashKey: (width * 2n - 1n).toString() },
    { PartitionKey: "a", Data: randomBytes(10), ExplicitHashKey: (width * 2n).toString() },
  ];
  const out = await client.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  assert.equal(out.FailedRecordCount, 0);
  const expectedShards = records.map((record) =>
    expectedShardIndex(record.ExplicitHashKey !== undefined ? BigInt(record.ExplicitHashKey) : md5HashKey(record.PartitionKey!), 3),
  );
  // kinesalite's figures against AWS for this very request.
  assert.deepEqual(expectedShards, [0, 1, 2, 1, 2, 1, 2]);
  assert.deepEqual(out.Records!.map((result) => result.ShardId), expectedShards.map(shardId));
  for (let shard = 0; shard < 3; shard++) {
    const numbers = out.Records!.filter((_, i) => expectedShards[i] === shard).map((result) => BigInt(result.SequenceNumber!));
    for (let i = 1; i < numbers.length; i++) assert.ok(numbers[i]! > numbers[i - 1]!, `shard ${shard}`);
  }
});

it("PutRecords > behaviour > exactly 10 MiB of data and partition keys is accepted", async () => {
  const name = randomStreamName("ten-mib");
  await createActiveStream(client, name, 1);
  const records = Array.from({ length: 10 }, () => ({ PartitionKey: "k", Data: Buffer.alloc(mib - 1, 7) }));
  const out = await client.send(new PutRecordsCommand({ StreamName: name, Records: records }));
  assert.equal(out.FailedRecordCount, 0);
  assert.equal(out.Records!.length, 10);
});

it("PutRecords > behaviour > records with one partition key are read in the order they were acknowledged", async () => {
  const name = randomStreamName("same-key");
  await createActiveStream(client, name, 2);
  const written: string[] = [];
  for (let round = 0; round < 10; round++) {
    const single = `single-${round}`;
    await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "same", Data: Buffer.from(single) }));
    written.push(single);
    const batch = [0, 1, 2].map((i) => `batch-${round}-${i}`);
    const out = await client.send(
      new PutRecordsCommand({ StreamName: name, Records: batch.map((text) => ({ PartitionKey: "same", Data: Buffer.from(text) })) }),
    );
    assert.equal(out.FailedRecordCount, 0);
    written.push(...batch);
  }
  const shard = expectedShardIndex(md5HashKey("same"), 2);
  const read = await readToTip(client, await iteratorFor(client, name, shard, "TRIM_HORIZON"));
  assert.deepEqual(read.map((record) => Buffer.from(record.Data!).toString()), written);
});

it("PutRecords > storage > each shard's entries go to the log in one append, in request order", async (t) => {
  const storage = instrumentedStorage();
  const local = await startTestServer({ storage: storage.engine });
  if (!local.app) return t.skip("needs an in-process server with injected storage");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("group");
    await createActiveStream(localClient, name, 3);
    const keys = Array.from({ length: 30 }, (_, i) => `group-${i}`);
    storage.appends.length = 0;
    await localClient.send(new PutRecordsCommand({ StreamName: name, Records: keys.map((key) => ({ PartitionKey: key, Data: Buffer.from(key) })) }));
    const byShard = new Map<number, string[]>();
    for (const key of keys) {
      const shard = expectedShardIndex(md5HashKey(key), 3);
      byShard.set(shard, [...(byShard.get(shard) ?? []), key]);
    }
    assert.equal(storage.appends.length, byShard.size);
    for (const append of storage.appends) {
      assert.deepEqual(append.records.map((record) => record.partitionKey), byShard.get(append.shardIndex));
    }
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("PutRecords > storage > entries whose shard cannot store them fail alone with InternalFailure", async (t) => {
  const storage = instrumentedStorage();
  const local = await startTestServer({ storage: storage.engine });
  if (!local.app) return t.skip("needs an in-process server with injected storage");
  try {
    const name = randomStreamName("partial");
    assert.equal((await wires[0]!.call(local.url, "CreateStream", { StreamName: name, ShardCount: 2 })).statusCode, 200);
    storage.failingShards.add(1);
    const keys = [partitionKeyFor(0, 2, "p"), partitionKeyFor(1, 2, "p"), partitionKeyFor(1, 2, "q"), partitionKeyFor(0, 2, "q")];
    for (const wire of wires) {
      const response = await wire.call(local.url, "PutRecords", { StreamName: name, Records: keys.map((key) => ({ PartitionKey: key, Data: wire.blob(Buffer.from(key)) })) });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body.FailedRecordCount, 2);
      const [first, second, third, fourth] = response.body.Records;
      assert.equal(first.ShardId, shardId(0));
      assert.equal(fourth.ShardId, shardId(0));
      assert.ok(BigInt(fourth.SequenceNumber) > BigInt(first.SequenceNumber));
      assert.deepEqual(second, { ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure" });
      assert.deepEqual(third, { ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure" });
    }
  } finally {
    await local.stop();
  }
});
