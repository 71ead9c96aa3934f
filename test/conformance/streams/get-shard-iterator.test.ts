import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import {
  GetShardIteratorCommand, IncreaseStreamRetentionPeriodCommand, ListShardsCommand, PutRecordCommand, type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { ManualClock } from "../../../src/util/clock.js";
import { encodeSequenceNumber } from "../../../src/core/sequence-number.js";
import { assertError, assertSerialization, shardId, wires } from "./data-plane-helpers.js";
import { createActiveStream, readToTip } from "../../helpers/streams.js";
import { sleep } from "../../helpers/wait.js";

const hourMs = 60 * 60 * 1000;
const fromHex = (hex: string) => BigInt("0x" + hex).toString();
const mustEither = "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. ";

let server: TestServer;
let client: KinesisClient;
const stream = randomStreamName("gsi");

before(async () => {
  server = await startTestServer();
  client = kinesisClient(server);
  await createActiveStream(client, stream, 3);
});

after(async () => {
  client.destroy();
  await server.stop();
});

async function put(streamName: string, data: string, explicitHashKey = "0"): Promise<string> {
  const out = await client.send(new PutRecordCommand({ StreamName: streamName, PartitionKey: "k", Data: Buffer.from(data), ExplicitHashKey: explicitHashKey }));
  return out.SequenceNumber!;
}

async function dataFrom(iterator: string, c: KinesisClient = client): Promise<string[]> {
  return (await readToTip(c, iterator)).map((record) => Buffer.from(record.Data!).toString());
}

for (const wire of wires) {
  const call = (body: unknown) => wire.call(server.url, "GetShardIterator", body);
  const notFound = (name: string, index: number) =>
    `Shard ${shardId(index)} in stream ${name} under account ${server.accountId} does not exist`;

  it(`GetShardIterator > serialization > ${wire.name} > rejects members of the wrong type`, async () => {
    const base = { StreamName: stream, ShardId: "shardId-0", ShardIteratorType: "LATEST" };
    assertSerialization(await call({ ...base, ShardId: true }), "class java.lang.Boolean can not be converted to an String");
    assertSerialization(await call({ ...base, ShardIteratorType: [] }), "Start of list found where not expected");
    assertSerialization(await call({ ...base, StartingSequenceNumber: {} }), "Start of structure or map found where not expected.");
    assertSerialization(await call({ ...base, StreamName: false }), "class java.lang.Boolean can not be converted to an String");
  });

  it(`GetShardIterator > validation > ${wire.name} > names the missing required members`, async () => {
    assertError(
      await call({}),
      400,
      "ValidationException",
      "2 validation errors detected: " +
        "Value null at 'shardId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null",
    );
  });

  it(`GetShardIterator > validation > ${wire.name} > reports empty members in AWS's order`, async () => {
    assertError(
      await call({ StreamName: "", ShardIteratorType: "", ShardId: "", StartingSequenceNumber: "" }),
      400,
      "ValidationException",
      "6 validation errors detected: " +
        "Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]; " +
        "Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128}); " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it(`GetShardIterator > validation > ${wire.name} > reports over-long names`, async () => {
    const name = "a".repeat(129);
    assertError(
      await call({ StreamName: name, ShardId: name, ShardIteratorType: "LATEST" }),
      400,
      "ValidationException",
      "2 validation errors detected: " +
        `Value '${name}' at 'shardId' failed to satisfy constraint: Member must have length less than or equal to 128; ` +
        `Value '${name}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it(`GetShardIterator > errors > ${wire.name} > a resolvable shard of an unknown stream does not exist`, async () => {
    const name = randomStreamName("missing");
    for (const id of ["2147483647", "abc_def-2147483647", "a-00002147483647", "-00002147483647"]) {
      assertError(await call({ StreamName: name, ShardId: id, ShardIteratorType: "LATEST" }), 400, "ResourceNotFoundException", notFound(name, 2147483647));
    }
  });

  it(`GetShardIterator > errors > ${wire.name} > a shard id AWS cannot resolve is not found by its text`, async () => {
    const name = randomStreamName("missing");
    for (const id of ["2147483648", "shardId-002147483648", "ABKLFD8", "2.14E4"]) {
      assertError(
        await call({ StreamName: name, ShardId: id, ShardIteratorType: "LATEST" }),
        400,
        "ResourceNotFoundException",
        `Could not find shard ${id} in stream ${name} under account ${server.accountId}.`,
      );
    }
  });

  it(`GetShardIterator > errors > ${wire.name} > a shard the stream does not have does not exist`, async () => {
    assertError(
      await call({ StreamName: stream, ShardId: "shardId-5", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: "5" }),
      400,
      "ResourceNotFoundException",
      notFound(stream, 5),
    );
  });

  it(`GetShardIterator > errors > ${wire.name} > sequence-number types need StartingSequenceNumber and the others refuse it`, async () => {
    const base = { StreamName: stream, ShardId: "shardId-0" };
    for (const type of ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]) {
      assertError(await call({ ...base, ShardIteratorType: type }), 400, "InvalidArgumentException", `${mustEither}Request specified ${type} and no StartingSequenceNumber.`);
    }
    for (const type of ["LATEST", "TRIM_HORIZON"]) {
      assertError(
        await call({ ...base, ShardIteratorType: type, StartingSequenceNumber: "5" }),
        400,
        "InvalidArgumentException",
        `${mustEither}Request specified ${type} and also a StartingSequenceNumber.`,
      );
    }
  });

  it(`GetShardIterator > errors > ${wire.name} > AT_TIMESTAMP needs a Timestamp`, async () => {
    assertError(
      await call({ StreamName: stream, ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP" }),
      400,
      "InvalidArgumentException",
      "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.",
    );
  });

  it(`GetShardIterator > errors > ${wire.name} > numbers AWS cannot read are invalid`, async () => {
    const base = { StreamName: stream, ShardId: "shardId-0", ShardIteratorType: "AT_SEQUENCE_NUMBER" };
    const invalid = [
      "26227199374822427428162556223570313216", // AWS's old layout with a date too large
      fromHex("20000000000000000000000000000000000000000000003"), // version 3
      fromHex("20000000000800000000000000000000000000000000002"), // a position with its top bit set
      (1n << 129n).toString(),
    ];
    for (const sequenceNumber of invalid) {
      assertError(
        await call({ ...base, StartingSequenceNumber: sequenceNumber }),
        400,
        "InvalidArgumentException",
        `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shardId(0)} in stream ${stream} under account ${server.accountId} is invalid.`,
      );
    }
  });

  it(`GetShardIterator > errors > ${wire.name} > a number that encodes another shard says which, short numbers included`, async () => {
    const base = { StreamName: stream, ShardId: "shardId-0", ShardIteratorType: "AT_SEQUENCE_NUMBER" };
    const encoded: [string, string][] = [
      ["5", "shardId-000000000005"],
      ["49590338271490256608559692538361571095921575989136588898", "shardId-000000000006"], // a real AWS number of shard 6
      [fromHex("20000000000000000000000000000000000000800000002"), "shardId--02147483648"],
    ];
    for (const [sequenceNumber, encodedShard] of encoded) {
      assertError(
        await call({ ...base, StartingSequenceNumber: sequenceNumber }),
        400,
        "InvalidArgumentException",
        `Invalid StartingSequenceNumber. It encodes ${encodedShard}, while it was used in a call to a shard with ${shardId(0)}`,
      );
    }
  });

  it(`GetShardIterator > errors > ${wire.name} > an old-layout number of the right shard is a bare 500 InternalFailure`, async () => {
    for (const type of ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]) {
      const response = await call({ StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: type, StartingSequenceNumber: "0" });
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.body, { __type: "InternalFailure" });
    }
  });

  it(`GetShardIterator > errors > ${wire.name} > a sequence number of another shard is refused`, async () => {
    const onShardTwo = await put(stream, "two", ((1n << 128n) - 1n).toString());
    assertError(
      await call({ StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: onShardTwo }),
      400,
      "InvalidArgumentException",
      `Invalid StartingSequenceNumber. It encodes ${shardId(2)}, while it was used in a call to a shard with ${shardId(0)}`,
    );
  });

  it(`GetShardIterator > errors > ${wire.name} > a well-formed number this shard never issued did not come from this stream`, async () => {
    const middle = ((1n << 128n) / 2n).toString();
    const issued = BigInt(await put(stream, "one", middle));
    const unissued = [
      // Another shard 1: another epoch (a real AWS number of a shard 0, re-aimed at shard 1 by its two index fields).
      encodeSequenceNumber({ shardEpochSeconds: 0x656e97f5, shardIndex: 1, offset: 0, arrivalMs: 0x656ecc98 * 1000 }),
      // This shard's epoch, a position past its end.
      (issued + (1000n << 80n)).toString(),
      // AWS's older layout ("version 1") of this shard.
      fromHex("2" + "0656e97f5" + "1" + "00" + "0656ecc98" + "0".repeat(14) + "00" + "00000001" + "1"),
    ];
    for (const sequenceNumber of unissued) {
      assertError(
        await call({ StreamName: stream, ShardId: "1", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: sequenceNumber }),
        400,
        "InvalidArgumentException",
        `StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${shardId(1)} in stream ${stream} under account ${server.accountId} is invalid because it did not come from this stream.`,
      );
    }
  });

  it(`GetShardIterator > behaviour > ${wire.name} > issued numbers are in AWS's layout and start from the shard's StartingSequenceNumber`, async () => {
    const name = randomStreamName("layout");
    await createActiveStream(client, name, 2);
    const top = ((1n << 128n) - 1n).toString();
    const records = [await put(name, "a", top), await put(name, "b", top)];
    const shards = (await wire.call(server.url, "ListShards", { StreamName: name })).body.Shards;
    const start: string = shards[1].SequenceNumberRange.StartingSequenceNumber;
    const createdSeconds = BigInt(start) >> 148n & 0xfffffffffn;
    for (const sequenceNumber of [start, ...records]) {
      assert.match(sequenceNumber, /^49\d{54}$/);
      const hex = BigInt(sequenceNumber).toString(16);
      // 2 | epoch (9) | shard nibble | position (16) | 00 | arrival seconds (9) | shard (8) | 2
      assert.match(hex, /^2[0-9a-f]{9}1[0-9a-f]{16}00[0-9a-f]{9}000000012$/, hex);
      assert.equal(BigInt("0x" + hex.slice(1, 10)), createdSeconds);
    }
    assert.deepEqual(records.map((sequenceNumber) => BigInt("0x" + BigInt(sequenceNumber).toString(16).slice(11, 27))), [1n, 2n]);
    assert.equal(BigInt("0x" + BigInt(start).toString(16).slice(11, 27)), 0n);
    assert.ok(BigInt(start) < BigInt(records[0]!) && BigInt(records[0]!) < BigInt(records[1]!));
    // Arrival seconds: within the second the record was written.
    const arrivalSeconds = Number(BigInt("0x" + BigInt(records[0]!).toString(16).slice(29, 38)));
    assert.ok(Math.abs(arrivalSeconds - Date.now() / 1000) < 60, `${arrivalSeconds}`);
    for (const type of ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]) {
      const response = await wire.call(server.url, "GetShardIterator", { StreamName: name, ShardId: shardId(1), ShardIteratorType: type, StartingSequenceNumber: start });
      assert.equal(response.statusCode, 200, JSON.stringify(response.body));
      assert.deepEqual(await dataFrom(response.body.ShardIterator), ["a", "b"], type);
    }
  });

  it(`GetShardIterator > behaviour > ${wire.name} > answers only a ShardIterator, for any way of naming the shard`, async () => {
    for (const id of ["shardId-000000000001", "shardId-1", "shard-1", "1", "anything-1"]) {
      for (const type of ["LATEST", "TRIM_HORIZON"]) {
        const response = await call({ StreamName: stream, ShardId: id, ShardIteratorType: type });
        assert.equal(response.statusCode, 200, JSON.stringify(response.body));
        assert.deepEqual(Object.keys(response.body), ["ShardIterator"]);
        assert.ok(response.body.ShardIterator.length >= 1 && response.body.ShardIterator.length <= 512);
      }
    }
  });
}

it("GetShardIterator > behaviour > every iterator type starts where AWS says", async () => {
  const name = randomStreamName("types");
  await createActiveStream(client, name, 1);
  const sequenceNumbers = [await put(name, "r0"), await put(name, "r1"), await put(name, "r2")];
  const iterator = async (type: string, extra: Record<string, unknown> = {}) =>
    (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "shardId-000000000000", ShardIteratorType: type as "LATEST", ...extra }))).ShardIterator!;

  assert.deepEqual(await dataFrom(await iterator("TRIM_HORIZON")), ["r0", "r1", "r2"]);
  assert.deepEqual(await dataFrom(await iterator("AT_SEQUENCE_NUMBER", { StartingSequenceNumber: sequenceNumbers[1] })), ["r1", "r2"]);
  assert.deepEqual(await dataFrom(await iterator("AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequenceNumbers[1] })), ["r2"]);
  assert.deepEqual(await dataFrom(await iterator("AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: sequenceNumbers[2] })), []);
  assert.deepEqual(await dataFrom(await iterator("AT_TIMESTAMP", { Timestamp: new Date(0) })), ["r0", "r1", "r2"]);

  const latest = await iterator("LATEST");
  assert.deepEqual(await dataFrom(latest), []);
  await put(name, "r3");
  assert.deepEqual(await dataFrom(latest), ["r3"]);
});

it("GetShardIterator > behaviour > accepts StreamARN in place of StreamName", async () => {
  const name = randomStreamName("arn");
  await createActiveStream(client, name, 1);
  await put(name, "via-arn");
  const arn = `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;
  const out = await client.send(new GetShardIteratorCommand({ StreamARN: arn, ShardId: "shardId-0", ShardIteratorType: "TRIM_HORIZON" }));
  assert.deepEqual(await dataFrom(out.ShardIterator!), ["via-arn"]);
});

it("GetShardIterator > AT_TIMESTAMP > the SDK, raw JSON seconds and raw CBOR milliseconds select the same record", async (t) => {
  const startMs = 1_700_000_000_250;
  const clock = new ManualClock(startMs);
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("at-ts");
    await createActiveStream(localClient, name, 1);
    for (const data of ["t0", "t1", "t2"]) {
      await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from(data) }));
      clock.advance(1000);
    }
    // Exactly t1's arrival, and a time between t0 and t1: both start at t1.
    for (const timestampMs of [startMs + 1000, startMs + 400]) {
      const viaSdk = await localClient.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(timestampMs) }));
      const iterators = [viaSdk.ShardIterator!];
      for (const wire of wires) {
        const response = await wire.call(local.url, "GetShardIterator", { StreamName: name, ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP", Timestamp: wire.time(timestampMs) });
        assert.equal(response.statusCode, 200, JSON.stringify(response.body));
        iterators.push(response.body.ShardIterator);
      }
      for (const iterator of iterators) assert.deepEqual(await dataFrom(iterator, localClient), ["t1", "t2"], `${timestampMs}`);
    }
    const nowMs = clock.nowMs();
    for (const wire of wires) {
      assertError(
        await wire.call(local.url, "GetShardIterator", { StreamName: name, ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP", Timestamp: wire.time(nowMs + 1000) }),
        400,
        "InvalidArgumentException",
        `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${nowMs + 1000}, currentTimestampInMillis: ${nowMs}`,
      );
    }
    // The present itself is allowed, and starts after every record so far.
    const atNow = await localClient.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "shardId-0", ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(nowMs) }));
    assert.deepEqual(await dataFrom(atNow.ShardIterator!, localClient), []);
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetShardIterator > retention > TRIM_HORIZON and old positions start at the oldest retained record, and the log is trimmed", async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 2, 1));
  const local = await startTestServer({ clock });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("retention");
    await createActiveStream(localClient, name, 1);
    const put = async (data: string) =>
      (await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from(data) }))).SequenceNumber!;
    const oldSequence = await put("old");
    const oldTimeMs = clock.nowMs();
    clock.advance(2 * hourMs);
    await put("kept");
    clock.advance(23 * hourMs); // "old" is now 25 hours old, "kept" 23.
    const iterator = async (type: string, extra: Record<string, unknown> = {}) =>
      (await localClient.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "0", ShardIteratorType: type as "LATEST", ...extra }))).ShardIterator!;

    assert.deepEqual(await dataFrom(await iterator("TRIM_HORIZON"), localClient), ["kept"]);
    assert.deepEqual(await dataFrom(await iterator("AT_TIMESTAMP", { Timestamp: new Date(oldTimeMs) }), localClient), ["kept"]);
    assert.deepEqual(await dataFrom(await iterator("AT_SEQUENCE_NUMBER", { StartingSequenceNumber: oldSequence }), localClient), ["kept"]);

    // The engine was asked to drop what fell out of the window.
    const meta = local.app.streams.context.streams.get(name)!;
    assert.equal(local.app.streams.context.logs.shard(meta.streamId, 0).startOffset(), 1);

    // A longer retention period does not bring trimmed records back, but keeps new ones longer.
    await localClient.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 48 }));
    assert.deepEqual(await dataFrom(await iterator("TRIM_HORIZON"), localClient), ["kept"]);
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("GetShardIterator > AFTER_SEQUENCE_NUMBER with the shard's StartingSequenceNumber starts at its first record, even on an empty shard", async () => {
  const name = randomStreamName("after-start");
  await createActiveStream(client, name, 1);
  const listed = await client.send(new ListShardsCommand({ StreamName: name }));
  const start = listed.Shards![0]!.SequenceNumberRange!.StartingSequenceNumber!;
  // Allowed while the shard is empty, and the iterator then sees the records written after it.
  const early = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId(0), ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: start }));
  // The first record arrives in a later millisecond than the shard's creation, as in practice.
  await sleep(5);
  await put(name, "first");
  await put(name, "second");
  assert.deepEqual(await dataFrom(early.ShardIterator!), ["first", "second"]);
  const late = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId(0), ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: start }));
  assert.deepEqual(await dataFrom(late.ShardIterator!), ["first", "second"]);
});

