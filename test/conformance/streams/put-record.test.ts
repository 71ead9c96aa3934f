import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PutRecordCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { ManualClock } from "../../../src/util/clock.js";
import { assertError, assertSerialization, expectedShardIndex, instrumentedStorage, md5HashKey, partitionKeyFor, shardId, wires } from "./data-plane-helpers.js";
import { createActiveStream } from "../../helpers/streams.js";

const mib = 1024 * 1024;
const twoTo128 = 1n << 128n;

let server: TestServer;
let client: KinesisClient;
const stream = randomStreamName("put-record");

before(async () => {
  server = await startTestServer();
  client = kinesisClient(server);
  await createActiveStream(client, stream, 3);
});

after(async () => {
  client.destroy();
  await server.stop();
});

function put(input: { StreamName?: string; StreamARN?: string; PartitionKey: string; Data: Buffer; ExplicitHashKey?: string; SequenceNumberForOrdering?: string }) {
  return client.send(new PutRecordCommand(input));
}

for (const wire of wires) {
  const call = (body: unknown) => wire.call(server.url, "PutRecord", body);

  it(`PutRecord > serialization > ${wire.name} > rejects members of the wrong type`, async () => {
    const base = { StreamName: stream, PartitionKey: "a", Data: wire.blob(Buffer.from("x")) };
    assertSerialization(await call({ ...base, PartitionKey: true }), "class java.lang.Boolean can not be converted to an String");
    assertSerialization(await call({ ...base, StreamName: [] }), "Start of list found where not expected");
    assertSerialization(await call({ ...base, ExplicitHashKey: {} }), "Start of structure or map found where not expected.");
    assertSerialization(await call({ ...base, SequenceNumberForOrdering: false }), "class java.lang.Boolean can not be converted to an String");
    assertSerialization(await call({ ...base, Data: true }), "class java.lang.Boolean can not be converted to a Blob");
    assertSerialization(await call({ ...base, Data: [] }), "Start of list found where not expected");
  });

  // PartitionKey is no longer a required member in AWS's current model (it is optional on AUTO streams):
  // a missing one is refused after the stream is found, on USER_PARTITION_KEY streams (record-distribution.test.ts).
  it(`PutRecord > validation > ${wire.name} > names every missing required member`, async () => {
    assertError(
      await call({}),
      400,
      "ValidationException",
      "1 validation error detected: Value null at 'data' failed to satisfy constraint: Member must not be null",
    );
  });

  it(`PutRecord > validation > ${wire.name} > reports empty members in AWS's order`, async () => {
    const body = { StreamName: "", PartitionKey: "", Data: wire.blob(Buffer.alloc(0)), ExplicitHashKey: "", SequenceNumberForOrdering: "" };
    assertError(
      await call(body),
      400,
      "ValidationException",
      "5 validation errors detected: " +
        "Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); " +
        "Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it(`PutRecord > validation > ${wire.name} > reports over-long members, data over 10 MiB included`, async () => {
    const name = "a".repeat(129);
    const key = "k".repeat(257);
    const body = { StreamName: name, PartitionKey: key, Data: wire.blob(Buffer.alloc(10 * mib + 1)), ExplicitHashKey: "01" };
    assertError(
      await call(body),
      400,
      "ValidationException",
      "4 validation errors detected: " +
        `Value '${key}' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256; ` +
        "Value '01' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); " +
        `Value 'java.nio.HeapByteBuffer[pos=0 lim=${10 * mib + 1} cap=${10 * mib + 1}]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 10485760; ` +
        `Value '${name}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it(`PutRecord > validation > ${wire.name} > data plus partition key must fit in 1 MiB`, async () => {
    const tooBig = { StreamName: stream, PartitionKey: "ab", Data: wire.blob(Buffer.alloc(mib - 1)) };
    assertError(
      await call(tooBig),
      400,
      "ValidationException",
      `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${mib - 1} cap=${mib - 1}]' at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576`,
    );
    // Partition keys count in UTF-8 bytes: two characters, four bytes.
    const multiByte = { StreamName: stream, PartitionKey: "éé", Data: wire.blob(Buffer.alloc(mib - 3)) };
    assert.equal((await call(multiByte)).statusCode, 400);
    const exact = await call({ StreamName: stream, PartitionKey: "ab", Data: wire.blob(Buffer.alloc(mib - 2)) });
    assert.equal(exact.statusCode, 200, JSON.stringify(exact.body));
  });

  it(`PutRecord > errors > ${wire.name} > an unknown stream is not found`, async () => {
    const name = randomStreamName("missing");
    assertError(
      await call({ StreamName: name, PartitionKey: "a", Data: wire.blob(Buffer.from("x")) }),
      400,
      "ResourceNotFoundException",
      `Stream ${name} under account ${server.accountId} not found.`,
    );
  });

  it(`PutRecord > errors > ${wire.name} > an ExplicitHashKey of 2^128 is out of range`, async () => {
    const hashKey = twoTo128.toString();
    assertError(
      await call({ StreamName: stream, PartitionKey: "a", Data: wire.blob(Buffer.from("x")), ExplicitHashKey: hashKey }),
      400,
      "InvalidArgumentException",
      `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${hashKey}`,
    );
  });

  it(`PutRecord > errors > ${wire.name} > a SequenceNumberForOrdering we did not issue is invalid`, async () => {
    // An arrival second an hour ahead (AWS's layout keeps it in bits 36-71), AWS's older layouts, versions it does not know.
    const future = BigInt((await put({ StreamName: stream, PartitionKey: "a", Data: Buffer.from("x") })).SequenceNumber!) + (3600n << 36n);
    const fromHex = (hex: string) => BigInt("0x" + hex).toString();
    const invalid = [
      "0", future.toString(), "26227199374822427428162556223570313216",
      fromHex("20000000000000000000000000000000000000000000000"), fromHex("20000000000000000000000000000000000000000000003"),
      fromHex("30000000000000000000000000000000000000000000001"), fromHex("20000000000800000000000000000000000000000000002"),
      fromHex("2ffffffffff7fffffffffffffff000000000007fffffff2"),
    ];
    for (const sequenceNumber of invalid) {
      assertError(
        await call({ StreamName: stream, PartitionKey: "a", Data: wire.blob(Buffer.from("x")), SequenceNumberForOrdering: sequenceNumber }),
        400,
        "InvalidArgumentException",
        `ExclusiveMinimumSequenceNumber ${sequenceNumber} used in PutRecord on stream ${stream} under account ${server.accountId} is invalid.`,
      );
    }
  });

  it(`PutRecord > behaviour > ${wire.name} > answers ShardId, SequenceNumber and EncryptionType`, async () => {
    const response = await call({ StreamName: stream, PartitionKey: "a", Data: wire.blob(randomBytes(16)) });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(Object.keys(response.body).sort(), ["EncryptionType", "SequenceNumber", "ShardId"]);
    assert.equal(response.body.ShardId, shardId(expectedShardIndex(md5HashKey("a"), 3)));
    assert.match(response.body.SequenceNumber, /^[1-9]\d{0,128}$/);
    assert.equal(response.body.EncryptionType, "NONE");
  });
}

