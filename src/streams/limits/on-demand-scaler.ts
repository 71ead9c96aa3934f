/**
 * The on-demand scaler: ON_DEMAND streams get the shards their writes need. Every tick it samples
 * the per-shard write meters (the same ones that throttle writes), asks the policy
 * (on-demand-policy.ts) what to do, and puts a split or merge into effect through resharding/ —
 * the same plans, write gate and lineage as SplitShard and MergeShards, without the UPDATING
 * delay — so ListShards shows the closed parents and their children.
 *
 * Time comes from the injected clock, and so does the timer that says when to look (unref'd, so it
 * never keeps a process alive): moving a ManualClock ticks it, and tests also call `tick()`. A tick
 * that finds the clock where the last one left it replaces that sample, so an extra tick (the
 * timer's) changes nothing; the timer queues at most one tick behind the running one, so a
 * ManualClock moved by a day does not queue 86,400 ticks that would all sample the same moment.
 *
 * In a cluster every node's meters also count the other nodes' writes (cluster-rates.ts), so every
 * node's scaler samples the same load and decides alike, and keeps its history should the others
 * stop. Only one of their reshards takes effect: `scale` schedules it inside the stream's
 * `exclusive` change, whose write is a compare-and-set on the revision it read, and only while the
 * stream still has the nextShardIndex it decided on. A second node either sees the first's reshard
 * in its copy, or meets the conflict, reads the stream again and finds it changed: a quiet no-op.
 */
