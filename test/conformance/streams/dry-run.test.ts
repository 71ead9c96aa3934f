/**
 * DryRun on the data plane (PutRecord, PutRecords, GetRecords, SubscribeToShard; the current
 * model's member; GetShardIterator too, docs: streams/latest/dev/kds-dryrun-validation): with DryRun true a request
 * that passes every check answers HTTP 400 DryRunOperationException and reads or writes nothing;
 * one that fails a check answers that check's error, as without DryRun. DryRun false is an
 * ordinary request.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DryRunOperationException, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertWrongTypes, call, formats, ok } from "../../helpers/wire-assert.js";
import { arnOf } from "./stream-settings-helpers.js";

const dryRunMessage = "The request would have succeeded, but the DryRun parameter was set.";
const shardId = "shardId-000000000000";

describe("DryRun", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("dry-run");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 1 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  /** Everything in the stream's one shard, from the start. */
  async function recordCount(): Promise<number> {
    const { ShardIterator } = await ok(server, "GetShardIterator", { StreamName: name, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" });
    return (await ok(server, "GetRecords", { ShardIterator })).Records.length;
  }

  /** One error in JSON and CBOR, `body` spelling a record's blob for each (base64 text, byte string). */
  async function assertBoth(action: string, body: (data: string | Uint8Array) => unknown, type: string, message: string): Promise<void> {
    for (const format of formats) {
      const response = await call(server, format, action, body(format === "json" ? "AA==" : new Uint8Array([0])));
      assert.deepEqual([response.statusCode, response.body], [400, { __type: type, message }], format);
    }
  }

  it("is a boolean member", () => assertWrongTypes(server, "GetRecords", "DryRun", "Boolean", { ShardIterator: "x" }));

  it("PutRecord and PutRecords answer DryRunOperationException (400) and write nothing, in JSON and CBOR", async () => {
    const before = await recordCount();
    await assertBoth("PutRecord", (Data) => ({ StreamName: name, PartitionKey: "a", Data, DryRun: true }), "DryRunOperationException", dryRunMessage);
    await assertBoth("PutRecords", (Data) => ({ StreamARN: arnOf(server, name), Records: [{ PartitionKey: "a", Data }], DryRun: true }),
      "DryRunOperationException", dryRunMessage);
    assert.equal(await recordCount(), before);
  });

  it("DryRun false is an ordinary request", async () => {
    const before = await recordCount();
    const put = await ok(server, "PutRecord", { StreamName: name, PartitionKey: "a", Data: "AA==", DryRun: false });
    assert.equal(put.ShardId, shardId);
    assert.equal(await recordCount(), before + 1);
  });

  it("a request that fails a check answers that check's error, not DryRunOperationException", async () => {
    const unknown = randomStreamName("missing");
    await assertBoth("PutRecord", (Data) => ({ StreamName: unknown, PartitionKey: "a", Data, DryRun: true }), "ResourceNotFoundException",
      `Stream ${unknown} under account ${server.accountId} not found.`);
    await assertBoth("PutRecords", (Data) => ({ StreamName: name, Records: [{ PartitionKey: "", Data }], DryRun: true }), "ValidationException",
      "1 validation error detected: Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1");
    await assertBoth("PutRecord", (Data) => ({ StreamName: name, PartitionKey: "a", ExplicitHashKey: "340282366920938463463374607431768211456", Data, DryRun: true }),
      "InvalidArgumentException",
      "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456");
    await assertError(server, "GetRecords", { ShardIterator: "not-an-iterator", DryRun: true }, "InvalidArgumentException", "Invalid ShardIterator.");
  });

  it("GetRecords answers DryRunOperationException and leaves the iterator usable", async () => {
    await ok(server, "PutRecord", { StreamName: name, PartitionKey: "a", Data: "AQ==" });
    const { ShardIterator } = await ok(server, "GetShardIterator", { StreamName: name, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" });
    await assertError(server, "GetRecords", { ShardIterator, DryRun: true }, "DryRunOperationException", dryRunMessage);
    assert.ok((await ok(server, "GetRecords", { ShardIterator })).Records.length > 0);
  });

  it("GetShardIterator answers DryRunOperationException after its checks", async () => {
    const body = { StreamName: name, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON", DryRun: true };
    for (const format of formats) {
      const response = await call(server, format, "GetShardIterator", body);
      assert.deepEqual([response.statusCode, response.body], [400, { __type: "DryRunOperationException", message: dryRunMessage }], format);
    }
    await assertError(server, "GetShardIterator", { ...body, ShardId: "shardId-000000000009" }, "ResourceNotFoundException",
      `Shard shardId-000000000009 in stream ${name} under account ${server.accountId} does not exist`);
    await assertError(server, "GetShardIterator", { ...body, ShardIteratorType: "AT_SEQUENCE_NUMBER" }, "InvalidArgumentException",
      "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber.");
    await assert.rejects(
      client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: "LATEST", DryRun: true })),
      DryRunOperationException,
    );
  });

  it("SubscribeToShard answers DryRunOperationException before any event stream", async () => {
    const { Consumer } = await ok(server, "RegisterStreamConsumer", { StreamARN: arnOf(server, name), ConsumerName: "dry" });
    const body = { ConsumerARN: Consumer.ConsumerARN, ShardId: shardId, StartingPosition: { Type: "LATEST" }, DryRun: true };
    await assertError(server, "SubscribeToShard", body, "DryRunOperationException", dryRunMessage);
    await assertError(server, "SubscribeToShard", { ...body, ShardId: "shardId-000000000009" }, "ResourceNotFoundException",
      `Shard shardId-000000000009 in stream ${name} under account ${server.accountId} does not exist`);
  });

  it("the SDK raises DryRunOperationException", async () => {
    for (const command of [
      new PutRecordCommand({ StreamName: name, PartitionKey: "a", Data: new Uint8Array([1]), DryRun: true }),
      new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: "a", Data: new Uint8Array([1]) }], DryRun: true }),
    ]) {
      await assert.rejects(client.send(command as PutRecordCommand), (error: unknown) => {
        assert.ok(error instanceof DryRunOperationException);
        assert.equal(error.message, dryRunMessage);
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      });
    }
    const { ShardIterator } = await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: "LATEST" }));
    await assert.rejects(client.send(new GetRecordsCommand({ ShardIterator, DryRun: true })), DryRunOperationException);
  });
});
