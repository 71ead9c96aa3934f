/**
 * When an ON_DEMAND stream's shards split and merge: the policy of the on-demand scaler, pure and
 * documented in docs/limits.md.
 *
 * Load is a shard's write utilization: its admitted records per second over 1,000 or its bytes
 * per second over 1 MiB, whichever is higher, averaged over a window. A shard whose average over
 * the last 30 s reached 80% splits in two at the middle of its hash key range. Two adjacent shards
 * whose averages over the last 15 minutes both stayed at or below 20% merge, never below the
 * stream's floor. The gap is the hysteresis: a split leaves two children near 40% — neither hot
 * nor cold — and a merge leaves one shard at or below 40%, below the split line. A shard has no
 * average until it has existed for the whole window, so a new shard is never split or merged again
 * within a window of its creation.
 *
 * The floor is AWS's four shards of a new ON_DEMAND stream, or the shards its warm throughput
 * needs (one per MiB/s), whichever is more; a stream below it splits its widest shards up to it.
 * The ceiling is AWS's on-demand write maximum in shards of 1 MiB/s.
 */
import type { ShardMeta } from "../model.js";
import { limits } from "../limits.js";

export const onDemandPolicy = {
  /** How often the scaler samples the write meters and decides. */
  tickIntervalMs: 1000,
  scaleUpWindowMs: 30_000,
  scaleUpUtilizationMin: 0.8,
  scaleDownWindowMs: 15 * 60_000,
  scaleDownUtilizationMax: 0.2,
  /** Samples for the scale-down window are kept at least this far apart (bounds their number). */
  scaleDownSampleSpacingMs: 60_000,
  /** AWS creates ON_DEMAND streams with four shards; the scaler never merges below. */
  shardsMin: limits.onDemandShardCountInitial,
} as const;

/** Regions where AWS's on-demand streams scale to 10 GiB/s of writes; elsewhere to 200 MiB/s. */
const largeOnDemandRegions: ReadonlySet<string> = new Set(["us-east-1", "us-west-2", "eu-west-1"]);

/** The most open shards the scaler gives an ON_DEMAND stream: AWS's on-demand write maximum at 1 MiB/s a shard. */
export function onDemandShardsMax(region: string): number {
  return largeOnDemandRegions.has(region) ? 10 * 1024 : 200;
}

/** An open shard and its average utilization over each window (undefined until it has existed for the window). */
export interface ShardLoad {
  shard: ShardMeta;
  start: bigint;
  end: bigint;
  scaleUpUtilization: number | undefined;
  scaleDownUtilization: number | undefined;
}

export interface ScalingDecision {
  splits: ShardMeta[];
  /** Adjacent pairs, lower hash range first. */
  merges: [ShardMeta, ShardMeta][];
}

/**
 * What to do with a stream whose open shards carry `loads` (in hash key order): splits when any
 * shard is hot or the stream is below `floorShards`, else merges of cold adjacent pairs down to
 * `floorShards`, else nothing. Never more than `ceilingShards` open shards.
 */
export function decideScaling(loads: readonly ShardLoad[], floorShards: number, ceilingShards: number): ScalingDecision | undefined {
  const splits = new Set<ShardLoad>();
  const room = ceilingShards - loads.length;
  for (const load of loads) {
    if (splits.size >= room) break;
    if ((load.scaleUpUtilization ?? 0) >= onDemandPolicy.scaleUpUtilizationMin && splittable(load)) splits.add(load);
  }
  if (loads.length + splits.size < floorShards) {
    const widest = loads.filter((load) => !splits.has(load) && splittable(load)).sort((a, b) => compareBigInt(b.end - b.start, a.end - a.start));
    for (const load of widest) {
      if (loads.length + splits.size >= Math.min(floorShards, ceilingShards)) break;
      splits.add(load);
    }
  }
  if (splits.size > 0) return { splits: loads.filter((load) => splits.has(load)).map((load) => load.shard), merges: [] };

  const merges: [ShardMeta, ShardMeta][] = [];
  let open = loads.length;
  for (let index = 0; index + 1 < loads.length && open > floorShards; ) {
    const lower = loads[index]!;
    const upper = loads[index + 1]!;
    if (cold(lower) && cold(upper)) {
      merges.push([lower.shard, upper.shard]);
      open--;
      index += 2;
    } else {
      index++;
    }
  }
  return merges.length > 0 ? { splits: [], merges } : undefined;
}

/** The hash key that starts the upper child of a split: the middle of the shard's range. */
export function splitPoint(start: bigint, end: bigint): bigint {
  return start + (end - start + 1n) / 2n;
}

function splittable(load: ShardLoad): boolean {
  return load.end > load.start;
}

function cold(load: ShardLoad): boolean {
  return load.scaleDownUtilization !== undefined && load.scaleDownUtilization <= onDemandPolicy.scaleDownUtilizationMax;
}

function compareBigInt(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
