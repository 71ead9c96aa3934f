/**
 * Reshard plans, pure: which open shards a SplitShard, MergeShards or UpdateShardCount closes and
 * which shards it creates (ids, lineage, hash ranges), and the stream as it is once that takes
 * effect.
 *
 * Every change is a sequence of AWS's two primitive steps, so lineage stays what readers expect:
 * a split gives a shard two children with one parent each, a merge gives two adjacent shards one
 * child with ParentShardId (the lower range) and AdjacentParentShardId (the upper). UpdateShardCount
 * (UNIFORM_SCALING) reaches `evenHashKeyRanges(target)` — the ranges CreateStream would give, up to
 * rounding (targetRanges) — by splitting the open shards at each target boundary inside them, then
 * merging the pieces of each target range; pieces that are split or merged again are AWS's
 * "short-lived shards". Doubling is one split per shard and halving one merge per pair, as at AWS.
 */
import { evenHashKeyRanges, hashKeyMax, type HashKeyRange } from "../../core/hash-key.js";
import { shardIdFromIndex } from "../../core/shard-id.js";
import type { NewShard, PendingReshard, ShardMeta, StreamMeta } from "../model.js";
import { assert } from "../../util/assert.js";

/** A shard while a plan is built: an open shard of the stream, or one the plan creates. */
interface Piece {
  ShardId: string;
  shardIndex: number;
  start: bigint;
  end: bigint;
  /** Undefined for a shard that exists already. */
  created: NewShard | undefined;
}

class PlanBuilder {
  private readonly closing: number[] = [];
  private readonly created: NewShard[] = [];

  constructor(private nextIndex: number) {}

  /** Splits `piece` so that `cut` starts the upper child. */
  split(piece: Piece, cut: bigint): [Piece, Piece] {
    assert(piece.start < cut && cut <= piece.end, "a split cuts inside the shard");
    this.close(piece);
    return [this.create(piece.start, cut - 1n, piece.ShardId), this.create(cut, piece.end, piece.ShardId)];
  }

  /** Merges `lower` with the adjacent `upper`. */
  merge(lower: Piece, upper: Piece): Piece {
    assert(lower.end + 1n === upper.start, "a merge joins adjacent shards");
    this.close(lower);
    this.close(upper);
    return this.create(lower.start, upper.end, lower.ShardId, upper.ShardId);
  }

  plan(): { reshard: PendingReshard; nextShardIndex: number } {
    return { reshard: { closingShardIndexes: this.closing, newShards: this.created }, nextShardIndex: this.nextIndex };
  }

  private close(piece: Piece): void {
    if (piece.created) piece.created.shortLived = true;
    else this.closing.push(piece.shardIndex);
  }

  private create(start: bigint, end: bigint, parent: string, adjacentParent?: string): Piece {
    const shardIndex = this.nextIndex++;
    const shard: NewShard = {
      ShardId: shardIdFromIndex(shardIndex),
      shardIndex,
      ParentShardId: parent,
      HashKeyRange: { StartingHashKey: start.toString(), EndingHashKey: end.toString() },
    };
    if (adjacentParent !== undefined) shard.AdjacentParentShardId = adjacentParent;
    this.created.push(shard);
    return { ShardId: shard.ShardId, shardIndex, start, end, created: shard };
  }
}

function pieceOf(shard: ShardMeta): Piece {
  const { StartingHashKey, EndingHashKey } = shard.HashKeyRange;
  return { ShardId: shard.ShardId, shardIndex: shard.shardIndex, start: BigInt(StartingHashKey), end: BigInt(EndingHashKey), created: undefined };
}

export interface Plan {
  reshard: PendingReshard;
  /** The stream's nextShardIndex once the plan's shard ids are taken. */
  nextShardIndex: number;
}

/** SplitShard: `shard` into [start, newStartingHashKey - 1] and [newStartingHashKey, end]. */
export function planSplit(shard: ShardMeta, newStartingHashKey: bigint, nextShardIndex: number): Plan {
  const builder = new PlanBuilder(nextShardIndex);
  builder.split(pieceOf(shard), newStartingHashKey);
  return builder.plan();
}

/** MergeShards: `shard` with the adjacent shard above it. */
export function planMerge(shard: ShardMeta, adjacent: ShardMeta, nextShardIndex: number): Plan {
  const builder = new PlanBuilder(nextShardIndex);
  builder.merge(pieceOf(shard), pieceOf(adjacent));
  return builder.plan();
}

