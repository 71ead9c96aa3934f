/**
 * The checks SplitShard, MergeShards and UpdateShardCount share, with AWS's wording, and the
 * step that records an accepted reshard: the stream goes UPDATING for config.updateStreamMs and
 * the change waits in StreamMeta.pendingReshard until then (see take-effect.ts).
 */
import type { ShardMeta, StreamMeta } from "../model.js";
import { shardIdFromIndex, shardIndexFromId } from "../../core/shard-id.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import type { Plan } from "./plan.js";
import type { Usage } from "../quota/account-quota.js";

/** The shard index a ShardToSplit / ShardToMerge names; AWS refuses text that names none before it looks the stream up. */
export function resolveShardIndex(context: StreamsContext, shardId: string, streamName: string): number {
  const shardIndex = shardIndexFromId(shardId);
  if (shardIndex === undefined) throw streamsErrors.unresolvableShardId(shardId, streamName, context.accountId);
  return shardIndex;
}

/** The stream's shard of that index; the error names the shard by its canonical id. */
export function findShard(context: StreamsContext, meta: StreamMeta, shardIndex: number): ShardMeta {
  const shard = meta.shards.find((candidate) => candidate.shardIndex === shardIndex);
  if (!shard) throw streamsErrors.unresolvableShardId(shardIdFromIndex(shardIndex), meta.StreamName, context.accountId);
  return shard;
}

export function requireOpen(context: StreamsContext, meta: StreamMeta, shard: ShardMeta): void {
  if (shard.closedAtMs !== undefined) throw streamsErrors.shardAlreadyResharded(shard.ShardId, meta.StreamName, context.accountId);
}

/** AWS sizes ON_DEMAND streams itself: these APIs are for PROVISIONED streams only. */
export function requireProvisioned(context: StreamsContext, meta: StreamMeta): void {
  if (meta.StreamMode === "ON_DEMAND") throw streamsErrors.streamInOnDemandMode(meta.StreamName, context.accountId);
}

export function requireActive(context: StreamsContext, meta: StreamMeta): void {
  if (meta.StreamStatus !== "ACTIVE") throw streamsErrors.streamNotActive(meta.StreamName, context.accountId, meta.StreamStatus);
}

/** The account's shard quota, counting open shards (and those pending reshards will leave open). */
export function checkShardQuota(context: StreamsContext, additionalShards: number): void {
  const current = context.streams.openShardCount();
  const { region, shardLimit } = context.config;
  const { accountId } = context;
  if (current + additionalShards > shardLimit) {
    throw streamsErrors.shardLimitExceeded(accountId, region, current, shardLimit, additionalShards);
  }
}

/**
 * The same quota by every node's claims (quota/account-quota.ts): what a change that adds shards
 * checks in the compare-and-set that claims them, so two nodes never both take the last ones.
 */
export function checkClaimedShardQuota(context: StreamsContext, usage: Usage, additionalShards: number): void {
  const { region, shardLimit } = context.config;
  if (usage.openShards + additionalShards > shardLimit) {
    throw streamsErrors.shardLimitExceeded(context.accountId, region, usage.openShards, shardLimit, additionalShards);
  }
}

/** The account's ON_DEMAND stream quota by every node's claims, which a bare CreateStream (ON_DEMAND by default) counts against too. */
export function checkClaimedOnDemandQuota(context: StreamsContext, usage: Usage): void {
  const current = usage.onDemandStreams;
  if (current >= limits.onDemandStreamCountLimitDefault) {
    throw streamsErrors.onDemandStreamLimitExceeded(context.accountId, context.config.region, current, limits.onDemandStreamCountLimitDefault);
  }
}

export function openShardsOf(meta: StreamMeta): ShardMeta[] {
  return meta.shards.filter((shard) => shard.closedAtMs === undefined);
}

/** Stores an accepted reshard: UPDATING now, in effect at the status's due time. */
export async function scheduleReshard(context: StreamsContext, meta: StreamMeta, plan: Plan): Promise<void> {
  const nowMs = context.clock.nowMs();
  const next: StreamMeta = { ...meta, StreamStatus: "UPDATING", statusDueAtMs: nowMs + context.config.updateStreamMs, nextShardIndex: plan.nextShardIndex };
  if (plan.reshard.closingShardIndexes.length > 0 || plan.reshard.newShards.length > 0) next.pendingReshard = plan.reshard;
  await context.streams.put(next);
}