import type { StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import { describedWarmThroughput } from "../warm-throughput.js";
import { openShardsOf, planMerge, planSplit, scheduleReshard, type Plan } from "../resharding/index.js";
import { decideScaling, onDemandPolicy, onDemandShardsMax, splitPoint, type ScalingDecision, type ShardLoad } from "./on-demand-policy.js";
import { shardWriteBytesPerSecond, shardWriteRecordsPerSecond } from "./shard-meters.js";
import type { ThroughputMeters } from "./throughput-meters.js";
import type { Timer } from "../../util/clock.js";

/** Cumulative admitted records and bytes per shard index at one moment; NaN for shards not open then. */
interface Sample {
  atMs: number;
  records: Float64Array;
  bytes: Float64Array;
}

/** One stream's samples: every tick for the scale-up window, sparser ones for the scale-down window. */
interface History {
  recent: Sample[];
  sparse: Sample[];
}

export class OnDemandScaler {
  private readonly histories = new Map<string, History>();
  private timer: Timer | undefined;
  /** A timer's tick is queued and has not started: later timer ticks would sample the same moment. */
  private timerTickQueued = false;
  private ticking: Promise<void> = Promise.resolve();
  /** The context reshards are scheduled with: in effect at once, not after config.updateStreamMs. */
  private readonly immediate: StreamsContext;

  constructor(
    private readonly context: StreamsContext,
    private readonly meters: ThroughputMeters,
  ) {
    this.immediate = { ...context, config: { ...context.config, updateStreamMs: 0 } };
  }

  start(): void {
    this.timer = this.context.clock.setInterval(() => this.timerTick(), onDemandPolicy.tickIntervalMs, { unref: true });
  }

  async stop(): Promise<void> {
    this.context.clock.clearTimer(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** Samples every ON_DEMAND stream and scales those the policy says to; ticks run one after another. */
  tick(): Promise<void> {
    this.ticking = this.ticking.then(() =>
      this.tickOnce().catch((error: unknown) => this.context.logger.error({ err: error }, "on-demand scaling failed; will retry")),
    );
    return this.ticking;
  }

  private timerTick(): void {
    if (this.timerTickQueued) return;
    this.timerTickQueued = true;
    this.ticking = this.ticking.then(() => {
      this.timerTickQueued = false;
      return this.tickOnce().catch((error: unknown) => this.context.logger.error({ err: error }, "on-demand scaling failed; will retry"));
    });
  }

  private async tickOnce(): Promise<void> {
    const nowMs = this.context.clock.nowMs();
    // Every account's streams: the scaler works for all of them.
    const streams = this.context.streams.registry.list();
    const live = new Set(streams.map((meta) => meta.streamId));
    this.meters.retain(live);
    for (const streamId of this.histories.keys()) if (!live.has(streamId)) this.histories.delete(streamId);
    for (const meta of streams) {
      if (meta.StreamMode !== "ON_DEMAND") {
        this.histories.delete(meta.streamId);
        continue;
      }
      const history = this.sample(meta, nowMs);
      if (meta.StreamStatus !== "ACTIVE" || meta.pendingReshard !== undefined) continue;
      const decision = this.decide(meta, history, nowMs);
      if (decision !== undefined) await this.scale(meta, decision);
    }
  }

  private sample(meta: StreamMeta, nowMs: number): History {
    let history = this.histories.get(meta.streamId);
    if (history === undefined) {
      history = { recent: [], sparse: [] };
      this.histories.set(meta.streamId, history);
    }
    const sample = this.snapshot(meta, nowMs);
    keep(history.recent, sample, 0, onDemandPolicy.scaleUpWindowMs);
    keep(history.sparse, sample, onDemandPolicy.scaleDownSampleSpacingMs, onDemandPolicy.scaleDownWindowMs);
    return history;
  }

  private snapshot(meta: StreamMeta, nowMs: number): Sample {
    const records = new Float64Array(meta.nextShardIndex).fill(NaN);
    const bytes = new Float64Array(meta.nextShardIndex).fill(NaN);
    for (const shard of openShardsOf(meta)) {
      const meter = this.meters.writeMeter(meta.streamId, shard.shardIndex);
      records[shard.shardIndex] = meter?.recordsWritten ?? 0;
      bytes[shard.shardIndex] = meter?.bytesWritten ?? 0;
    }
    return { atMs: nowMs, records, bytes };
  }

  private decide(meta: StreamMeta, history: History, nowMs: number): ScalingDecision | undefined {
    const upBase = baseOf(history.recent, nowMs, onDemandPolicy.scaleUpWindowMs);
    const downBase = baseOf(history.sparse, nowMs, onDemandPolicy.scaleDownWindowMs);
    const latest = history.recent[history.recent.length - 1]!;
    const loads: ShardLoad[] = openShardsOf(meta)
      .map((shard) => ({
        shard,
        start: BigInt(shard.HashKeyRange.StartingHashKey),
        end: BigInt(shard.HashKeyRange.EndingHashKey),
        scaleUpUtilization: utilization(upBase, latest, shard.shardIndex),
        scaleDownUtilization: utilization(downBase, latest, shard.shardIndex),
      }))
      .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    // The stream's account's settings decide whether its warm throughput is in force.
    const warm = describedWarmThroughput({ ...this.context, account: this.context.account.stores.forAccount(meta.accountId) }, meta, nowMs);
    const floorShards = Math.max(onDemandPolicy.shardsMin, Math.ceil(warm?.CurrentMiBps ?? 0));
    return decideScaling(loads, floorShards, onDemandShardsMax(this.context.config.region));
  }

  /** Puts the decision into effect, if the stream is still as it was decided on, and waits for it. */
  private async scale(decided: StreamMeta, decision: ScalingDecision): Promise<void> {
    const streamName = decided.StreamName;
    const streams = this.context.streams.registry.forAccount(decided.accountId);
    const scheduled = await streams.exclusive(streamName, async () => {
      const meta = streams.get(streamName);
      if (!meta || meta.streamId !== decided.streamId || meta.StreamMode !== "ON_DEMAND") return false;
      if (meta.StreamStatus !== "ACTIVE" || meta.pendingReshard !== undefined || meta.nextShardIndex !== decided.nextShardIndex) return false;
      await scheduleReshard(this.immediate, meta, combinedPlan(meta, decision));
      return true;
    });
    if (!scheduled) return;
    this.context.logger.info(
      { account: decided.accountId, stream: streamName, split: decision.splits.map((shard) => shard.ShardId), merge: decision.merges.map(([lower, upper]) => [lower.ShardId, upper.ShardId]) },
      "on-demand scaling",
    );
    // Outside the exclusive section: the reshard takes effect through the same queue.
    await streams.current(streamName);
  }
}

/**
 * Adds `sample` to `samples`: it replaces the last one taken at the same time or less than
 * `spacingMs` before, and samples are dropped once a newer one is old enough to start the window.
 */
function keep(samples: Sample[], sample: Sample, spacingMs: number, windowMs: number): void {
  const last = samples[samples.length - 1];
  if (last !== undefined && (last.atMs === sample.atMs || (spacingMs > 0 && sample.atMs - last.atMs < spacingMs))) {
    if (last.atMs === sample.atMs) samples[samples.length - 1] = sample;
  } else {
    samples.push(sample);
  }
  while (samples.length >= 2 && samples[1]!.atMs <= sample.atMs - windowMs) samples.shift();
}

/** The sample a window ending now starts at: the newest one at least `windowMs` old, if any. */
function baseOf(samples: readonly Sample[], nowMs: number, windowMs: number): Sample | undefined {
  const first = samples[0];
  return first !== undefined && first.atMs <= nowMs - windowMs ? first : undefined;
}

/** A shard's average utilization between `base` and `latest`; undefined if it was not open at `base`. */
function utilization(base: Sample | undefined, latest: Sample, shardIndex: number): number | undefined {
  if (base === undefined || shardIndex >= base.records.length) return undefined;
  const records0 = base.records[shardIndex]!;
  if (Number.isNaN(records0)) return undefined;
  const seconds = (latest.atMs - base.atMs) / 1000;
  const recordsPerSecond = (latest.records[shardIndex]! - records0) / seconds;
  const bytesPerSecond = (latest.bytes[shardIndex]! - base.bytes[shardIndex]!) / seconds;
  return Math.max(recordsPerSecond / shardWriteRecordsPerSecond, bytesPerSecond / shardWriteBytesPerSecond);
}

/** The decision's splits and merges as one reshard: disjoint shards, new shard ids taken in order. */
function combinedPlan(meta: StreamMeta, decision: ScalingDecision): Plan {
  const plans: Plan[] = [];
  let nextShardIndex = meta.nextShardIndex;
  const add = (plan: Plan) => {
    plans.push(plan);
    nextShardIndex = plan.nextShardIndex;
  };
  for (const shard of decision.splits) {
    add(planSplit(shard, splitPoint(BigInt(shard.HashKeyRange.StartingHashKey), BigInt(shard.HashKeyRange.EndingHashKey)), nextShardIndex));
  }
  for (const [lower, upper] of decision.merges) add(planMerge(lower, upper, nextShardIndex));
  return {
    reshard: {
      closingShardIndexes: plans.flatMap((plan) => plan.reshard.closingShardIndexes),
      newShards: plans.flatMap((plan) => plan.reshard.newShards),
    },
    nextShardIndex,
  };
}
