import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { DescribeStreamSummaryCommand, KinesisClient, ListShardsCommand, UpdateShardCountCommand } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { assertError, assertValidation, assertWrongTypes, formats, ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";

const action = "UpdateShardCount";
const namePattern = "[a-zA-Z0-9_.-]+";
const keySpace = 1n << 128n;

/** The ranges AWS gives n uniform shards, computed here rather than by src/core: floor(2^128 / n) each, the last takes the rest. */
function uniformRanges(count: number): { StartingHashKey: string; EndingHashKey: string }[] {
  const width = keySpace / BigInt(count);
  return Array.from({ length: count }, (_, i) => ({
    StartingHashKey: (width * BigInt(i)).toString(),
    EndingHashKey: (i === count - 1 ? keySpace - 1n : width * BigInt(i + 1) - 1n).toString(),
  }));
}

/**
 * Open shards that cover the key space in ranges within 2^64 keys (a negligible sliver) of the
 * uniform ones: what scaling a stream whose boundaries round differently (thirds to sixths) gives.
 */
function assertNearlyUniform(open: readonly ListedShard[], count: number): void {
  const ideal = uniformRanges(count);
  assert.equal(open.length, count);
  assert.equal(open[0]!.HashKeyRange.StartingHashKey, "0");
  assert.equal(open[count - 1]!.HashKeyRange.EndingHashKey, (keySpace - 1n).toString());
  open.forEach((shard, index) => {
    const start = BigInt(shard.HashKeyRange.StartingHashKey);
    const off = start - BigInt(ideal[index]!.StartingHashKey);
    assert.ok(off < 1n << 64n && off > -(1n << 64n), `shard ${index} starts ${off} keys off`);
    if (index > 0) assert.equal(BigInt(open[index - 1]!.HashKeyRange.EndingHashKey) + 1n, start);
  });
}

interface ListedShard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

const id = (index: number) => `shardId-${String(index).padStart(12, "0")}`;

describe("UpdateShardCount", () => {
  let server: TestServer;
  let client: KinesisClient;
  const clock = new ManualClock(Date.now());
  before(async () => {
    server = await startTestServer({ clock, streams: { createStreamMs: 1000, updateStreamMs: 1000, shardLimit: 100 } });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });
  const arnOf = (name: string) => `arn:aws:kinesis:${server.region}:${server.accountId}:stream/${name}`;

  async function activeStream(prefix: string, body: Record<string, unknown>): Promise<string> {
    const name = randomStreamName(prefix);
    await ok(server, "CreateStream", { StreamName: name, ...body });
    clock.advance(1000);
    return name;
  }

  /** Scales and lets the change take effect; returns every listed shard. */
  async function scale(name: string, target: number): Promise<ListedShard[]> {
    await ok(server, action, { StreamName: name, TargetShardCount: target, ScalingType: "UNIFORM_SCALING" });
    clock.advance(1000);
    return (await ok(server, "ListShards", { StreamName: name })).Shards;
  }

  /** The open shards in hash key order. */
  const openOf = (shards: readonly ListedShard[]) =>
    shards
      .filter((shard) => shard.SequenceNumberRange.EndingSequenceNumber === undefined)
      .sort((a, b) => (BigInt(a.HashKeyRange.StartingHashKey) < BigInt(b.HashKeyRange.StartingHashKey) ? -1 : 1));
  const lineage = (shards: readonly ListedShard[]) =>
    shards.map((shard) => [shard.ShardId, shard.ParentShardId ?? null, shard.AdjacentParentShardId ?? null, shard.SequenceNumberRange.EndingSequenceNumber === undefined]);

  describe("serialization", () => {
    it("rejects a ScalingType that is not a string", () => assertWrongTypes(server, action, "ScalingType", "String"));
    it("rejects a StreamName that is not a string", () => assertWrongTypes(server, action, "StreamName", "String"));
    it("rejects a TargetShardCount that is not an integer", () => assertWrongTypes(server, action, "TargetShardCount", "Integer"));
    it("rejects a StreamARN that is not a string", () => assertWrongTypes(server, action, "StreamARN", "String"));
  });

  describe("validation", () => {
    it("needs ScalingType and TargetShardCount", () =>
      assertValidation(server, action, {}, [
        "Value null at 'scalingType' failed to satisfy constraint: Member must not be null",
        "Value null at 'targetShardCount' failed to satisfy constraint: Member must not be null",
      ]));

    it("reports every broken constraint, in AWS's order", () =>
      assertValidation(server, action, { StreamName: "", ScalingType: "", TargetShardCount: 0 }, [
        "Value '' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: [UNIFORM_SCALING]",
        `Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`,
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
        "Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
      ]));

    it("rejects an over-long StreamName", () => {
      const long = "a".repeat(129);
      return assertValidation(server, action, { StreamName: long, ScalingType: "UNIFORM_SCALING", TargetShardCount: 1 }, [
        `Value '${long}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ]);
    });

    it("needs StreamName or StreamARN", () =>
      assertError(server, action, { ScalingType: "UNIFORM_SCALING", TargetShardCount: 2 }, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."));

    it("answers ResourceNotFoundException for an unknown stream", () => {
      const unknown = randomStreamName("nowhere");
      return assertError(server, action, { StreamName: unknown, ScalingType: "UNIFORM_SCALING", TargetShardCount: 2 },
        "ResourceNotFoundException", `Stream ${unknown} under account ${server.accountId} not found.`);
    });
  });

  describe("limits", () => {
    const body = (name: string, target: number) => ({ StreamName: name, ScalingType: "UNIFORM_SCALING", TargetShardCount: target });

    it("refuses an ON_DEMAND stream", async () => {
      const onDemand = await activeStream("scale-on-demand", { StreamModeDetails: { StreamMode: "ON_DEMAND" } });
      await assertError(server, action, body(onDemand, 8), "ValidationException", `Request is invalid. Stream ${onDemand} under account ${server.accountId} is in On-Demand mode.`);
    });

    it("checks that the stream is ACTIVE before the scaling limits", async () => {
      const creating = randomStreamName("scale-creating");
      await ok(server, "CreateStream", { StreamName: creating, ShardCount: 1 });
      await assertError(server, action, body(creating, 50), "ResourceInUseException", `Stream ${creating} under account ${server.accountId} not ACTIVE, instead in state CREATING`);
      clock.advance(1000);
    });

    it("refuses more than double the open shards", async () => {
      const name = await activeStream("scale-double", { ShardCount: 2 });
      await assertError(server, action, body(name, 5), "LimitExceededException",
        "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 2, Target shard count: 5");
    });

    it("refuses an eleventh scaling within 24 hours, and allows it once the first leaves the window", async () => {
      const name = await activeStream("scale-ten", { ShardCount: 1 });
      // Ten scalings, alternating 1 -> 2 -> 1 ..., an hour apart.
      for (let i = 0; i < 10; i++) {
        await scale(name, i % 2 === 0 ? 2 : 1);
        clock.advance(3_600_000 - 1000);
      }
      const message = `Stream ${name} under account ${server.accountId} has already been scaled by UpdateShardCount 10 times in the last 24 hours.`;
      await assertError(server, action, body(name, 2), "LimitExceededException", message);
      // The first scaling was 10 h ago: 14 h more and it is out of the rolling window.
      clock.advance(14 * 3_600_000);
      assert.equal((await ok(server, action, body(name, 2))).TargetShardCount, 2);
      clock.advance(1000);
      await assertError(server, action, body(name, 1), "LimitExceededException", message);
    });

    it("refuses less than half the open shards", async () => {
      const name = await activeStream("scale-half", { ShardCount: 6 });
      await assertError(server, action, body(name, 2), "LimitExceededException",
        "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 6, Target shard count: 2");
      // Exactly half is allowed.
      assert.equal((await ok(server, action, body(name, 3))).TargetShardCount, 3);
      clock.advance(1000);
    });

    it("refuses more than 10000 shards in a stream before the doubling rule", async () => {
      const name = await activeStream("scale-max", { ShardCount: 1 });
      await assertError(server, action, body(name, 10001), "LimitExceededException",
        "Target shard count or number of open shards cannot be greater than 10000. Current open shard count: 1, Target shard count: 10001");
    });

    it("refuses to exceed the account's shard quota", async () => {
      const limited = await startTestServer({ streams: { shardLimit: 10 } });
      try {
        const name = randomStreamName("scale-quota");
        await ok(limited, "CreateStream", { StreamName: name, ShardCount: 6 });
        await assertError(limited, action, body(name, 12), "LimitExceededException",
          `This request would exceed the shard limit for the account ${limited.accountId} in ${limited.region}. ` +
          "Current shard count for the account: 6. Limit: 10. Number of additional shards that would have resulted from this request: 6. " +
          "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.");
        assert.equal((await ok(limited, action, body(name, 10))).TargetShardCount, 10);
      } finally {
        await limited.stop();
      }
    });
  });

  describe("behaviour", () => {
    it("answers with the counts and keeps the stream UPDATING with its old shards until the change takes effect", async () => {
      const name = await activeStream("scale-answer", { ShardCount: 2 });
      let current = 2;
      for (const format of formats) {
        const answer = await ok(server, action, { StreamARN: arnOf(name), TargetShardCount: current * 2, ScalingType: "UNIFORM_SCALING" }, format);
        assert.deepEqual(answer, { StreamName: name, CurrentShardCount: current, TargetShardCount: current * 2, StreamARN: arnOf(name) });
        if (format === "json") {
          const summary = (await ok(server, "DescribeStreamSummary", { StreamName: name })).StreamDescriptionSummary;
          assert.deepEqual([summary.StreamStatus, summary.OpenShardCount], ["UPDATING", 2]);
          assert.equal((await ok(server, "ListShards", { StreamName: name })).Shards.length, 2);
          await assertError(server, action, { StreamName: name, TargetShardCount: 3, ScalingType: "UNIFORM_SCALING" },
            "ResourceInUseException", `Stream ${name} under account ${server.accountId} not ACTIVE, instead in state UPDATING`);
        }
        clock.advance(1000);
        assert.equal((await ok(server, "DescribeStream", { StreamName: name })).StreamDescription.StreamStatus, "ACTIVE");
        current *= 2;
      }
      // 2 → 4 → 8 open shards.
      assert.equal(openOf((await ok(server, "ListShards", { StreamName: name })).Shards).length, 8);
    });

    it("doubles by splitting every shard in two", async () => {
      const name = await activeStream("scale-up", { ShardCount: 2 });
      const shards = await scale(name, 4);
      assert.deepEqual(lineage(shards), [
        [id(0), null, null, false],
        [id(1), null, null, false],
        [id(2), id(0), null, true],
        [id(3), id(0), null, true],
        [id(4), id(1), null, true],
        [id(5), id(1), null, true],
      ]);
      assert.deepEqual(openOf(shards).map((shard) => shard.HashKeyRange), uniformRanges(4));
    });

    it("halves by merging neighbours", async () => {
      const name = await activeStream("scale-down", { ShardCount: 4 });
      const shards = await scale(name, 2);
      assert.deepEqual(lineage(shards), [
        [id(0), null, null, false],
        [id(1), null, null, false],
        [id(2), null, null, false],
        [id(3), null, null, false],
        [id(4), id(0), id(1), true],
        [id(5), id(2), id(3), true],
      ]);
      assert.deepEqual(openOf(shards).map((shard) => shard.HashKeyRange), uniformRanges(2));
    });

    it("reaches uneven targets through short-lived shards that close, empty, as they open", async () => {
      const name = await activeStream("scale-three", { ShardCount: 2 });
      const shards = await scale(name, 3);
      // Split each shard at the new boundary inside it, then merge the two middle pieces.
      assert.deepEqual(lineage(shards), [
        [id(0), null, null, false],
        [id(1), null, null, false],
        [id(2), id(0), null, true],
        [id(3), id(0), null, false],
        [id(4), id(1), null, false],
        [id(5), id(1), null, true],
        [id(6), id(3), id(4), true],
      ]);
      assert.deepEqual(openOf(shards).map((shard) => shard.HashKeyRange), uniformRanges(3));
      for (const shortLived of [shards[3]!, shards[4]!]) {
        const range = shortLived.SequenceNumberRange;
        // Opened and closed at the same moment, holding no record.
        assert.equal(range.EndingSequenceNumber!.slice(0, 14), range.StartingSequenceNumber.slice(0, 14));
      }
    });

    it("creates as many shards as AWS does for targets that are multiples of 25%", async () => {
      // Shard totals AWS shows after these changes (as moto recorded them against AWS).
      for (const [initial, target, total] of [[2, 4, 6], [4, 2, 6], [4, 5, 15], [2, 3, 7]] as const) {
        const name = await activeStream("scale-total", { ShardCount: initial });
        const shards = await scale(name, target);
        assert.equal(shards.length, total, `${initial} → ${target}`);
        assert.deepEqual(openOf(shards).map((shard) => shard.HashKeyRange), uniformRanges(target), `${initial} → ${target}`);
      }
    });

    it("doubles and halves with one split per shard and one merge per pair whatever the rounding", async () => {
      // Even thirds and sixths disagree by a key or two at the shared boundaries; those stay put.
      for (const [initial, target, total] of [[3, 6, 9], [6, 3, 9], [5, 10, 15], [10, 5, 15]] as const) {
        const name = await activeStream("scale-rounding", { ShardCount: initial });
        const shards = await scale(name, target);
        assert.equal(shards.length, total, `${initial} → ${target}`);
        assertNearlyUniform(openOf(shards), target);
      }
    });

    it("evens out shards left uneven by a split, even at the same count", async () => {
      const name = await activeStream("scale-even", { ShardCount: 2 });
      await ok(server, "SplitShard", { StreamName: name, ShardToSplit: "shardId-0", NewStartingHashKey: "1000" });
      clock.advance(1000);
      await ok(server, "MergeShards", { StreamName: name, ShardToMerge: "shardId-3", AdjacentShardToMerge: "shardId-1" });
      clock.advance(1000);
      const before = openOf((await ok(server, "ListShards", { StreamName: name })).Shards);
      assert.deepEqual(before.map((shard) => shard.HashKeyRange.EndingHashKey), ["999", (keySpace - 1n).toString()]);
      const after = openOf(await scale(name, 2));
      assert.deepEqual(after.map((shard) => shard.HashKeyRange), uniformRanges(2));
    });

    it("scales through the SDK", async () => {
      const name = await activeStream("scale-sdk", { ShardCount: 3 });
      const answer = await client.send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 6, ScalingType: "UNIFORM_SCALING" }));
      assert.deepEqual([answer.StreamName, answer.CurrentShardCount, answer.TargetShardCount, answer.StreamARN], [name, 3, 6, arnOf(name)]);
      clock.advance(1000);
      const open = (await client.send(new ListShardsCommand({ StreamName: name, ShardFilter: { Type: "AT_LATEST" } }))).Shards!;
      assertNearlyUniform(openOf(open as ListedShard[]), 6);
      assert.deepEqual(open.map((shard) => shard.ParentShardId), ["shardId-000000000000", "shardId-000000000000", "shardId-000000000001", "shardId-000000000001", "shardId-000000000002", "shardId-000000000002"]);
      const summary = (await client.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary!;
      assert.deepEqual([summary.StreamStatus, summary.OpenShardCount], ["ACTIVE", 6]);
    });
  });
});