it("PutRecord > behaviour > routes partition keys by MD5 into the shard whose range holds them", async () => {
  const shardCount = 5;
  const name = randomStreamName("routing");
  await createActiveStream(client, name, shardCount);
  const seen = new Set<number>();
  for (let i = 0; i < 60; i++) {
    const partitionKey = `${i}-${randomBytes(6).toString("hex")}-ü`;
    const out = await put({ StreamName: name, PartitionKey: partitionKey, Data: Buffer.from([i]) });
    const expected = expectedShardIndex(md5HashKey(partitionKey), shardCount);
    assert.equal(out.ShardId, shardId(expected), partitionKey);
    seen.add(expected);
  }
  assert.equal(seen.size, shardCount);
});

it("PutRecord > behaviour > an ExplicitHashKey overrides the partition key, boundaries included", async () => {
  const width = twoTo128 / 3n;
  const key = partitionKeyFor(0, 3);
  const cases: [bigint, number][] = [
    [0n, 0],
    [width - 1n, 0],
    [width, 1],
    [width * 2n - 1n, 1],
    [width * 2n, 2],
    [twoTo128 - 1n, 2],
  ];
  for (const [hashKey, shard] of cases) {
    const out = await put({ StreamName: stream, PartitionKey: key, Data: Buffer.alloc(0), ExplicitHashKey: hashKey.toString() });
    assert.equal(out.ShardId, shardId(shard), hashKey.toString());
  }
});

