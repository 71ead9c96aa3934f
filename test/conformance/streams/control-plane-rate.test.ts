/**
 * AWS's API call rates (src/streams/limits/control-plane-rates.ts, docs/limits.md) on a ManualClock:
 * each action passes its documented number of calls in one instant and refuses the next, with
 * LimitExceededException naming the stream the call names (or the account), and a refused call
 * takes nothing. Per-account limits are shared across streams; ListShards' is per stream and
 * GetShardIterator's per shard.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, call, formats, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";
import { GetShardIteratorCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { controlPlaneRates } from "../../../src/streams/limits/index.js";
import { streamsActions } from "../../../src/streams/actions/index.js";

const accountId = "000000000000";
const remote = process.env.TRIBUTARY_TEST_ENDPOINT !== undefined;
const skip = remote ? "needs the server's clock (ManualClock)" : false;
const shardId = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const streamThrottled = (streamName: string) => `Rate exceeded for stream ${streamName} under account ${accountId}.`;
const accountThrottled = `Rate exceeded for account ${accountId}.`;

describe("Limits > control plane", { skip }, () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const streamA = randomStreamName("rate-a");
  const streamB = randomStreamName("rate-b");
  const arnOf = (name: string) => `arn:aws:kinesis:us-east-1:${accountId}:stream/${name}`;

  before(async () => {
    server = await startTestServer({ clock, limits: "aws" });
    await ok(server, "CreateStream", { StreamName: streamA, ShardCount: 2 });
    await ok(server, "CreateStream", { StreamName: streamB });
    await ok(server, "UpdateAccountSettings", { MinimumThroughputBillingCommitment: { Status: "ENABLED" } });
  });
  after(() => server.stop());

  /** Each test starts on a fresh second: every bucket is full again. */
  const rest = () => clock.advance(1000);

  /** Makes `count` calls that must not be throttled (they may fail for other reasons: a call counts either way). */
  async function spend(action: string, body: unknown, count: number): Promise<void> {
    // Up to 25 at once: the clock stands still, so only the number of calls matters, not their order.
    for (let made = 0; made < count; ) {
      const batch = Math.min(25, count - made);
      const responses = await Promise.all(Array.from({ length: batch }, () => call(server, "json", action, body)));
      for (const response of responses) {
        assert.ok(!/^Rate exceeded/.test(String(response.body?.message)), `${action}: a call of ${count} was throttled: ${JSON.stringify(response.body)}`);
      }
      made += batch;
    }
  }

  // One row per action: a body that names a stream (or none), its documented rate, and AWS's answer past it.
  // `burst`: calls the bucket holds when it differs from one second's (GetShardIterator's 15).
  const table: { action: string; body: () => unknown; rate: number; burst?: number; type: string; message: () => string }[] = [
    { action: "AddTagsToStream", body: () => ({ StreamName: streamA, Tags: { team: "a" } }), rate: 5, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "CreateStream", body: () => ({ StreamName: streamA, ShardCount: 1 }), rate: 5, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "DeleteStream", body: () => ({ StreamName: "no-such-stream" }), rate: 5, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "DescribeAccountSettings", body: () => ({}), rate: 5, type: "LimitExceededException", message: () => accountThrottled },
    { action: "DescribeLimits", body: () => ({}), rate: 1, type: "LimitExceededException", message: () => accountThrottled },
    { action: "DescribeStream", body: () => ({ StreamName: streamA }), rate: 10, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "DescribeStreamSummary", body: () => ({ StreamARN: arnOf(streamA) }), rate: 20, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "ListStreams", body: () => ({}), rate: 5, type: "LimitExceededException", message: () => accountThrottled },
    { action: "ListTagsForStream", body: () => ({ StreamName: streamA }), rate: 5, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "MergeShards", body: () => ({ StreamName: "no-such-stream", ShardToMerge: "shardId-0", AdjacentShardToMerge: "shardId-1" }), rate: 5, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "RemoveTagsFromStream", body: () => ({ StreamName: streamA, TagKeys: ["gone"] }), rate: 5, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "SplitShard", body: () => ({ StreamName: "no-such-stream", ShardToSplit: "shardId-0", NewStartingHashKey: "10" }), rate: 5, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "UpdateAccountSettings", body: () => ({ MinimumThroughputBillingCommitment: { Status: "ENABLED" } }), rate: 5, type: "LimitExceededException", message: () => accountThrottled },
    { action: "UpdateShardCount", body: () => ({ StreamName: "no-such-stream", ScalingType: "UNIFORM_SCALING", TargetShardCount: 2 }), rate: 10, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "UpdateStreamWarmThroughput", body: () => ({ StreamName: streamB, WarmThroughputMiBps: 1 }), rate: 5, type: "LimitExceededException", message: () => streamThrottled(streamB) },
    { action: "GetShardIterator", body: () => ({ StreamName: streamA, ShardId: shardId(0), ShardIteratorType: "LATEST" }), rate: 5, burst: 15, type: "ProvisionedThroughputExceededException", message: () => `Rate exceeded for shard ${shardId(0)} in stream ${streamA} under account ${accountId}.` },
    { action: "ListShards", body: () => ({ StreamName: streamA }), rate: 1000, type: "LimitExceededException", message: () => streamThrottled(streamA) },
    { action: "RegisterStreamConsumer", body: () => ({ StreamARN: arnOf("no-such-stream"), ConsumerName: "c" }), rate: 5, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "DeregisterStreamConsumer", body: () => ({ StreamARN: arnOf("no-such-stream"), ConsumerName: "c" }), rate: 5, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "DescribeStreamConsumer", body: () => ({ ConsumerARN: `${arnOf("no-such-stream")}/consumer/c:1` }), rate: 20, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    // One call a second per consumer and shard; refused before the event stream starts, as a plain error.
    { action: "SubscribeToShard", body: () => ({ ConsumerARN: `${arnOf("no-such-stream")}/consumer/c:1`, ShardId: shardId(0), StartingPosition: { Type: "LATEST" } }), rate: 1, type: "LimitExceededException", message: () => streamThrottled("no-such-stream") },
    { action: "ListStreamConsumers", body: () => ({ StreamARN: arnOf(streamA) }), rate: 5, type: "LimitExceededException", message: () => streamThrottled(streamA) },
  ];

  describe("each action's documented rate", () => {
    for (const row of table) {
      it(`${row.action} passes ${row.rate} call${row.rate > 1 ? "s" : ""} a second and refuses the next, in JSON and CBOR`, async () => {
        rest();
        if (row.burst !== undefined) clock.advance(1000 * Math.ceil(row.burst / row.rate));
        await spend(row.action, row.body(), row.burst ?? row.rate);
        await assertError(server, row.action, row.body(), row.type, row.message());
        // A refused call took nothing: one call's worth of time later, exactly one more passes.
        clock.advance(1000 / row.rate);
        await spend(row.action, row.body(), 1);
        await assertError(server, row.action, row.body(), row.type, row.message());
      });
    }

    it("covers every rate in the table that the service serves, and only actions AWS has", () => {
      const served = new Set(table.map((row) => row.action));
      const notYetServed = ["DeregisterStreamConsumer", "DescribeStreamConsumer", "ListStreamConsumers", "RegisterStreamConsumer", "SubscribeToShard"];
      for (const [action, rate] of Object.entries(controlPlaneRates)) {
        if (Object.hasOwn(streamsActions, action)) {
          assert.ok(served.has(action), `${action} is limited but has no row here`);
          assert.equal(rate.callsPerSecond, table.find((row) => row.action === action)!.rate, action);
          assert.equal(rate.burstCalls, table.find((row) => row.action === action)!.burst, action);
        } else {
          assert.ok(notYetServed.includes(action), `${action} is neither served nor a known Kinesis action`);
        }
      }
    });
  });

  describe("scopes", () => {
    it("shares a per-account rate across streams: DescribeStream's tenth call names whichever stream it asks for", async () => {
      rest();
      await spend("DescribeStream", { StreamName: streamA }, 5);
      await spend("DescribeStream", { StreamName: streamB }, 5);
      await assertError(server, "DescribeStream", { StreamName: streamB }, "LimitExceededException", streamThrottled(streamB));
      await assertError(server, "DescribeStream", { StreamARN: arnOf(streamA) }, "LimitExceededException", streamThrottled(streamA));
    });

    it("keeps ListShards' 1,000 calls a second per stream", async () => {
      rest();
      await spend("ListShards", { StreamName: streamA }, 1000);
      await assertError(server, "ListShards", { StreamName: streamA }, "LimitExceededException", streamThrottled(streamA));
      await spend("ListShards", { StreamName: streamB }, 1);
    });

    it("keeps GetShardIterator's five calls a second per shard after a burst of 15, whichever way the shard is spelled", async () => {
      clock.advance(3000);
      const body = (shard: string) => ({ StreamName: streamA, ShardId: shard, ShardIteratorType: "LATEST" });
      await spend("GetShardIterator", body("shardId-000000000000"), 8);
      await spend("GetShardIterator", body("shardId-0"), 7);
      await assertError(server, "GetShardIterator", body("0"), "ProvisionedThroughputExceededException", `Rate exceeded for shard ${shardId(0)} in stream ${streamA} under account ${accountId}.`);
      await spend("GetShardIterator", body(shardId(1)), 15);
      // Then the rate: one call every 200 ms.
      clock.advance(200);
      await spend("GetShardIterator", body(shardId(0)), 1);
      await assertError(server, "GetShardIterator", body(shardId(0)), "ProvisionedThroughputExceededException", `Rate exceeded for shard ${shardId(0)} in stream ${streamA} under account ${accountId}.`);
    });

    it("answers an invalid GetShardIterator with its own error, never a throttle, and charges it nothing (JSON, CBOR, SDK)", async () => {
      clock.advance(3000);
      const valid = { StreamName: streamA, ShardId: shardId(1), ShardIteratorType: "LATEST" };
      const invalid: [unknown, string, string][] = [
        [{ ...valid, ShardIteratorType: "AT_SEQUENCE_NUMBER" }, "InvalidArgumentException",
          "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."],
        [{ ...valid, ShardIteratorType: "AT_SEQUENCE_NUMBER", StartingSequenceNumber: "5" }, "InvalidArgumentException",
          `Invalid StartingSequenceNumber. It encodes shardId-000000000005, while it was used in a call to a shard with ${shardId(1)}`],
        [{ ...valid, ShardId: shardId(9) }, "ResourceNotFoundException", `Shard ${shardId(9)} in stream ${streamA} under account ${accountId} does not exist`],
        [{ ...valid, ShardIteratorType: "AT_TIMESTAMP" }, "InvalidArgumentException",
          "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."],
      ];
      // Twenty invalid calls in one instant, in both formats: each gets its own error...
      for (let round = 0; round < 5; round++) {
        for (const [body, type, message] of invalid) await assertError(server, "GetShardIterator", body, type, message);
      }
      // ...and the shard's whole burst is still there.
      await spend("GetShardIterator", valid, 15);
      await assertError(server, "GetShardIterator", valid, "ProvisionedThroughputExceededException", `Rate exceeded for shard ${shardId(1)} in stream ${streamA} under account ${accountId}.`);
      // With the bucket empty, an invalid call still gets its own error, through the SDK too.
      for (const [body, type, message] of invalid) await assertError(server, "GetShardIterator", body, type, message);
      const sdk = new KinesisClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "y" }, maxAttempts: 1 });
      try {
        await assert.rejects(
          sdk.send(new GetShardIteratorCommand({ StreamName: streamA, ShardId: shardId(1), ShardIteratorType: "AT_SEQUENCE_NUMBER" })),
          (error: Error) => error.name === "InvalidArgumentException",
        );
        await assert.rejects(sdk.send(new GetShardIteratorCommand(valid as never)), (error: Error) => error.name === "ProvisionedThroughputExceededException");
      } finally {
        sdk.destroy();
      }
    });

    it("does not limit actions whose API reference names no rate", async () => {
      rest();
      for (let made = 0; made < 30; made++) await ok(server, "ListTagsForResource", { ResourceARN: arnOf(streamA) });
      for (let made = 0; made < 30; made++) await ok(server, "GetResourcePolicy", { ResourceARN: arnOf(streamA) });
    });

    it("counts a throttled call in neither wire format: CBOR and JSON share the bucket", async () => {
      rest();
      await spend("ListStreams", {}, 5);
      for (const format of formats) {
        const response = await call(server, format, "ListStreams", {});
        assert.equal(response.statusCode, 400);
        assert.deepEqual(response.body, { __type: "LimitExceededException", message: accountThrottled });
      }
      clock.advance(200);
      assert.equal((await call(server, "cbor", "ListStreams", {})).statusCode, 200);
    });
  });

  describe("account shard quota and DescribeLimits", () => {
    it("reports the quota and the PROVISIONED open shards, and CreateStream still refuses what would exceed it", async () => {
      rest();
      const limits = await ok(server, "DescribeLimits", {});
      assert.equal(limits.ShardLimit, 500);
      assert.equal(limits.OpenShardCount, 2);
      assert.equal(limits.OnDemandStreamCount, 1);
      rest();
      const name = randomStreamName("rate-quota");
      await assertError(
        server,
        "CreateStream",
        { StreamName: name, ShardCount: 499 },
        "LimitExceededException",
        `This request would exceed the shard limit for the account ${accountId} in us-east-1. Current shard count for the account: 2. Limit: 500. ` +
          "Number of additional shards that would have resulted from this request: 499. Refer to the AWS Service Limits page " +
          "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
      );
    });
  });
});
