import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  DescribeStreamSummaryCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, PutRecordsCommand, UpdateMaxRecordSizeCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer, summaryOf } from "./stream-settings-helpers.js";
import { assertError as assertResponse, wires, type Wire } from "./data-plane-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "UpdateMaxRecordSize";
const mib = 1024 * 1024;
const tooLarge = (path: string, dataBytes: number, recordBytesMax: number) =>
  `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${dataBytes} cap=${dataBytes}]' at '${path}' ` +
  `failed to satisfy constraint: Member must have length less than or equal to ${recordBytesMax}`;

/** A record too large for its stream, refused in JSON and CBOR (`body` spells the record's blob for each wire). */
async function assertTooLarge(server: TestServer, target: string, body: (wire: Wire) => unknown, path: string, dataBytes: number, recordBytesMax: number) {
  for (const wire of wires) {
    assertResponse(await wire.call(server.url, target, body(wire)), 400, "ValidationException", tooLarge(path, dataBytes, recordBytesMax));
  }
}

describe("UpdateMaxRecordSize", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("record-size");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a MaxRecordSizeInKiB that is not an integer", () => assertWrongTypes(server, action, "MaxRecordSizeInKiB", "Integer", { StreamARN: arnOf(server, name) }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { MaxRecordSizeInKiB: 2048 }));
  });

  describe("validation", () => {
    it("requires MaxRecordSizeInKiB", () =>
      assertValidation(server, action, { StreamARN: arnOf(server, name) }, ["Value null at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must not be null"]));

    it("takes 1024 to 10240 KiB", async () => {
      await assertValidation(server, action, { StreamARN: arnOf(server, name), MaxRecordSizeInKiB: 1023 }, [
        "Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024",
      ]);
      await assertValidation(server, action, { StreamARN: arnOf(server, name), MaxRecordSizeInKiB: 10241 }, [
        "Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240",
      ]);
    });

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamARN: name, MaxRecordSizeInKiB: 0 }, [
        `Value '${name}' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+`,
        "Value '0' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024",
      ]));

    it("needs StreamARN", () => assertError(server, action, { MaxRecordSizeInKiB: 2048 }, "InvalidArgumentException", "StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamARN: arnOf(server, unknown), MaxRecordSizeInKiB: 2048 }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("shows 1024 KiB until changed, then the new maximum, in JSON and CBOR", async () => {
      const stream = randomStreamName("shown");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      assert.equal((await summaryOf(server, stream)).MaxRecordSizeInKiB, 1024);
      assert.equal(await ok(server, action, { StreamARN: arnOf(server, stream), MaxRecordSizeInKiB: 2048 }), undefined);
      const summary = await summaryOf(server, stream);
      assert.equal(summary.MaxRecordSizeInKiB, 2048);
      assert.equal(summary.StreamStatus, "ACTIVE");
      await ok(server, action, { StreamARN: arnOf(server, stream), MaxRecordSizeInKiB: 10240 }, "cbor");
      const cbor = await call(server, "cbor", "DescribeStreamSummary", { StreamName: stream });
      assert.equal(cbor.body.StreamDescriptionSummary.MaxRecordSizeInKiB, 10240);
    });

    it("makes PutRecord and PutRecords take records up to the stream's maximum, and no larger", async () => {
      const stream = randomStreamName("bounded");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const record = (dataBytes: number) => (wire: Wire) => ({ StreamName: stream, PartitionKey: "ab", Data: wire.blob(Buffer.alloc(dataBytes)) });
      const entries = (dataBytes: number) => (wire: Wire) => ({ StreamName: stream, Records: [{ PartitionKey: "ab", Data: wire.blob(Buffer.alloc(dataBytes)) }] });
      await assertTooLarge(server, "PutRecord", record(2 * mib - 2), "data", 2 * mib - 2, mib);
      await ok(server, action, { StreamARN: arnOf(server, stream), MaxRecordSizeInKiB: 2048 });
      for (const wire of wires) {
        assert.equal((await wire.call(server.url, "PutRecord", record(2 * mib - 2)(wire))).statusCode, 200);
        const batch = await wire.call(server.url, "PutRecords", entries(2 * mib - 2)(wire));
        assert.equal(batch.statusCode, 200);
        assert.equal(batch.body.FailedRecordCount, 0);
      }
      await assertTooLarge(server, "PutRecord", record(2 * mib - 1), "data", 2 * mib - 1, 2 * mib);
      await assertTooLarge(server, "PutRecords", entries(2 * mib - 1), "records.1.member.data", 2 * mib - 1, 2 * mib);
      // Lowering the maximum applies to the next write.
      await ok(server, action, { StreamARN: arnOf(server, stream), MaxRecordSizeInKiB: 1024 });
      await assertTooLarge(server, "PutRecord", record(2 * mib - 2), "data", 2 * mib - 2, mib);
    });

    it("round-trips a 10 MiB record through PutRecord and GetRecords on a stream raised to 10240 KiB", async () => {
      const stream = randomStreamName("ten-mib");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const StreamARN = arnOf(server, stream);
      await client.send(new UpdateMaxRecordSizeCommand({ StreamARN, MaxRecordSizeInKiB: 10240 }));
      assert.equal((await client.send(new DescribeStreamSummaryCommand({ StreamARN }))).StreamDescriptionSummary!.MaxRecordSizeInKiB, 10240);
      // Data plus partition key: exactly 10 MiB.
      const data = randomBytes(10 * mib - 1);
      const put = await client.send(new PutRecordCommand({ StreamARN, PartitionKey: "k", Data: data }));
      const iterator = await client.send(new GetShardIteratorCommand({ StreamARN, ShardId: put.ShardId!, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: put.SequenceNumber! }));
      const read = await client.send(new GetRecordsCommand({ StreamARN, ShardIterator: iterator.ShardIterator! }));
      assert.equal(read.Records!.length, 1);
      assert.equal(read.Records![0]!.SequenceNumber, put.SequenceNumber);
      assert.equal(read.Records![0]!.PartitionKey, "k");
      assert.ok(Buffer.from(read.Records![0]!.Data!).equals(data), "the record's data came back changed");
      // A byte more is refused, over JSON as over the SDK's HTTP/2.
      await assertTooLarge(server, "PutRecord", (wire) => ({ StreamARN, PartitionKey: "kk", Data: wire.blob(data) }), "data", data.length, 10 * mib);
      await assert.rejects(client.send(new PutRecordsCommand({ StreamARN, Records: [{ PartitionKey: "kk", Data: data }] })), /at 'records.1.member.data'/);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("takes only an ACTIVE stream", async () => {
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 1 });
      await assertError(timed, action, { StreamARN: arnOf(timed, "young"), MaxRecordSizeInKiB: 2048 }, "ResourceInUseException",
        `Stream young under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, action, { StreamARN: arnOf(timed, "young"), MaxRecordSizeInKiB: 2048 });
      assert.equal((await summaryOf(timed, "young")).MaxRecordSizeInKiB, 2048);
    });
  });

  describe("durability", () => {
    it("keeps the maximum, and a 10 MiB record, across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 1 });
        await ok(first, action, { StreamARN: arnOf(first, "durable"), MaxRecordSizeInKiB: 10240 });
        const data = randomBytes(10 * mib - 1);
        const put = await ok(first, "PutRecord", { StreamName: "durable", PartitionKey: "k", Data: data.toString("base64") });
        await ok(first, action, { StreamARN: arnOf(first, "durable"), MaxRecordSizeInKiB: 4096 });
        const again = await restartable.restart();
        assert.equal((await summaryOf(again, "durable")).MaxRecordSizeInKiB, 4096);
        await assertTooLarge(again, "PutRecord", (wire) => ({ StreamName: "durable", PartitionKey: "k", Data: wire.blob(Buffer.alloc(4 * mib)) }), "data", 4 * mib, 4 * mib);
        const iterator = await ok(again, "GetShardIterator", { StreamName: "durable", ShardId: put.ShardId, ShardIteratorType: "TRIM_HORIZON" });
        const read = await ok(again, "GetRecords", { ShardIterator: iterator.ShardIterator });
        assert.ok(Buffer.from(read.Records[0].Data, "base64").equals(data));
      } finally {
        await restartable.close();
      }
    });
  });
});
