/**
 * The sequence numbers of a stream's shards (layout: src/core/sequence-number.ts).
 *
 * A shard's numbers begin with its epoch: the second it was created (AWS's field), or one second
 * past its parents' epochs if that is later. AWS's reshards take seconds, so there a child's
 * creation second is always later than its parents'; ours can take effect within the same second
 * (tests run them at once), and the epoch keeps what AWS gives for free: every number of a child
 * shard exceeds every number of its parents, so a SequenceNumberForOrdering from before a reshard
 * still orders the same partition key's next record after it. The epoch is derived from the
 * catalog's shard list (createdAtMs and the parent ids, which never change), so nothing new is
 * stored and data directories written before this layout load unchanged.
 */
import { encodeSequenceNumber, type SequencePosition } from "../../core/sequence-number.js";
import type { ShardMeta } from "../model.js";

/** Epochs already worked out, per shard-list object (the catalog replaces the list on every change). */
const epochCache = new WeakMap<readonly ShardMeta[], Map<number, number>>();

/** The epoch of `shard`, one of `shards` (its stream's whole list, closed shards included). */
export function shardEpochSeconds(shards: readonly ShardMeta[], shard: ShardMeta): number {
  let cached = epochCache.get(shards);
  if (cached === undefined) {
    cached = new Map();
    epochCache.set(shards, cached);
  }
  return epochOf(shards, shard, cached);
}

function epochOf(shards: readonly ShardMeta[], shard: ShardMeta, cached: Map<number, number>): number {
  const known = cached.get(shard.shardIndex);
  if (known !== undefined) return known;
  let epoch = Math.floor(shard.createdAtMs / 1000);
  // Parents are older than their children (lower indexes), so this walk ends.
  for (const parentId of [shard.ParentShardId, shard.AdjacentParentShardId]) {
    if (parentId === undefined) continue;
    const parent = shards.find((candidate) => candidate.ShardId === parentId);
    if (parent !== undefined && parent.shardIndex < shard.shardIndex) epoch = Math.max(epoch, epochOf(shards, parent, cached) + 1);
  }
  cached.set(shard.shardIndex, epoch);
  return epoch;
}

/** What a record's (or a shard start's) sequence number needs to know about its shard. */
export interface ShardSequence {
  shardEpochSeconds: number;
  shardIndex: number;
}

export function shardSequence(shards: readonly ShardMeta[], shard: ShardMeta): ShardSequence {
  return { shardEpochSeconds: shardEpochSeconds(shards, shard), shardIndex: shard.shardIndex };
}

/** The sequence number of the record at `offset` that arrived at `arrivalMs`. */
export function recordSequenceNumber(shard: ShardSequence, offset: number, arrivalMs: number): string {
  return encodeSequenceNumber({ ...shard, offset, arrivalMs });
}

/** The position a record's sequence number encodes (for encodeSequenceNumberRun). */
export function recordPosition(shard: ShardSequence, offset: number, arrivalMs: number): SequencePosition {
  return { shardEpochSeconds: shard.shardEpochSeconds, shardIndex: shard.shardIndex, offset, arrivalMs };
}

/**
 * A shard's StartingSequenceNumber: position 0, before its first record (position 1), with the
 * shard's creation second as arrival time — AWS's shape (its starting numbers repeat the creation
 * second in the arrival field). Smaller than every record of the shard.
 */
export function shardStartSequenceNumber(shards: readonly ShardMeta[], shard: ShardMeta): string {
  return recordSequenceNumber(shardSequence(shards, shard), -1, shard.createdAtMs);
}

/**
 * A closed shard's EndingSequenceNumber: its last record's position with the closing time, so no
 * smaller than any record it holds (each arrived no later than the close); an empty closed shard
 * ends where it starts, at position 0.
 */
export function shardEndSequenceNumber(shards: readonly ShardMeta[], shard: ShardMeta): string | undefined {
  if (shard.closedAtMs === undefined) return undefined;
  return recordSequenceNumber(shardSequence(shards, shard), (shard.endingOffset ?? 0) - 1, shard.closedAtMs);
}
