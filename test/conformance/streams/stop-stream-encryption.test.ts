import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DescribeStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand,
  PutRecordsCommand, StartStreamEncryptionCommand, StopStreamEncryptionCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { readShard } from "../../helpers/streams.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { arnOf, summaryOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "StopStreamEncryption";
const keyArn = (region: string) => `arn:aws:kms:${region}:123456789012:key/12345678-1234-1234-1234-123456789012`;

describe("StopStreamEncryption", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("stop-encryption");
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
    it("rejects an EncryptionType that is not a string", () => assertWrongTypes(server, action, "EncryptionType", "String", { StreamName: name, KeyId: "alias/aws/kinesis" }));
    it("rejects a KeyId that is not a string", () => assertWrongTypes(server, action, "KeyId", "String", { StreamName: name, EncryptionType: "KMS" }));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }));
  });

  describe("validation", () => {
    it("requires EncryptionType and KeyId", () =>
      assertValidation(server, action, { StreamName: name }, [
        "Value null at 'encryptionType' failed to satisfy constraint: Member must not be null",
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { EncryptionType: "kms", KeyId: "", StreamARN: "stream" }, [
        "Value 'kms' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, KMS]",
        "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value 'stream' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+",
      ]));

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("takes only EncryptionType KMS", () =>
      assertError(server, action, { StreamName: name, EncryptionType: "NONE", KeyId: "alias/aws/kinesis" }, "InvalidArgumentException",
        "EncryptionType NONE is not valid for StopStreamEncryption. The only valid value is KMS."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamARN: arnOf(server, unknown), EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("answers KMSNotFoundException for a KeyId that names no KMS key", () =>
      assertError(server, action, { StreamName: name, EncryptionType: "KMS", KeyId: "alias/" }, "KMSNotFoundException",
        `Invalid keyId alias/: expected a key id, a key ARN, an alias name prefixed by "alias/" or an alias ARN, of a KMS key in ${server.region}.`));
  });

  describe("behaviour", () => {
    it("stores new records in the clear again and keeps the encrypted ones readable", async () => {
      const stream = randomStreamName("stops");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "before", Data: Buffer.from("zero") }));
      await client.send(new StartStreamEncryptionCommand({ StreamName: stream, EncryptionType: "KMS", KeyId: keyArn(server.region) }));
      await client.send(new PutRecordsCommand({ StreamName: stream, Records: [{ PartitionKey: "during", Data: Buffer.from("one"), ExplicitHashKey: "42" }] }));
      await client.send(new StopStreamEncryptionCommand({ StreamName: stream, EncryptionType: "KMS", KeyId: keyArn(server.region) }));

      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary!;
      assert.equal(summary.EncryptionType, "NONE");
      assert.equal(summary.KeyId, undefined);
      const description = (await client.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription!;
      assert.deepEqual([description.EncryptionType, description.KeyId], ["NONE", undefined]);
      const single = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "after", Data: Buffer.from("two") }));
      assert.equal(single.EncryptionType, "NONE");
      const batch = await client.send(new PutRecordsCommand({ StreamName: stream, Records: [{ PartitionKey: "after-batch", Data: Buffer.from("three") }] }));
      assert.equal(batch.EncryptionType, "NONE");

      const records = await readShard(client, stream);
      assert.deepEqual(records.map((record) => [record.PartitionKey, Buffer.from(record.Data!).toString(), record.EncryptionType]), [
        ["before", "zero", undefined],
        ["during", "one", "KMS"],
        ["after", "two", undefined],
        ["after-batch", "three", undefined],
      ]);
      const iterator = await ok(server, "GetShardIterator", { StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
      for (const format of ["json", "cbor"] as const) {
        const read = await call(server, format, "GetRecords", { ShardIterator: iterator.ShardIterator });
        assert.deepEqual(read.body.Records.map((record: any) => record.EncryptionType ?? "-"), ["-", "KMS", "-", "-"], format);
      }
    });

    it("encrypts again under a new key after a stop, and all three periods read back", async () => {
      const stream = randomStreamName("restarts");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const put = (key: string) => ok(server, "PutRecord", { StreamName: stream, PartitionKey: key, Data: Buffer.from(`data ${key}`).toString("base64") });
      await ok(server, "StartStreamEncryption", { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      await put("first");
      await ok(server, action, { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }, "cbor");
      await put("clear");
      await ok(server, "StartStreamEncryption", { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" });
      await put("second");
      const records = await readShard(client, stream);
      assert.deepEqual(records.map((record) => [record.PartitionKey, Buffer.from(record.Data!).toString(), record.EncryptionType]), [
        ["first", "data first", "KMS"],
        ["clear", "data clear", undefined],
        ["second", "data second", "KMS"],
      ]);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000, updateStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("takes only an ACTIVE stream, then leaves it UPDATING for updateStreamMs", async () => {
      await ok(timed, "CreateStream", { StreamName: "timed", ShardCount: 1 });
      const body = { StreamName: "timed", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" };
      await assertError(timed, action, body, "ResourceInUseException", `Stream timed under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, "StartStreamEncryption", body);
      await assertError(timed, action, body, "ResourceInUseException", `Stream timed under account ${timed.accountId} not ACTIVE, instead in state UPDATING`);
      clock.advance(1000);
      await ok(timed, action, body);
      const summary = await summaryOf(timed, "timed");
      assert.deepEqual([summary.StreamStatus, summary.EncryptionType, summary.KeyId], ["UPDATING", "NONE", undefined]);
      clock.advance(1000);
      assert.equal((await summaryOf(timed, "timed")).StreamStatus, "ACTIVE");
    });

    it("leaves a stream that is not encrypted as it is", async () => {
      await ok(timed, "CreateStream", { StreamName: "clear", ShardCount: 1 });
      clock.advance(1000);
      assert.equal(await ok(timed, action, { StreamName: "clear", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }), undefined);
      const summary = await summaryOf(timed, "clear");
      assert.deepEqual([summary.StreamStatus, summary.EncryptionType], ["ACTIVE", "NONE"]);
    });
  });
});
