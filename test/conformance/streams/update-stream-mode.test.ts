import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DescribeStreamSummaryCommand, KinesisClient, LimitExceededException, ResourceInUseException, UpdateStreamModeCommand,
} from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, ok } from "../../helpers/wire-assert.js";
import { arnOf, restartableServer, setCommitment, summaryOf } from "./stream-settings-helpers.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "UpdateStreamMode";
const arnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
const dayMs = 24 * 3600 * 1000;

describe("UpdateStreamMode", () => {
  let server: TestServer;
  let client: KinesisClient;
  const name = randomStreamName("mode");
  before(async () => {
    server = await startTestServer();
    client = kinesisClient(server);
    await ok(server, "CreateStream", { StreamName: name, ShardCount: 2 });
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const onDemand = { StreamMode: "ON_DEMAND" } as const;

  describe("serialization", () => {
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String", { StreamModeDetails: onDemand }));
    it("rejects StreamModeDetails that is not a structure", () =>
      assertWrongTypes(server, action, "StreamModeDetails", "Structure", { StreamARN: arnOf(server, name) }));
    it("rejects a StreamMode that is not a string", () =>
      assertWrongTypes(server, action, "StreamModeDetails.StreamMode", "String", { StreamARN: arnOf(server, name) }));
    it("rejects a WarmThroughputMiBps that is not an integer", () =>
      assertWrongTypes(server, action, "WarmThroughputMiBps", "Integer", { StreamARN: arnOf(server, name), StreamModeDetails: onDemand }));
  });

  describe("validation", () => {
    it("requires StreamARN and StreamModeDetails", () =>
      assertValidation(server, action, {}, [
        "Value null at 'streamARN' failed to satisfy constraint: Member must not be null",
        "Value null at 'streamModeDetails' failed to satisfy constraint: Member must not be null",
      ]));

    it("requires StreamMode inside StreamModeDetails", () =>
      assertValidation(server, action, { StreamARN: arnOf(server, name), StreamModeDetails: {} }, [
        "Value null at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in order", () =>
      assertValidation(server, action, { StreamARN: "stream", StreamModeDetails: { StreamMode: "FAST" }, WarmThroughputMiBps: -1 }, [
        `Value 'stream' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: ${arnPattern}`,
        "Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
        "Value '-1' at 'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0",
      ]));

    it("takes WarmThroughputMiBps only with ON_DEMAND", () =>
      assertError(server, action, { StreamARN: arnOf(server, name), StreamModeDetails: { StreamMode: "PROVISIONED" }, WarmThroughputMiBps: 10 },
        "InvalidArgumentException", "WarmThroughputMiBps is not expected when StreamMode=PROVISIONED"));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName();
      return assertError(server, action, { StreamARN: arnOf(server, unknown), StreamModeDetails: onDemand }, "ResourceNotFoundException",
        `Stream ${unknown} under account ${server.accountId} not found.`);
    });

    it("needs the account's billing commitment for WarmThroughputMiBps", () =>
      assertError(server, action, { StreamARN: arnOf(server, name), StreamModeDetails: onDemand, WarmThroughputMiBps: 100 },
        "InvalidArgumentException", `Warm throughput requires MinimumThroughputBillingCommitment to be enabled for account ${server.accountId}.`));
  });

  describe("behaviour", () => {
    it("switches PROVISIONED to ON_DEMAND and back, keeping the shards, in JSON and CBOR", async () => {
      const stream = randomStreamName("switch");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 3 });
      assert.equal(await ok(server, action, { StreamARN: arnOf(server, stream), StreamModeDetails: onDemand }), undefined);
      let summary = await summaryOf(server, stream);
      assert.deepEqual(summary.StreamModeDetails, onDemand);
      assert.equal(summary.OpenShardCount, 3);
      assert.deepEqual((await ok(server, "DescribeStream", { StreamName: stream })).StreamDescription.StreamModeDetails, onDemand);
      const listed = (await ok(server, "ListStreams", {})).StreamSummaries.find((entry: any) => entry.StreamName === stream);
      assert.deepEqual(listed.StreamModeDetails, onDemand);
      await ok(server, action, { StreamARN: arnOf(server, stream), StreamModeDetails: { StreamMode: "PROVISIONED" } }, "cbor");
      summary = await summaryOf(server, stream);
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "PROVISIONED" });
      assert.equal(summary.OpenShardCount, 3);
    });

    it("moves the stream between DescribeLimits' counts", async () => {
      const limitsBefore = await ok(server, "DescribeLimits", {});
      const stream = randomStreamName("counted");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 2 });
      const provisioned = await ok(server, "DescribeLimits", {});
      assert.equal(provisioned.OpenShardCount, limitsBefore.OpenShardCount + 2);
      assert.equal(provisioned.OnDemandStreamCount, limitsBefore.OnDemandStreamCount);
      await ok(server, action, { StreamARN: arnOf(server, stream), StreamModeDetails: onDemand });
      const switched = await ok(server, "DescribeLimits", {});
      assert.equal(switched.OpenShardCount, limitsBefore.OpenShardCount);
      assert.equal(switched.OnDemandStreamCount, limitsBefore.OnDemandStreamCount + 1);
    });

    it("switches through the SDK, which sees the stream's new mode", async () => {
      const stream = randomStreamName("sdk");
      await ok(server, "CreateStream", { StreamName: stream });
      const StreamARN = arnOf(server, stream);
      await client.send(new UpdateStreamModeCommand({ StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } }));
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamARN }))).StreamDescriptionSummary!;
      assert.deepEqual(summary.StreamModeDetails, { StreamMode: "PROVISIONED" });
      assert.equal(summary.OpenShardCount, 4);
    });

    it("changes nothing when the stream already has the mode", async () => {
      const stream = randomStreamName("same");
      await ok(server, "CreateStream", { StreamName: stream, ShardCount: 1 });
      for (let attempt = 0; attempt < 3; attempt++) await ok(server, action, { StreamARN: arnOf(server, stream), StreamModeDetails: { StreamMode: "PROVISIONED" } });
      assert.deepEqual((await summaryOf(server, stream)).StreamModeDetails, { StreamMode: "PROVISIONED" });
      // The no-op switches did not use up the two a day allows.
      await ok(server, action, { StreamARN: arnOf(server, stream), StreamModeDetails: onDemand });
      await ok(server, action, { StreamARN: arnOf(server, stream), StreamModeDetails: { StreamMode: "PROVISIONED" } });
    });

    it("sets warm throughput with ON_DEMAND once the account has the commitment", async () => {
      // An account of its own: the commitment, once enabled, stays in force for at least 24 hours.
      const committed = await startTestServer();
      try {
        await ok(committed, "CreateStream", { StreamName: "warm", ShardCount: 1 });
        await setCommitment(committed, "ENABLED");
        await ok(committed, action, { StreamARN: arnOf(committed, "warm"), StreamModeDetails: onDemand, WarmThroughputMiBps: 64 });
        const summary = await summaryOf(committed, "warm");
        assert.deepEqual(summary.StreamModeDetails, onDemand);
        assert.deepEqual(summary.WarmThroughput, { TargetMiBps: 64, CurrentMiBps: 64 });
      } finally {
        await committed.stop();
      }
    });
  });

  describe("status and limits", () => {
    let timed: TestServer;
    let timedClient: KinesisClient;
    const clock = new ManualClock(Date.now());
    before(async () => {
      timed = await startTestServer({ clock, streams: { updateStreamMs: 1000 } });
      timedClient = kinesisClient(timed);
    });
    after(async () => {
      timedClient.destroy();
      await timed.stop();
    });

    it("is UPDATING for config.updateStreamMs and refuses another change meanwhile", async () => {
      await ok(timed, "CreateStream", { StreamName: "updating", ShardCount: 1 });
      const StreamARN = arnOf(timed, "updating");
      await ok(timed, action, { StreamARN, StreamModeDetails: onDemand });
      assert.equal((await summaryOf(timed, "updating")).StreamStatus, "UPDATING");
      await assertError(timed, action, { StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } }, "ResourceInUseException",
        `Stream updating under account ${timed.accountId} not ACTIVE, instead in state UPDATING`);
      await assert.rejects(timedClient.send(new UpdateStreamModeCommand({ StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } })), ResourceInUseException);
      clock.advance(1000);
      const summary = await summaryOf(timed, "updating");
      assert.equal(summary.StreamStatus, "ACTIVE");
      assert.deepEqual(summary.StreamModeDetails, onDemand);
    });

    it("allows two switches a stream in any 24 hours", async () => {
      await ok(timed, "CreateStream", { StreamName: "switchy", ShardCount: 1 });
      const StreamARN = arnOf(timed, "switchy");
      await ok(timed, action, { StreamARN, StreamModeDetails: onDemand });
      clock.advance(1000);
      await ok(timed, action, { StreamARN, StreamModeDetails: { StreamMode: "PROVISIONED" } });
      clock.advance(1000);
      await assertError(timed, action, { StreamARN, StreamModeDetails: onDemand }, "LimitExceededException",
        `Stream switchy under account ${timed.accountId} has already switched capacity mode 2 times in the last 24 hours.`);
      await assert.rejects(timedClient.send(new UpdateStreamModeCommand({ StreamARN, StreamModeDetails: onDemand })), LimitExceededException);
      // The first switch leaves the window a day after it was made.
      clock.advance(dayMs - 2000);
      await ok(timed, action, { StreamARN, StreamModeDetails: onDemand });
      assert.equal((await summaryOf(timed, "switchy")).StreamStatus, "UPDATING");
    });
  });

  describe("quotas", () => {
    let small: TestServer;
    before(async () => {
      small = await startTestServer({ streams: { shardLimit: 5 } });
    });
    after(() => small.stop());

    it("refuses ON_DEMAND past the account's 50 on-demand streams", async () => {
      await ok(small, "CreateStream", { StreamName: "provisioned", ShardCount: 1 });
      for (let index = 0; index < 50; index++) await ok(small, "CreateStream", { StreamName: `on-demand-${index}` });
      await assertError(small, action, { StreamARN: arnOf(small, "provisioned"), StreamModeDetails: onDemand }, "LimitExceededException",
        `This request would exceed the on-demand stream limit for the account ${small.accountId} in ${small.region}. ` +
          "Current on-demand stream count for the account: 50. Limit: 50. " +
          "Number of additional on-demand streams that would have resulted from this request: 1. " +
          "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.");
      await ok(small, "DeleteStream", { StreamName: "on-demand-0" });
      await ok(small, action, { StreamARN: arnOf(small, "provisioned"), StreamModeDetails: onDemand });
      assert.equal((await ok(small, "DescribeLimits", {})).OnDemandStreamCount, 50);
    });

    it("refuses PROVISIONED when the stream's shards would pass the shard quota", async () => {
      await ok(small, "CreateStream", { StreamName: "big", ShardCount: 4 });
      // A bare CreateStream is ON_DEMAND: make room under the on-demand stream quota first.
    await ok(small, "DeleteStream", { StreamName: "on-demand-1" });
    await ok(small, "CreateStream", { StreamName: "wide" });
      // 4 open shards count now (plus the 50-stream case's, switched to ON_DEMAND); "wide" brings 4 more.
      await assertError(small, action, { StreamARN: arnOf(small, "wide"), StreamModeDetails: { StreamMode: "PROVISIONED" } }, "LimitExceededException",
        `This request would exceed the shard limit for the account ${small.accountId} in ${small.region}. ` +
          "Current shard count for the account: 4. Limit: 5. Number of additional shards that would have resulted from this request: 4. " +
          "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.");
      assert.deepEqual((await summaryOf(small, "wide")).StreamModeDetails, onDemand);
    });
  });

  describe("durability", () => {
    it("keeps the new mode across a restart of the embedded engine", async () => {
      const restartable = await restartableServer();
      try {
        const first = restartable.current();
        await ok(first, "CreateStream", { StreamName: "durable", ShardCount: 2 });
        await ok(first, action, { StreamARN: arnOf(first, "durable"), StreamModeDetails: onDemand });
        const again = await restartable.restart();
        const summary = await summaryOf(again, "durable");
        assert.deepEqual(summary.StreamModeDetails, onDemand);
        assert.equal(summary.StreamStatus, "ACTIVE");
        assert.equal(summary.OpenShardCount, 2);
        assert.equal((await ok(again, "DescribeLimits", {})).OnDemandStreamCount, 1);
      } finally {
        await restartable.close();
      }
    });
  });
});
