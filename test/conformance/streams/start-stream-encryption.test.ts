import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DescribeStreamCommand, DescribeStreamSummaryCommand, KinesisClient, KMSNotFoundException,
  PutRecordCommand, PutRecordsCommand, StartStreamEncryptionCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { readShard } from "../../helpers/streams.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { arnOf, summaryOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "StartStreamEncryption";
const keyUuid = "12345678-1234-1234-1234-123456789012";
const dayMs = 24 * 3600 * 1000;
const kmsNotFound = (keyId: string, region: string) =>
  `Invalid keyId ${keyId}: expected a key id, a key ARN, an alias name prefixed by "alias/" or an alias ARN, of a KMS key in ${region}.`;

describe("StartStreamEncryption", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("start-encryption");
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
    it("rejects an EncryptionType that is not a string", () => assertWrongTypes(server, action, "EncryptionType", "String", { StreamName: name, KeyId: keyUuid }));
    it("rejects a KeyId that is not a string", () => assertWrongTypes(server, action, "KeyId", "String", { StreamName: name, EncryptionType: "KMS" }));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String", { EncryptionType: "KMS", KeyId: keyUuid }));
  });

  describe("validation", () => {
    it("requires EncryptionType and KeyId", () =>
      assertValidation(server, action, { StreamName: name }, [
        "Value null at 'encryptionType' failed to satisfy constraint: Member must not be null",
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { EncryptionType: "AES", KeyId: "", StreamName: "a b" }, [
        "Value 'AES' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, KMS]",
        "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      ]));

    it("takes a KeyId of at most 2048 characters", () => {
      const keyId = `alias/${"k".repeat(2043)}`;
      return assertValidation(server, action, { StreamName: name, EncryptionType: "KMS", KeyId: keyId }, [
        `Value '${keyId}' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { EncryptionType: "KMS", KeyId: keyUuid }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("takes only EncryptionType KMS, before it looks for the stream", () =>
      assertError(server, action, { StreamName: randomStreamName(), EncryptionType: "NONE", KeyId: keyUuid }, "InvalidArgumentException",
        "EncryptionType NONE is not valid for StartStreamEncryption. The only valid value is KMS."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown, EncryptionType: "KMS", KeyId: keyUuid }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("answers KMSNotFoundException for a KeyId that names no KMS key of the region", async () => {
      const other = server.region === "eu-west-1" ? "us-east-1" : "eu-west-1";
      const malformed = [
        "my-key",
        "alias/",
        "alias/has space",
        "12345678-1234-1234-1234-12345678901",
        `arn:aws:kms:${server.region}:123456789012:key/not-a-key-id`,
        `arn:aws:kms:${other}:123456789012:key/${keyUuid}`,
        `arn:aws:kms:${server.region}:1234:alias/short-account`,
        `arn:aws:s3:${server.region}:123456789012:key/${keyUuid}`,
      ];
      for (const keyId of malformed) {
        await assertError(server, action, { StreamName: name, EncryptionType: "KMS", KeyId: keyId }, "KMSNotFoundException", kmsNotFound(keyId, server.region));
      }
      assert.equal((await summaryOf(server, name)).EncryptionType, "NONE");
    });

    it("surfaces KMSNotFoundException as the SDK's modelled exception", async () => {
      const error = await client.send(new StartStreamEncryptionCommand({ StreamName: name, EncryptionType: "KMS", KeyId: "no-such-key" })).catch((caught) => caught);
      assert.ok(error instanceof KMSNotFoundException, String(error));
      assert.equal(error.message, kmsNotFound("no-such-key", server.region));
    });
  });

  describe("behaviour", () => {
    it("takes every documented KeyId form and shows it in DescribeStream and DescribeStreamSummary", async () => {
      const forms = [
        "alias/aws/kinesis",
        "alias/MyAliasName",
        keyUuid,
        `mrk-${"0123456789abcdef".repeat(2)}`,
        `arn:aws:kms:${server.region}:123456789012:key/${keyUuid}`,
        `arn:aws:kms:${server.region}:123456789012:alias/MyAliasName`,
      ];
      for (const keyId of forms) {
        const stream = randomStreamName("key-form");
        await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
        assert.equal(await ok(server, action, { StreamARN: arnOf(server, stream), EncryptionType: "KMS", KeyId: keyId }), undefined);
        const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
        assert.equal(summary.StreamDescriptionSummary!.EncryptionType, "KMS");
        assert.equal(summary.StreamDescriptionSummary!.KeyId, keyId);
        const description = (await client.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription!;
        assert.equal(description.EncryptionType, "KMS");
        assert.equal(description.KeyId, keyId);
      }
    });

    it("encrypts the records written from then on: PutRecord, PutRecords and GetRecords say KMS for those and only those", async () => {
      const stream = randomStreamName("encrypts");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      const before = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "before", Data: Buffer.from("plain") }));
      assert.equal(before.EncryptionType, "NONE");
      await client.send(new StartStreamEncryptionCommand({ StreamName: stream, EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }));
      const single = await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "single", Data: Buffer.from("secret-1"), ExplicitHashKey: "7" }));
      assert.equal(single.EncryptionType, "KMS");
      const batch = await client.send(new PutRecordsCommand({
        StreamName: stream,
        Records: [{ PartitionKey: "batch-a", Data: Buffer.from("secret-2") }, { PartitionKey: "batch-b", Data: Buffer.alloc(0) }],
      }));
      assert.equal(batch.EncryptionType, "KMS");
      assert.equal(batch.FailedRecordCount, 0);

      const records = await readShard(client, stream);
      assert.deepEqual(
        records.map((record) => [record.PartitionKey, Buffer.from(record.Data!).toString(), record.EncryptionType]),
        [["before", "plain", undefined], ["single", "secret-1", "KMS"], ["batch-a", "secret-2", "KMS"], ["batch-b", "", "KMS"]],
      );
      assert.equal(records[1]!.SequenceNumber, single.SequenceNumber);
      // The same, member by member, in both wire formats.
      const iterator = await ok(server, "GetShardIterator", { StreamName: stream, ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" });
      for (const format of ["json", "cbor"] as const) {
        const read = await call(server, format, "GetRecords", { ShardIterator: iterator.ShardIterator });
        assert.equal(read.statusCode, 200);
        assert.deepEqual(read.body.Records.map((record: any) => [record.PartitionKey, record.EncryptionType]),
          [["before", undefined], ["single", "KMS"], ["batch-a", "KMS"], ["batch-b", "KMS"]], format);
        assert.ok(!("EncryptionType" in read.body.Records[0]), `${format}: a record stored in the clear has no EncryptionType`);
      }
    });

    it("rotates to a new key when given another KeyId, and every record stays readable", async () => {
      const stream = randomStreamName("rotates");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      await ok(server, action, { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/first" });
      await ok(server, "PutRecord", { StreamName: stream, PartitionKey: "one", Data: Buffer.from("under the first key").toString("base64") });
      await ok(server, action, { StreamName: stream, EncryptionType: "KMS", KeyId: "alias/second" }, "cbor");
      assert.equal((await summaryOf(server, stream)).KeyId, "alias/second");
      await ok(server, "PutRecord", { StreamName: stream, PartitionKey: "two", Data: Buffer.from("under the second key").toString("base64") });
      const records = await readShard(client, stream);
      assert.deepEqual(records.map((record) => [record.PartitionKey, Buffer.from(record.Data!).toString(), record.EncryptionType]), [
        ["one", "under the first key", "KMS"],
        ["two", "under the second key", "KMS"],
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
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 1 });
      const body = { StreamName: "young", EncryptionType: "KMS", KeyId: keyUuid };
      await assertError(timed, action, body, "ResourceInUseException", `Stream young under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, action, body);
      const summary = await summaryOf(timed, "young");
      assert.deepEqual([summary.StreamStatus, summary.EncryptionType, summary.KeyId], ["UPDATING", "KMS", keyUuid]);
      // Records written while UPDATING are encrypted already (AWS allows either).
      const put = await ok(timed, "PutRecord", { StreamName: "young", PartitionKey: "k", Data: "AA==" });
      assert.equal(put.EncryptionType, "KMS");
      await assertError(timed, action, { ...body, KeyId: "alias/other" }, "ResourceInUseException",
        `Stream young under account ${timed.accountId} not ACTIVE, instead in state UPDATING`);
      clock.advance(1000);
      assert.equal((await summaryOf(timed, "young")).StreamStatus, "ACTIVE");
    });

    it("changes nothing when given the KeyId already in use", async () => {
      await ok(timed, "CreateStream", { StreamName: "same-key", ShardCount: 1 });
      clock.advance(1000);
      await ok(timed, action, { StreamName: "same-key", EncryptionType: "KMS", KeyId: "alias/steady" });
      clock.advance(1000);
      await ok(timed, action, { StreamName: "same-key", EncryptionType: "KMS", KeyId: "alias/steady" });
      const summary = await summaryOf(timed, "same-key");
      assert.deepEqual([summary.StreamStatus, summary.EncryptionType, summary.KeyId], ["ACTIVE", "KMS", "alias/steady"]);
    });

    it("applies at most 25 new keys in any 24 hours", async () => {
      await ok(timed, "CreateStream", { StreamName: "many-keys", ShardCount: 1 });
      clock.advance(1000);
      const firstMs = clock.nowMs();
      for (let key = 0; key < 25; key++) {
        await ok(timed, action, { StreamName: "many-keys", EncryptionType: "KMS", KeyId: `alias/key-${key}` });
        clock.advance(1000);
      }
      const body = { StreamName: "many-keys", EncryptionType: "KMS", KeyId: "alias/key-25" };
      await assertError(timed, action, body, "LimitExceededException",
        `Stream many-keys under account ${timed.accountId} has already applied a new KMS key 25 times in the last 24 hours.`);
      clock.set(firstMs + dayMs);
      await ok(timed, action, body);
      assert.equal((await summaryOf(timed, "many-keys")).KeyId, "alias/key-25");
    });
  });
});