// AWS's layout orders by shard before position (src/core/sequence-number.ts): numbers increase per shard, as AWS promises.
it("PutRecord > behaviour > sequence numbers strictly increase per shard", async () => {
  const name = randomStreamName("order");
  await createActiveStream(client, name, 2);
  const previous = [0n, 0n];
  for (let i = 0; i < 40; i++) {
    const out = await put({ StreamName: name, PartitionKey: partitionKeyFor(i % 2, 2, "order"), Data: Buffer.from([i]) });
    const current = BigInt(out.SequenceNumber!);
    assert.ok(current > previous[i % 2]!, `write ${i}: ${current} <= ${previous[i % 2]}`);
    previous[i % 2] = current;
  }
});

it("PutRecord > behaviour > accepts StreamARN in place of StreamName", async () => {
  const arn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${stream}`;
  const out = await put({ StreamARN: arn, PartitionKey: "a", Data: Buffer.from("arn") });
  assert.equal(out.ShardId, shardId(expectedShardIndex(md5HashKey("a"), 3)));
});

it("PutRecord > behaviour > a SequenceNumberForOrdering in AWS's layout is accepted; the same key's records order on their shard", async () => {
  const name = randomStreamName("ordering");
  await createActiveStream(client, name, 3);
  // Any number in AWS's current layout from the past is accepted (kinesalite's recordings): all zeros, a real one of
  // another stream, one of another shard of this stream.
  const other = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "x", Data: Buffer.from("1"), ExplicitHashKey: (twoTo128 - 1n).toString() }));
  assert.equal(other.ShardId, shardId(2));
  let previous: string | undefined;
  for (const ordering of [BigInt("0x20000000000000000000000000000000000000000000002").toString(), "49590338271490256608559692538361571095921575989136588898", other.SequenceNumber!]) {
    for (const wire of wires) {
      const response = await wire.call(server.url, "PutRecord", {
        StreamName: name, PartitionKey: "x", Data: wire.blob(Buffer.from("2")), ExplicitHashKey: "0", SequenceNumberForOrdering: previous ?? ordering,
      });
      assert.equal(response.statusCode, 200, JSON.stringify(response.body));
      assert.equal(response.body.ShardId, shardId(0));
      if (previous !== undefined) assert.ok(BigInt(response.body.SequenceNumber) > BigInt(previous));
      previous = response.body.SequenceNumber;
    }
  }
  // Across shards AWS orders nothing: a lower shard of the same stream has lower numbers, whatever the ordering number.
  const viaSdk = await client.send(new PutRecordCommand({ StreamName: name, PartitionKey: "x", Data: Buffer.from("3"), ExplicitHashKey: "0", SequenceNumberForOrdering: other.SequenceNumber }));
  assert.ok(BigInt(viaSdk.SequenceNumber!) < BigInt(other.SequenceNumber!));
  assert.ok(BigInt(viaSdk.SequenceNumber!) > BigInt(previous!));
});

it("PutRecord > errors > a stream still CREATING is not found", async (t) => {
  const local = await startTestServer({ streams: { createStreamMs: 60_000 } });
  if (!local.app) return t.skip("needs an in-process server with a slow CREATING state");
  try {
    const name = randomStreamName("creating");
    assert.equal((await wires[0]!.call(local.url, "CreateStream", { StreamName: name, ShardCount: 1 })).statusCode, 200);
    assertError(
      await wires[0]!.call(local.url, "PutRecord", { StreamName: name, PartitionKey: "a", Data: "" }),
      400,
      "ResourceNotFoundException",
      `Stream ${name} under account ${local.accountId} not found.`,
    );
  } finally {
    await local.stop();
  }
});

it("PutRecord > errors > storage that cannot make the record durable answers a retriable InternalFailure", async (t) => {
  const storage = instrumentedStorage();
  const local = await startTestServer({ storage: storage.engine });
  if (!local.app) return t.skip("needs an in-process server with injected storage");
  try {
    const name = randomStreamName("full");
    assert.equal((await wires[0]!.call(local.url, "CreateStream", { StreamName: name, ShardCount: 1 })).statusCode, 200);
    storage.failingShards.add(0);
    for (const wire of wires) {
      assertError(
        await wire.call(local.url, "PutRecord", { StreamName: name, PartitionKey: "a", Data: wire.blob(Buffer.from("x")) }),
        500,
        "InternalFailure",
        "The service could not store the request. Please retry the request.",
      );
    }
  } finally {
    await local.stop();
  }
});
