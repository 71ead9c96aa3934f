import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, call, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "DescribeStreamSummary";

describe("DescribeStreamSummary", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  describe("serialization", () => {
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
  });

  describe("validation", () => {
    it("rejects an empty name", () =>
      assertValidation(server, action, { StreamName: "" }, [
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ]));

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, {}, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamName: unknown }, "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("behaviour", () => {
    it("summarises the stream in JSON and CBOR", async () => {
      const name = randomStreamName();
      await ok(server, "CreateStream", { StreamName: name, ShardCount: 3 });
      const json = (await call(server, "json", action, { StreamName: name })).body.StreamDescriptionSummary;
      const cbor = (await call(server, "cbor", action, { StreamName: name })).body.StreamDescriptionSummary;
      const expected = {
        StreamName: name,
        StreamARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`,
        StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: "PROVISIONED" },
        RetentionPeriodHours: 24,
        EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
        EncryptionType: "NONE",
        OpenShardCount: 3,
        ConsumerCount: 0,
        MaxRecordSizeInKiB: 1024,
      };
      assert.deepEqual({ ...json, StreamCreationTimestamp: undefined }, { ...expected, StreamCreationTimestamp: undefined });
      assert.deepEqual({ ...cbor, StreamCreationTimestamp: undefined }, { ...expected, StreamCreationTimestamp: undefined });
      assert.equal(cbor.StreamCreationTimestamp.tag1, Math.round(json.StreamCreationTimestamp * 1000));
    });

    it("summarises through the SDK", async () => {
      const name = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: name });
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamARN: `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}` })))
        .StreamDescriptionSummary!;
      assert.equal(summary.StreamName, name);
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "ON_DEMAND" });
      assert.equal(summary.OpenShardCount, 4);
      assert.ok(summary.StreamCreationTimestamp instanceof Date);
      assert.ok(Math.abs(summary.StreamCreationTimestamp.getTime() - Date.now()) < 60_000);
    });
  });

  describe("status", () => {
    let timed: TestServer;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { createStreamMs: 1000 } });
    });
    after(() => timed.stop());

    it("counts no open shards while the stream is CREATING", async () => {
      await ok(timed, "CreateStream", { StreamName: "young", ShardCount: 2 });
      const creating = (await ok(timed, action, { StreamName: "young" })).StreamDescriptionSummary;
      assert.equal(creating.StreamStatus, "CREATING");
      assert.equal(creating.OpenShardCount, 0);
      clock.advance(1000);
      assert.equal((await ok(timed, action, { StreamName: "young" })).StreamDescriptionSummary.OpenShardCount, 2);
    });

    it("counts the registered consumers, CREATING ones too, until their deregistration is done", async () => {
      const consumerCount = async () => (await ok(timed, action, { StreamName: "young" })).StreamDescriptionSummary.ConsumerCount;
      const StreamARN = `arn:aws:kinesis:${timed.region}:${timed.accountId}:stream/young`;
      assert.equal(await consumerCount(), 0);
      await ok(timed, "RegisterStreamConsumer", { StreamARN, ConsumerName: "one" });
      await ok(timed, "RegisterStreamConsumer", { StreamARN, ConsumerName: "two" });
      assert.equal(await consumerCount(), 2);
      clock.advance(1000);
      assert.equal(await consumerCount(), 2);
      // deleteStreamMs is 0 here: a deregistered consumer is gone at once.
      await ok(timed, "DeregisterStreamConsumer", { StreamARN, ConsumerName: "one" });
      assert.equal(await consumerCount(), 1);
    });
  });
});
