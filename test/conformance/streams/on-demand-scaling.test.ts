/**
 * ON_DEMAND streams that scale (src/streams/limits/on-demand-scaler.ts, docs/limits.md), driven
 * by a ManualClock and the scaler's tick: a shard kept near its write limit splits, cold adjacent
 * shards merge down to four, warm throughput keeps a floor, PROVISIONED streams never change, and
 * ListShards shows the lineage with no record lost. The policy's decisions are also checked alone.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { ok } from "../../helpers/wire-assert.js";
import { ManualClock } from "../../../src/util/clock.js";
import type { OnDemandScaler } from "../../../src/streams/limits/index.js";
import { decideScaling, type ShardLoad } from "../../../src/streams/limits/on-demand-policy.js";
import type { ShardMeta } from "../../../src/streams/model.js";

const accountId = "000000000000";
const remote = process.env.TRIBUTARY_TEST_ENDPOINT !== undefined;
const skip = remote ? "needs the server's clock and scaler" : false;
const shardId = (index: number) => `shardId-${String(index).padStart(12, "0")}`;
const quarter = 1n << 126n;
const minuteMs = 60_000;

interface WireShard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

describe("Limits > on-demand scaling", { skip }, () => {
  let server: TestServer;
  let scaler: OnDemandScaler;
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const onDemand = randomStreamName("on-demand");
  const provisioned = randomStreamName("provisioned");
  /** Sequence numbers of every record the server acknowledged, per stream. */
  const acknowledged = new Map<string, string[]>([[onDemand, []], [provisioned, []]]);

  before(async () => {
    server = await startTestServer({ clock, limits: "aws" });
    scaler = server.app!.streams.onDemandScaler!;
    // This file ticks the scaler itself, at the moments it chooses: its timer (on the ManualClock)
    // would also tick whenever the clock is moved.
    await scaler.stop();
    await ok(server, "CreateStream", { StreamName: onDemand, StreamModeDetails: { StreamMode: "ON_DEMAND" } });
    await ok(server, "CreateStream", { StreamName: provisioned, ShardCount: 1 });
    clock.advance(1000);
  });
  after(() => server.stop());

  /** 900 records (90% of a shard's 1,000/s) spread over the hash keys [0, 2^126): shard 0 of four, or its children. */
  async function writeOneSecond(streamName: string): Promise<void> {
    for (const [first, count] of [[0, 500], [500, 400]] as const) {
      const records = Array.from({ length: count }, (_, offset) => ({
        PartitionKey: "k",
        ExplicitHashKey: ((BigInt(first + offset) * quarter) / 900n).toString(),
        Data: Buffer.from(`${streamName}-${first + offset}`).toString("base64"),
      }));
      const body = await ok(server, "PutRecords", { StreamName: streamName, Records: records });
      assert.equal(body.FailedRecordCount, 0, "writes at 90% of the limit are never throttled");
      acknowledged.get(streamName)!.push(...body.Records.map((entry: { SequenceNumber: string }) => entry.SequenceNumber));
    }
  }

  /**
   * Seconds of sustained load on both streams, the scaler ticking while each second's writes are
   * in flight — so a split takes effect under writes. Whether a tick sees that second's writes or
   * not moves a 30-second average by 3%, never across the 80% line.
   */
  async function sustain(seconds: number): Promise<void> {
    for (let second = 0; second < seconds; second++) {
      await Promise.all([writeOneSecond(onDemand), writeOneSecond(provisioned), scaler.tick()]);
      clock.advance(1000);
    }
  }

  async function idle(ms: number): Promise<void> {
    clock.advance(ms);
    await scaler.tick();
  }

  async function shardsOf(streamName: string): Promise<WireShard[]> {
    clock.advance(1);
    return (await ok(server, "ListShards", { StreamName: streamName })).Shards;
  }

  const openIds = (shards: WireShard[]) => shards.filter((shard) => shard.SequenceNumberRange.EndingSequenceNumber === undefined).map((shard) => shard.ShardId);

  /** Every record of every listed shard, from TRIM_HORIZON to its end, respecting the read limits. */
  async function readAll(streamName: string): Promise<string[]> {
    const sequenceNumbers: string[] = [];
    for (const shard of await shardsOf(streamName)) {
      clock.advance(1000);
      let iterator = (await ok(server, "GetShardIterator", { StreamName: streamName, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" })).ShardIterator;
      for (let page = 0; iterator !== undefined; page++) {
        assert.ok(page < 20, `${shard.ShardId} did not end`);
        clock.advance(1000);
        const body = await ok(server, "GetRecords", { ShardIterator: iterator, Limit: 10_000 });
        sequenceNumbers.push(...body.Records.map((record: { SequenceNumber: string }) => record.SequenceNumber));
        iterator = body.Records.length === 0 ? undefined : body.NextShardIterator;
      }
    }
    return sequenceNumbers;
  }

  async function assertNothingLost(streamName: string): Promise<void> {
    const read = await readAll(streamName);
    assert.equal(new Set(read).size, read.length, "no record is read twice");
    assert.deepEqual([...read].sort(), [...acknowledged.get(streamName)!].sort());
  }

  it("starts an ON_DEMAND stream with AWS's four shards", async () => {
    assert.deepEqual(openIds(await shardsOf(onDemand)), [0, 1, 2, 3].map(shardId));
  });

  it("splits a shard once its writes have averaged 80% of its limit for 30 seconds", async () => {
    await sustain(30);
    assert.deepEqual(openIds(await shardsOf(onDemand)), [0, 1, 2, 3].map(shardId), "no split before a full window");
    await sustain(1);
    const shards = await shardsOf(onDemand);
    assert.deepEqual(openIds(shards), [1, 2, 3, 4, 5].map(shardId));
    const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
    assert.ok(byId.get(shardId(0))!.SequenceNumberRange.EndingSequenceNumber, "the parent is closed");
    const half = quarter / 2n;
    assert.deepEqual(byId.get(shardId(4))!.HashKeyRange, { StartingHashKey: "0", EndingHashKey: (half - 1n).toString() });
    assert.deepEqual(byId.get(shardId(5))!.HashKeyRange, { StartingHashKey: half.toString(), EndingHashKey: (quarter - 1n).toString() });
    assert.equal(byId.get(shardId(4))!.ParentShardId, shardId(0));
    assert.equal(byId.get(shardId(5))!.ParentShardId, shardId(0));
    const summary = await ok(server, "DescribeStreamSummary", { StreamName: onDemand });
    assert.equal(summary.StreamDescriptionSummary.OpenShardCount, 5);
    assert.equal(summary.StreamDescriptionSummary.StreamStatus, "ACTIVE");
  });

  it("leaves the children alone while the same load, halved between them, goes on", async () => {
    await sustain(35);
    assert.deepEqual(openIds(await shardsOf(onDemand)), [1, 2, 3, 4, 5].map(shardId));
  });

  it("never reshards a PROVISIONED stream, and ON_DEMAND shards stay out of the account's shard count", async () => {
    assert.deepEqual(openIds(await shardsOf(provisioned)), [shardId(0)]);
    clock.advance(1000);
    const limits = await ok(server, "DescribeLimits", {});
    assert.equal(limits.OpenShardCount, 1);
  });

  it("merges adjacent shards that stayed cold for 15 minutes, never below four", async () => {
    // Shards 1 and 2 have taken no write since the stream was created, a minute before the load
    // ended; the split's children have no 15-minute history at all yet.
    await idle(13 * minuteMs);
    assert.deepEqual(openIds(await shardsOf(onDemand)), [1, 2, 3, 4, 5].map(shardId), "no merge before 15 cold minutes");
    await idle(minuteMs);
    const shards = await shardsOf(onDemand);
    assert.deepEqual(openIds(shards), [3, 4, 5, 6].map(shardId));
    const merged = shards.find((shard) => shard.ShardId === shardId(6))!;
    assert.equal(merged.ParentShardId, shardId(1));
    assert.equal(merged.AdjacentParentShardId, shardId(2));
    assert.deepEqual(merged.HashKeyRange, { StartingHashKey: quarter.toString(), EndingHashKey: (3n * quarter - 1n).toString() });

    await idle(16 * minuteMs);
    await idle(16 * minuteMs);
    assert.deepEqual(openIds(await shardsOf(onDemand)), [3, 4, 5, 6].map(shardId), "never below four shards");
    const summary = await ok(server, "DescribeStreamSummary", { StreamName: onDemand });
    assert.equal(summary.StreamDescriptionSummary.OpenShardCount, 4);
  });

  it("loses no record through the split and the merge: every acknowledged record is read back once", async () => {
    await assertNothingLost(onDemand);
    await assertNothingLost(provisioned);
  });

  it("keeps at least one shard per MiB/s of warm throughput, splitting the widest shards to get there", async () => {
    const warm = randomStreamName("on-demand-warm");
    clock.advance(1000);
    await ok(server, "CreateStream", { StreamName: warm, StreamModeDetails: { StreamMode: "ON_DEMAND" } });
    await ok(server, "UpdateAccountSettings", { MinimumThroughputBillingCommitment: { Status: "ENABLED" } });
    await ok(server, "UpdateStreamWarmThroughput", { StreamName: warm, WarmThroughputMiBps: 6 });
    await idle(1000);
    const shards = await shardsOf(warm);
    assert.deepEqual(openIds(shards), [2, 3, 4, 5, 6, 7].map(shardId));
    assert.deepEqual(
      shards.filter((shard) => shard.ParentShardId !== undefined).map((shard) => [shard.ShardId, shard.ParentShardId]),
      [[shardId(4), shardId(0)], [shardId(5), shardId(0)], [shardId(6), shardId(1)], [shardId(7), shardId(1)]],
    );
    await idle(16 * minuteMs);
    await idle(16 * minuteMs);
    assert.equal(openIds(await shardsOf(warm)).length, 6, "no merge below the warm floor");
  });
});

describe("Limits > on-demand scaling > policy", () => {
  const width = (1n << 128n) / 8n;
  /** Eight even shards with the given utilizations (the same over both windows); undefined: not open a whole window yet. */
  function loads(utilizations: readonly (number | undefined)[]): ShardLoad[] {
    return utilizations.map((utilization, index) => {
      const shard: ShardMeta = {
        ShardId: shardId(index),
        shardIndex: index,
        HashKeyRange: { StartingHashKey: (width * BigInt(index)).toString(), EndingHashKey: (width * BigInt(index + 1) - 1n).toString() },
        createdAtMs: 0,
      };
      return { shard, start: width * BigInt(index), end: width * BigInt(index + 1) - 1n, scaleUpUtilization: utilization, scaleDownUtilization: utilization };
    });
  }
  const ids = (decision: ReturnType<typeof decideScaling>) =>
    decision && { splits: decision.splits.map((shard) => shard.shardIndex), merges: decision.merges.map(([lower, upper]) => [lower.shardIndex, upper.shardIndex]) };

  it("splits every shard at or above 80% and merges nothing in the same step", () => {
    assert.deepEqual(ids(decideScaling(loads([0.8, 0.79, 0, 0, 1, 0, 0, 0]), 4, 200)), { splits: [0, 4], merges: [] });
  });

  it("does nothing between the thresholds, or for shards without a whole window", () => {
    assert.equal(decideScaling(loads([0.5, 0.21, 0.79, 0.4, 0.3, 0.6, 0.7, 0.25]), 4, 200), undefined);
    assert.equal(decideScaling(loads([undefined, undefined, undefined, undefined, undefined, undefined, undefined, undefined]), 4, 200), undefined);
  });

  it("merges cold adjacent pairs, lowest first, down to the floor", () => {
    assert.deepEqual(ids(decideScaling(loads([0.2, 0.1, 0.5, 0, 0, 0, 0, 0]), 4, 200)), { splits: [], merges: [[0, 1], [3, 4], [5, 6]] });
    assert.deepEqual(ids(decideScaling(loads([0, 0, 0, 0, 0, 0, 0, 0]), 6, 200)), { splits: [], merges: [[0, 1], [2, 3]] });
  });

  it("never splits past the ceiling", () => {
    assert.deepEqual(ids(decideScaling(loads([1, 1, 1, 1, 1, 1, 1, 1]), 4, 10)), { splits: [0, 1], merges: [] });
    assert.equal(decideScaling(loads([1, 1, 1, 1, 1, 1, 1, 1]), 4, 8), undefined);
  });
});
