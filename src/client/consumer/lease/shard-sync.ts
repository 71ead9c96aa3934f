/**
 * Shard discovery and lineage, after the KCL's HierarchicalShardSyncer in a simple form:
 *
 * - TRIM_HORIZON / AT_TIMESTAMP: every listed shard gets a lease starting at that sentinel, so
 *   every retained record is read, parents first (the lineage gate below).
 * - LATEST: only open shards get leases (checkpoint LATEST); closed shards are history the
 *   application asked to skip. But a shard whose parent HAS a lease starts at TRIM_HORIZON: the
 *   parent is being (or was) read, and the records written to the child since the reshard must
 *   not fall into a gap between the parent's end and the child's "latest".
 *
 * A shard's children start only after their parents are finished (`parentsFinished`), so each
 * partition key's records are processed in order across a reshard.
 */
import { ListShardsCommand, type KinesisClient, type ListShardsCommandInput, type Shard } from "@aws-sdk/client-kinesis";
import { systemRandom, type Random } from "../../../util/random.js";
import type { InitialPosition, Lease, LeaseTable, SentinelCheckpoint } from "../types.js";
import { isFinished } from "./lease-taking.js";
import { errorName, isRetriableError, jitteredBackoffMs } from "../../retry.js";
import { systemClock, type Clock } from "../../../util/clock.js";

export interface StreamRef {
  StreamName?: string;
  StreamARN?: string;
}

export interface ShardSyncOptions {
  kinesis: KinesisClient;
  stream: StreamRef;
  table: LeaseTable;
  initialPosition: InitialPosition;
  random?: Random;
  /** What retry waits run on (default the system clock). */
  clock?: Clock;
}

export interface ShardSyncResult {
  /** The stream's shards, as listed. */
  shards: Shard[];
  /** The leases this sync created (others may have been created concurrently by other workers). */
  created: Lease[];
}

/** Pages of ListShards, a bound against a misbehaving endpoint. */
const listShardsPagesMax = 1000;
/** Attempts per ListShards page under LimitExceededException (5 calls a second per stream on AWS). */
const listShardsAttemptsMax = 10;

/**
 * Creates the missing leases for the stream's shards. Safe to run from every worker at once:
 * creation is conditional, so each lease is created once.
 *
 * @example await syncShardLeases({ kinesis, stream: { StreamName: "orders" }, table, initialPosition: { type: "LATEST" } });
 */
export async function syncShardLeases(options: ShardSyncOptions): Promise<ShardSyncResult> {
  const shards = await listAllShards(options);
  const existing = await options.table.list();
  const planned = plannedLeases(shards, new Set(existing.map((lease) => lease.leaseKey)), options.initialPosition);
  const created: Lease[] = [];
  for (const lease of planned) {
    if (await options.table.createIfAbsent(lease)) created.push(lease);
  }
  return { shards, created };
}

/** The leases to create for shards that have none, by the rules above (pure; parents before children). */
export function plannedLeases(shards: readonly Shard[], leasedKeys: ReadonlySet<string>, initialPosition: InitialPosition): Lease[] {
  const leased = new Set(leasedKeys);
  const planned: Lease[] = [];
  for (const shard of parentsFirst(shards)) {
    const shardId = shard.ShardId!;
    if (leased.has(shardId)) continue;
    const checkpoint = startingCheckpoint(shard, leased, initialPosition);
    if (checkpoint === undefined) continue;
    planned.push(newLease(shardId, checkpoint, parentIds(shard), shard.HashKeyRange?.StartingHashKey, shard.HashKeyRange?.EndingHashKey));
    leased.add(shardId);
  }
  return planned;
}

function startingCheckpoint(shard: Shard, leased: ReadonlySet<string>, initialPosition: InitialPosition): SentinelCheckpoint | undefined {
  if (initialPosition.type !== "LATEST") return initialPosition.type;
  if (parentIds(shard).some((parentId) => leased.has(parentId))) return "TRIM_HORIZON";
  const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
  return open ? "LATEST" : undefined;
}

/**
 * The lineage gate: true when each parent of the lease either has no lease (it was never to be
 * read, or was deleted once finished) or has been checkpointed at SHARD_END.
 */
export function parentsFinished(lease: Lease, leasesByKey: ReadonlyMap<string, Lease>): boolean {
  return lease.parentShardIds.every((parentId) => {
    const parent = leasesByKey.get(parentId);
    return parent === undefined || isFinished(parent);
  });
}

function newLease(leaseKey: string, checkpoint: SentinelCheckpoint, parentShardIds: readonly string[], startingHashKey?: string, endingHashKey?: string): Lease {
  return {
    leaseKey,
    leaseCounter: 0,
    checkpoint: { sequenceNumber: checkpoint, subSequenceNumber: 0 },
    ownerSwitchesSinceCheckpoint: 0,
    parentShardIds: [...new Set(parentShardIds)].sort(),
    childShardIds: [],
    ...(startingHashKey !== undefined && endingHashKey !== undefined && { startingHashKey, endingHashKey }),
  };
}

function parentIds(shard: Shard): string[] {
  return [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => id !== undefined && id !== "");
}

/** Orders shards so every listed parent precedes its children (ListShards usually does already). */
function parentsFirst(shards: readonly Shard[]): Shard[] {
  const byId = new Map(shards.filter((shard) => shard.ShardId !== undefined).map((shard) => [shard.ShardId!, shard]));
  const ordered: Shard[] = [];
  const visited = new Set<string>();
  const visit = (shard: Shard): void => {
    if (visited.has(shard.ShardId!)) return;
    visited.add(shard.ShardId!);
    for (const parentId of parentIds(shard)) {
      const parent = byId.get(parentId);
      if (parent !== undefined) visit(parent);
    }
    ordered.push(shard);
  };
  for (const shard of byId.values()) visit(shard);
  return ordered;
}

/** Every shard of the stream, all pages; LimitExceededException and server errors are retried with backoff. */
export async function listAllShards(options: Pick<ShardSyncOptions, "kinesis" | "stream" | "random" | "clock">): Promise<Shard[]> {
  const random = options.random ?? systemRandom;
  const clock = options.clock ?? systemClock;
  const shards: Shard[] = [];
  // ListShards takes the stream only on the first page; later pages name it through NextToken.
  let input: ListShardsCommandInput = { ...options.stream };
  for (let page = 0; page < listShardsPagesMax; page++) {
    const output = await withRetries(() => options.kinesis.send(new ListShardsCommand(input)), random, clock);
    shards.push(...(output.Shards ?? []));
    if (output.NextToken === undefined) return shards;
    input = { NextToken: output.NextToken };
  }
  throw new Error(`ListShards did not end after ${listShardsPagesMax} pages`);
}

async function withRetries<T>(call: () => Promise<T>, random: Random, clock: Clock): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retriable = errorName(error) === "LimitExceededException" || isRetriableError(error);
      if (attempt >= listShardsAttemptsMax || !retriable) throw error;
      await clock.sleep(jitteredBackoffMs(attempt, random, 200, 5000));
    }
  }
}