it("GetShardIterator > SDK > short and old-layout numbers answer as AWS does", async () => {
  const name = randomStreamName("sdk-seq");
  await createActiveStream(client, name, 1);
  const iterator = (sequenceNumber: string) =>
    client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: "shardId-000000000000", ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: sequenceNumber }));
  await assert.rejects(iterator("5"), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, "InvalidArgumentException");
    assert.equal(error.message, "Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call to a shard with shardId-000000000000");
    return true;
  });
  await assert.rejects(iterator("0"), (error: Error & { $fault?: string; $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, "InternalFailure");
    assert.equal(error.$metadata?.httpStatusCode, 500);
    return true;
  });
  const sequenceNumber = await put(name, "x");
  const out = await iterator(sequenceNumber);
  assert.deepEqual(await dataFrom(out.ShardIterator!), ["x"]);
});

it("GetShardIterator > sequence numbers > a child shard's numbers exceed its parent's even when the reshard takes effect in the same second", async (t) => {
  const clock = new ManualClock(Date.UTC(2025, 0, 1, 0, 0, 0, 100));
  const local = await startTestServer({ clock, streams: { createStreamMs: 0, updateStreamMs: 0 } });
  if (!local.app) return t.skip("needs an in-process server with a manual clock");
  const localClient = kinesisClient(local);
  try {
    const name = randomStreamName("epoch");
    await createActiveStream(localClient, name, 1);
    const put = async (hashKey: string) =>
      (await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("d"), ExplicitHashKey: hashKey }))).SequenceNumber!;
    const before = await put("0");
    clock.advance(10);
    await wires[0]!.call(local.url, "SplitShard", { StreamName: name, ShardToSplit: "shardId-0", NewStartingHashKey: "100" });
    clock.advance(10);
    const shards = (await localClient.send(new ListShardsCommand({ StreamName: name }))).Shards!;
    assert.equal(shards.length, 3);
    const after = await put("0");
    // Same second throughout: the children's epoch is the parent's plus one.
    const epoch = (sequenceNumber: string) => BigInt(sequenceNumber) >> 148n & 0xfffffffffn;
    assert.equal(epoch(after), epoch(before) + 1n);
    assert.ok(BigInt(after) > BigInt(before));
    assert.ok(BigInt(shards[1]!.SequenceNumberRange!.StartingSequenceNumber!) > BigInt(shards[0]!.SequenceNumberRange!.EndingSequenceNumber!));
    // The ordering number from the parent is accepted for the child's record.
    const ordered = await localClient.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("e"), ExplicitHashKey: "0", SequenceNumberForOrdering: before }));
    assert.ok(BigInt(ordered.SequenceNumber!) > BigInt(before));
    // And GetShardIterator reads the child from its own numbers.
    const out = await localClient.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shards[1]!.ShardId!, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: after }));
    assert.equal((await readToTip(localClient, out.ShardIterator!)).length, 2);
  } finally {
    localClient.destroy();
    await local.stop();
  }
});

