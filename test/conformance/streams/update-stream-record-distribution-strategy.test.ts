/**
 * UpdateStreamRecordDistributionStrategy and the RecordDistributionStrategy member of CreateStream
 * and DescribeStreamSummary (AWS API reference; streams/latest/dev/service-managed-pk-configure):
 * AUTO only on ON_DEMAND streams, named by StreamARN, in effect at once with the stream ACTIVE,
 * reported by DescribeStreamSummary for ON_DEMAND streams only, kept across a restart. AWS documents
 * InvalidArgumentException for AUTO on a PROVISIONED stream but no text; ours is in its style.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeStreamSummaryCommand, InvalidArgumentException, KinesisClient, PutRecordCommand,
  UpdateStreamRecordDistributionStrategyCommand, ValidationException,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer, summaryOf } from "./stream-settings-helpers.js";
import { kinesisActionOf } from "../../../src/streams/authorization/kinesis-actions.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "UpdateStreamRecordDistributionStrategy";
const arnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
const enumSet = "[AUTO, USER_PARTITION_KEY]";
const remote = process.env.TRIBUTARY_TEST_ENDPOINT !== undefined;

const notOnDemand = (server: TestServer, stream: string) =>
  `Stream ${stream} under account ${server.accountId} is not in ON_DEMAND capacity mode. Record distribution strategy AUTO is only supported for ON_DEMAND streams.`;

describe("UpdateStreamRecordDistributionStrategy", () => {
  let server: TestServer;
  let client: KinesisClient;
  const provisioned = randomStreamName("rds-prov");
  const onDemand = randomStreamName("rds-od");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: provisioned, ShardCount: 2 });
    await ok(server, "CreateStream", { StreamName: onDemand });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a StreamARN that is not a string", () =>
      assertWrongTypes(server, action, "StreamARN", "String", { RecordDistributionStrategy: "AUTO" }));
    it("rejects a RecordDistributionStrategy that is not a string", () =>
      assertWrongTypes(server, action, "RecordDistributionStrategy", "String", { StreamARN: arnOf(server, onDemand) }));
  });

  describe("validation", () => {
    it("requires StreamARN and RecordDistributionStrategy", () =>
      assertValidation(server, action, {}, [
        "Value null at 'streamARN' failed to satisfy constraint: Member must not be null",
        "Value null at 'recordDistributionStrategy' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in the model's member order", () =>
      assertValidation(server, action, { StreamARN: "stream", StreamId: "x", RecordDistributionStrategy: "auto" }, [
        `Value 'stream' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${arnPattern}`,
        "Value 'x' at 'streamId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z0-9]{20}-[a-z0-9]{3}",
        `Value 'auto' at 'recordDistributionStrategy' failed to satisfy constraint: Member must satisfy enum value set: ${enumSet}`,
      ]));

    it("refuses a StreamName in place of StreamARN", () =>
      assertValidation(server, action, { StreamName: onDemand, RecordDistributionStrategy: "AUTO" }, [
        "Value null at 'streamARN' failed to satisfy constraint: Member must not be null",
      ]));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamARN: arnOf(server, unknown), RecordDistributionStrategy: "AUTO" }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("refuses AUTO on a PROVISIONED stream, in JSON, CBOR and through the SDK", async () => {
      await assertError(server, action, { StreamARN: arnOf(server, provisioned), RecordDistributionStrategy: "AUTO" }, "InvalidArgumentException", notOnDemand(server, provisioned));
      const refusal = await client.send(new UpdateStreamRecordDistributionStrategyCommand({ StreamARN: arnOf(server, provisioned), RecordDistributionStrategy: "AUTO" }))
        .then(() => undefined, (error: unknown) => error);
      assert.ok(refusal instanceof InvalidArgumentException);
      assert.equal(refusal.message, notOnDemand(server, provisioned));
      assert.equal(refusal.$metadata.httpStatusCode, 400);
      assert.equal((await summaryOf(server, provisioned)).RecordDistributionStrategy, undefined);
    });

    it("accepts USER_PARTITION_KEY on a PROVISIONED stream, which changes nothing", async () => {
      assert.equal(await ok(server, action, { StreamARN: arnOf(server, provisioned), RecordDistributionStrategy: "USER_PARTITION_KEY" }), undefined);
      const summary = await summaryOf(server, provisioned);
      assert.equal(summary.RecordDistributionStrategy, undefined, "AWS reports the strategy for ON_DEMAND streams only");
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "PROVISIONED" });
    });
  });

  describe("behaviour", () => {
    it("switches an ON_DEMAND stream to AUTO and back at once, the stream staying ACTIVE, in JSON and CBOR", async () => {
      const stream = randomStreamName("switch");
      await ok(server, "CreateStream", { StreamName: stream });
      assert.equal((await summaryOf(server, stream)).RecordDistributionStrategy, "USER_PARTITION_KEY");
      assert.equal(await ok(server, action, { StreamARN: arnOf(server, stream), RecordDistributionStrategy: "AUTO" }), undefined);
      let summary = await summaryOf(server, stream);
      assert.equal(summary.RecordDistributionStrategy, "AUTO");
      assert.equal(summary.StreamStatus, "ACTIVE");
      assert.equal(summary.OpenShardCount, 4);
      await ok(server, action, { StreamARN: arnOf(server, stream), RecordDistributionStrategy: "USER_PARTITION_KEY" }, "cbor");
      summary = await summaryOf(server, stream);
      assert.equal(summary.RecordDistributionStrategy, "USER_PARTITION_KEY");
      assert.equal(summary.StreamStatus, "ACTIVE");
    });

    it("switches through the SDK, which reads the strategy back", async () => {
      const StreamARN = arnOf(server, onDemand);
      const out = await client.send(new UpdateStreamRecordDistributionStrategyCommand({ StreamARN, RecordDistributionStrategy: "AUTO" }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamARN }))).StreamDescriptionSummary!;
      assert.equal(summary.RecordDistributionStrategy, "AUTO");
      // Asking again for the strategy the stream has is accepted and changes nothing.
      await client.send(new UpdateStreamRecordDistributionStrategyCommand({ StreamARN, RecordDistributionStrategy: "AUTO" }));
      assert.equal((await summaryOf(server, onDemand)).RecordDistributionStrategy, "AUTO");
      await client.send(new UpdateStreamRecordDistributionStrategyCommand({ StreamARN, RecordDistributionStrategy: "USER_PARTITION_KEY" }));
      assert.equal((await summaryOf(server, onDemand)).RecordDistributionStrategy, "USER_PARTITION_KEY");
    });

    it("is shown by DescribeStreamSummary only: DescribeStream and ListStreams have no such member", async () => {
      const stream = randomStreamName("shown");
      await ok(server, "CreateStream", { StreamName: stream, RecordDistributionStrategy: "AUTO" });
      assert.equal((await ok(server, "DescribeStream", { StreamName: stream })).StreamDescription.RecordDistributionStrategy, undefined);
      const listed = (await ok(server, "ListStreams", {})).StreamSummaries.find((entry: any) => entry.StreamName === stream);
      assert.equal(listed.RecordDistributionStrategy, undefined);
    });

    it("is authorized as kinesis:UpdateStreamRecordDistributionStrategy on the stream", () => {
      const authorization = kinesisActionOf(action);
      assert.ok(authorization);
      assert.equal(authorization.iamAction, "kinesis:UpdateStreamRecordDistributionStrategy");
      assert.equal(kinesisActionOf("UpdateStreamMode")!.resources, authorization.resources, "resolved as UpdateStreamMode's: the StreamARN's stream");
    });
  });

  describe("UpdateStreamMode while AUTO", () => {
    it("refuses PROVISIONED until the strategy is USER_PARTITION_KEY again", async () => {
      const stream = randomStreamName("mode");
      await ok(server, "CreateStream", { StreamName: stream, RecordDistributionStrategy: "AUTO" });
      const StreamARN = arnOf(server, stream);
      await assertError(server, "UpdateStreamMode", { StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } }, "InvalidArgumentException",
        `Stream ${stream} under account ${server.accountId} uses record distribution strategy AUTO, which PROVISIONED capacity mode does not support. ` +
          "Update its record distribution strategy to USER_PARTITION_KEY first.");
      assert.deepEqual((await summaryOf(server, stream)).StreamModeDetails, { StreamMode: "ON_DEMAND" });
      await ok(server, action, { StreamARN, RecordDistributionStrategy: "USER_PARTITION_KEY" });
      await ok(server, "UpdateStreamMode", { StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } });
      const summary = await summaryOf(server, stream);
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "PROVISIONED" });
      assert.equal(summary.RecordDistributionStrategy, undefined);
    });
  });

  describe("CreateStream's RecordDistributionStrategy", () => {
    it("creates an AUTO stream (ON_DEMAND by default), through the SDK too", async () => {
      const stream = randomStreamName("create-auto");
      await ok(server, "CreateStream", { StreamName: stream, RecordDistributionStrategy: "AUTO" }, "cbor");
      assert.equal((await summaryOf(server, stream)).RecordDistributionStrategy, "AUTO");
      const viaSdk = randomStreamName("create-sdk");
      await client.send(new CreateStreamCommand({ StreamName: viaSdk, StreamModeDetails: { StreamMode: "ON_DEMAND" }, RecordDistributionStrategy: "AUTO" }));
      assert.equal((await summaryOf(server, viaSdk)).RecordDistributionStrategy, "AUTO");
      // Writes without a partition key go through at once.
      const put = await client.send(new PutRecordCommand({ StreamName: viaSdk, Data: Buffer.from("x") }));
      assert.match(put.ShardId!, /^shardId-00000000000[0-3]$/);
    });

    it("refuses AUTO with a PROVISIONED mode, stated or implied by ShardCount", async () => {
      const stream = randomStreamName("create-prov");
      const message = "RecordDistributionStrategy AUTO is not expected when StreamMode=PROVISIONED";
      await assertError(server, "CreateStream", { StreamName: stream, ShardCount: 1, RecordDistributionStrategy: "AUTO" }, "InvalidArgumentException", message);
      await assertError(server, "CreateStream", { StreamName: stream, ShardCount: 1, StreamModeDetails: { StreamMode: "PROVISIONED" }, RecordDistributionStrategy: "AUTO" },
        "InvalidArgumentException", message);
      await assert.rejects(client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1, RecordDistributionStrategy: "AUTO" })), InvalidArgumentException);
      // Nothing was created.
      await assertError(server, "DescribeStreamSummary", { StreamName: stream }, "ResourceNotFoundException", `Stream ${stream} under account ${server.accountId} not found.`);
    });

    it("takes USER_PARTITION_KEY in either mode", async () => {
      const provisionedStream = randomStreamName("create-upk-prov");
      await ok(server, "CreateStream", { StreamName: provisionedStream, ShardCount: 1, RecordDistributionStrategy: "USER_PARTITION_KEY" });
      assert.equal((await summaryOf(server, provisionedStream)).RecordDistributionStrategy, undefined);
      const onDemandStream = randomStreamName("create-upk-od");
      await ok(server, "CreateStream", { StreamName: onDemandStream, RecordDistributionStrategy: "USER_PARTITION_KEY" });
      assert.equal((await summaryOf(server, onDemandStream)).RecordDistributionStrategy, "USER_PARTITION_KEY");
    });

    it("validates the value against the enum, with the other members", async () => {
      await assertValidation(server, "CreateStream", { StreamName: "", RecordDistributionStrategy: "RANDOM" }, [
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        `Value 'RANDOM' at 'recordDistributionStrategy' failed to satisfy constraint: Member must satisfy enum value set: ${enumSet}`,
      ]);
      await assertWrongTypes(server, "CreateStream", "RecordDistributionStrategy", "String", { StreamName: "typed" });
      const refusal = await client.send(new CreateStreamCommand({ StreamName: "typed", RecordDistributionStrategy: "RANDOM" as "AUTO" })).then(() => undefined, (error: unknown) => error);
      assert.ok(refusal instanceof ValidationException);
    });
  });

  describe("status", { skip: remote ? "needs the server's clock (ManualClock)" : false }, () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.UTC(2025, 0, 1));
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000, updateStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("refuses a stream that is not ACTIVE with ResourceInUseException", async () => {
      await ok(timed, "CreateStream", { StreamName: "creating" });
      const StreamARN = arnOf(timed, "creating");
      await assertError(timed, action, { StreamARN, RecordDistributionStrategy: "AUTO" }, "ResourceInUseException",
        `Stream creating under account ${timed.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
      await ok(timed, action, { StreamARN, RecordDistributionStrategy: "AUTO" });
      // In effect at once: no UPDATING period, unlike UpdateStreamMode.
      const summary = await summaryOf(timed, "creating");
      assert.equal(summary.StreamStatus, "ACTIVE");
      assert.equal(summary.RecordDistributionStrategy, "AUTO");
    });
  });

  describe("persistence", { skip: remote ? "restarts the server on its data directory" : false }, () => {
    it("keeps the strategy across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "auto-created", RecordDistributionStrategy: "AUTO" });
        await ok(first, "CreateStream", { StreamName: "auto-updated" });
        await ok(first, action, { StreamARN: arnOf(first, "auto-updated"), RecordDistributionStrategy: "AUTO" });
        await ok(first, "CreateStream", { StreamName: "default" });
        const second = await restartable.restart();
        assert.equal((await summaryOf(second, "auto-created")).RecordDistributionStrategy, "AUTO");
        assert.equal((await summaryOf(second, "auto-updated")).RecordDistributionStrategy, "AUTO");
        assert.equal((await summaryOf(second, "default")).RecordDistributionStrategy, "USER_PARTITION_KEY");
        const put = await ok(second, "PutRecord", { StreamName: "auto-updated", Data: "AA==" });
        assert.match(put.ShardId, /^shardId-00000000000[0-3]$/);
        const refused = await call(second, "json", "PutRecord", { StreamName: "default", Data: "AA==" });
        assert.deepEqual([refused.statusCode, refused.body], [400, {
          __type: "ValidationException",
          message: "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
        }]);
      } finally {
        await restartable.close();
      }
    });
  });
});