/**
 * An open shard boundary this close to an even one is kept rather than moved by a sliver: even
 * ranges of n and 2n shards differ by a few keys of rounding (floor(2^128/3) is not
 * 2 * floor(2^128/6)), and doubling must still be one split per shard, as at AWS. A negligible
 * fraction of the key space, far below any range width the shard counts allow.
 */
const boundarySnapKeys = 1n << 64n;

/** Target ranges: CreateStream's even split, each boundary moved onto an open shard's boundary within boundarySnapKeys. */
function targetRanges(olds: readonly Piece[], targetCount: number): { start: bigint; end: bigint }[] {
  const boundaries = olds.map((piece) => piece.start);
  let next = 0;
  const starts = evenHashKeyRanges(targetCount).map(({ StartingHashKey }) => {
    const even = BigInt(StartingHashKey);
    while (next < boundaries.length && boundaries[next]! < even - boundarySnapKeys) next++;
    const near = boundaries[next];
    return near !== undefined && near <= even + boundarySnapKeys ? near : even;
  });
  return starts.map((start, index) => ({ start, end: index + 1 < starts.length ? starts[index + 1]! - 1n : hashKeyMax }));
}

/** UpdateShardCount UNIFORM_SCALING: `openShards` (covering the key space) to `targetCount` even ranges. */
export function planUniformScaling(openShards: readonly ShardMeta[], targetCount: number, nextShardIndex: number): Plan {
  const builder = new PlanBuilder(nextShardIndex);
  const olds = openShards.map(pieceOf).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const targets = targetRanges(olds, targetCount);

  // Split each open shard at every target range start strictly inside it, lowest first.
  const pieces: Piece[] = [];
  let cut = 0;
  for (const old of olds) {
    let rest = old;
    for (; cut < targets.length && targets[cut]!.start <= rest.end; cut++) {
      const start = targets[cut]!.start;
      if (start <= rest.start) continue;
      const [lower, upper] = builder.split(rest, start);
      pieces.push(lower);
      rest = upper;
    }
    pieces.push(rest);
  }

  // Every piece now lies inside one target range: merge each range's pieces, lowest first.
  let next = 0;
  for (const target of targets) {
    let merged = pieces[next++]!;
    assert(merged.start === target.start, "pieces line up with the target ranges");
    while (merged.end < target.end) merged = builder.merge(merged, pieces[next++]!);
    assert(merged.end === target.end, "pieces line up with the target ranges");
  }
  return builder.plan();
}

/** Open shards of a stream once its pending reshard (if any) is in effect: what counts against the shard quota. */
export function openShardCountAfterReshard(meta: StreamMeta): number {
  let count = 0;
  for (const shard of meta.shards) if (shard.closedAtMs === undefined) count++;
  const pending = meta.pendingReshard;
  if (pending) {
    count -= pending.closingShardIndexes.length;
    for (const shard of pending.newShards) if (!shard.shortLived) count++;
  }
  return count;
}

/** How a closing shard ends: one past its last offset, and when (no earlier than its last record's arrival). */
export interface ShardEnding {
  endingOffset: number;
  closedAtMs: number;
}

/** The stream with its pending reshard in effect at `nowMs`, ACTIVE again. */
export function applyReshard(meta: StreamMeta, endings: ReadonlyMap<number, ShardEnding>, nowMs: number): StreamMeta {
  const pending = meta.pendingReshard;
  assert(pending !== undefined, "the stream has a pending reshard");
  const shards = meta.shards.map((shard) => {
    const ending = endings.get(shard.shardIndex);
    return ending === undefined ? shard : { ...shard, endingOffset: ending.endingOffset, closedAtMs: ending.closedAtMs };
  });
  for (const created of pending.newShards) shards.push(shardOf(created, nowMs));
  const { pendingReshard: _applied, ...rest } = meta;
  return { ...rest, StreamStatus: "ACTIVE", shards };
}

function shardOf(created: NewShard, nowMs: number): ShardMeta {
  const range: HashKeyRange = { ...created.HashKeyRange };
  const shard: ShardMeta = { ShardId: created.ShardId, shardIndex: created.shardIndex, HashKeyRange: range, createdAtMs: nowMs };
  if (created.ParentShardId !== undefined) shard.ParentShardId = created.ParentShardId;
  if (created.AdjacentParentShardId !== undefined) shard.AdjacentParentShardId = created.AdjacentParentShardId;
  if (created.shortLived) {
    shard.endingOffset = 0;
    shard.closedAtMs = nowMs;
  }
  return shard;
}