it("a checkpoint in Tributary's layout before AWS's (marker bit 184, arrival ms, shard index, offset) still resumes where it was", async () => {
  const name = randomStreamName("gsi-old-checkpoint");
  await createActiveStream(client, name, 1);
  for (const data of ["a", "b", "c"]) await put(name, data);
  // The earlier layout, bit for bit: 1 << 184 | arrivalMs << 140 | shardIndex << 116 | offset << 52.
  const oldLayout = (offset: number) => ((1n << 184n) | (1_700_000_000_000n << 140n) | (BigInt(offset) << 52n)).toString();
  assert.equal(oldLayout(1).length, 56);
  const after = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId(0), ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: oldLayout(1) }));
  assert.deepEqual(await dataFrom(after.ShardIterator!), ["c"]);
  const at = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId(0), ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: oldLayout(1) }));
  assert.deepEqual(await dataFrom(at.ShardIterator!), ["b", "c"]);
  // One the shard never issued is refused as any foreign number is; another shard's is named.
  await assert.rejects(
    client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId(0), ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: oldLayout(7) })),
    (error: Error) => error.name === "InvalidArgumentException" && /did not come from this stream/.test(error.message),
  );
  const otherShard = ((1n << 184n) | (1n << 116n) | (1n << 52n)).toString();
  await assert.rejects(
    client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId(0), ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: otherShard })),
    (error: Error) => error.name === "InvalidArgumentException" && error.message.includes("It encodes shardId-000000000001"),
  );
});
