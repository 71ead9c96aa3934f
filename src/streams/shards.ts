/**
 * Shards as DescribeStream and ListShards present them, and the ListShards ShardFilter, in one
 * place so both actions agree on which shards exist, which are open and which have expired.
 *
 * A shard is open until resharding closes it (ShardMeta.endingOffset/closedAtMs). A closed shard
 * expires — AWS stops listing it — once its last possible record is older than the retention period.
 */
import type { ShardMeta, StreamMeta } from "./model.js";
import type { HashKeyRange } from "../core/hash-key.js";
import { shardEndSequenceNumber, shardStartSequenceNumber } from "./records/sequence-numbers.js";
import { shardIndexFromId } from "../core/shard-id.js";

export interface WireShard {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: HashKeyRange;
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

export type ShardFilterType = "AFTER_SHARD_ID" | "AT_TRIM_HORIZON" | "FROM_TRIM_HORIZON" | "AT_LATEST" | "AT_TIMESTAMP" | "FROM_TIMESTAMP";

export const shardFilterTypes: readonly ShardFilterType[] = [
  "AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST", "AT_TIMESTAMP", "FROM_TIMESTAMP",
];

/** A checked ShardFilter: ShardId only with AFTER_SHARD_ID, timestampMs only with the timestamp types. */
export interface ShardFilter {
  Type: ShardFilterType;
  ShardId?: string;
  timestampMs?: number;
}

const hourMs = 3600 * 1000;

export function isOpen(shard: ShardMeta): boolean {
  return shard.closedAtMs === undefined;
}

/** A shard as DescribeStream and ListShards give it; `shards` is its stream's whole list (sequence-number epochs). */
export function describeShard(shards: readonly ShardMeta[], shard: ShardMeta): WireShard {
  const wire: WireShard = {
    ShardId: shard.ShardId,
    HashKeyRange: { ...shard.HashKeyRange },
    SequenceNumberRange: {
      StartingSequenceNumber: shardStartSequenceNumber(shards, shard),
    },
  };
  if (shard.ParentShardId !== undefined) wire.ParentShardId = shard.ParentShardId;
  if (shard.AdjacentParentShardId !== undefined) wire.AdjacentParentShardId = shard.AdjacentParentShardId;
  const ending = shardEndSequenceNumber(shards, shard);
  if (ending !== undefined) wire.SequenceNumberRange.EndingSequenceNumber = ending;
  return wire;
}

/** The oldest moment whose records are still retained: stream creation, or now minus retention. */
export function trimHorizonMs(meta: StreamMeta, nowMs: number): number {
  return Math.max(meta.createdAtMs, nowMs - meta.RetentionPeriodHours * hourMs);
}

/** Closed shards whose records have all aged out of retention; AWS no longer lists them. */
export function isExpired(shard: ShardMeta, meta: StreamMeta, nowMs: number): boolean {
  return shard.closedAtMs !== undefined && shard.closedAtMs < trimHorizonMs(meta, nowMs);
}

/** The stream's listable shards in shard-id order (expired shards left out). */
export function liveShards(meta: StreamMeta, nowMs: number): ShardMeta[] {
  return meta.shards.filter((shard) => !isExpired(shard, meta, nowMs)).sort((a, b) => a.shardIndex - b.shardIndex);
}

/**
 * Whether `shard` comes after the shard named `exclusiveStartShardId`. AWS names a shard by its
 * numeric suffix (`shardId-000000000001` and `shardId-1` are one shard); anything without one is
 * compared as text, as the ids themselves sort.
 */
export function follows(shard: ShardMeta, exclusiveStartShardId: string): boolean {
  const index = shardIndexFromId(exclusiveStartShardId);
  if (index !== undefined) return shard.shardIndex > index;
  return shard.ShardId > exclusiveStartShardId;
}

/**
 * The shards a ListShards ShardFilter selects (AWS API reference, ShardFilter), from `shards` in
 * shard-id order. Timestamps before the trim horizon are moved up to it, as AWS documents for
 * FROM_TIMESTAMP; AT_TIMESTAMP is treated alike so a timestamp before the stream existed names the
 * shards it started with.
 */
export function applyShardFilter(shards: readonly ShardMeta[], filter: ShardFilter, meta: StreamMeta, nowMs: number): ShardMeta[] {
  const horizonMs = trimHorizonMs(meta, nowMs);
  const openAt = (atMs: number) => (shard: ShardMeta) =>
    shard.createdAtMs <= atMs && (shard.closedAtMs === undefined || shard.closedAtMs >= atMs);
  switch (filter.Type) {
    case "AFTER_SHARD_ID":
      return shards.filter((shard) => follows(shard, filter.ShardId!));
    case "AT_TRIM_HORIZON":
      return shards.filter(openAt(horizonMs));
    case "FROM_TRIM_HORIZON":
      return [...shards];
    case "AT_LATEST":
      return shards.filter(isOpen);
    case "AT_TIMESTAMP":
      return shards.filter(openAt(Math.max(filter.timestampMs!, horizonMs)));
    case "FROM_TIMESTAMP": {
      const fromMs = Math.max(filter.timestampMs!, horizonMs);
      return shards.filter((shard) => shard.closedAtMs === undefined || shard.closedAtMs >= fromMs);
    }
  }
}
