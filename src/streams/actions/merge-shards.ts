import { defineAction } from "../action.js";
import { claimOf } from "../quota/account-quota.js";
import { streamResource } from "../authorization/action-resources.js";
import { ShardId, StreamARN, StreamId, StreamName } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { findShard, planMerge, requireActive, requireOpen, requireProvisioned, resolveShardIndex, scheduleReshard } from "../resharding/index.js";
import type { StreamReference } from "../stream-registry.js";

interface MergeShardsInput extends StreamReference {
  ShardToMerge: string;
  AdjacentShardToMerge: string;
}

/**
 * MergeShards: ShardToMerge and the shard right above it (AdjacentShardToMerge) close and one
 * child covering both opens, once the stream has been UPDATING for config.updateStreamMs. Checks
 * in AWS's order (kinesalite's recording): both ids name shards at all, the stream exists, both
 * shards do, they are adjacent in that order, both are still open, the stream is ACTIVE. A merge
 * only lowers the open shard count, so the shard quota cannot refuse it.
 */
export const mergeShards = defineAction<MergeShardsInput, undefined>({
  iamAction: "kinesis:MergeShards",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      ShardToMerge: { ...ShardId, required: true },
      AdjacentShardToMerge: { ...ShardId, required: true },
      StreamName,
      StreamARN,
      StreamId,
    },
  },
  async run(context, input) {
    const streamName = context.streams.nameOf(input);
    const shardIndex = resolveShardIndex(context, input.ShardToMerge, streamName);
    const adjacentIndex = resolveShardIndex(context, input.AdjacentShardToMerge, streamName);
    // A reshard already due takes effect first, so the checks below see the shards as they are.
    await context.streams.current(streamName);
    await context.streams.exclusive(streamName, async () => {
      const meta = context.streams.require(input);
      requireProvisioned(context, meta);
      const shard = findShard(context, meta, shardIndex);
      const adjacent = findShard(context, meta, adjacentIndex);
      if (BigInt(shard.HashKeyRange.EndingHashKey) + 1n !== BigInt(adjacent.HashKeyRange.StartingHashKey)) {
        throw streamsErrors.shardsNotAdjacent(shard.ShardId, adjacent.ShardId, meta.StreamName, context.accountId);
      }
      requireOpen(context, meta, shard);
      requireOpen(context, meta, adjacent);
      requireActive(context, meta);
      await scheduleReshard(context, meta, planMerge(shard, adjacent, meta.nextShardIndex));
      // One shard fewer once the merge is stored: the account's claim (quota/account-quota.ts) lets it go.
      const nowMs = context.clock.nowMs();
      const merged = claimOf(meta, nowMs)!.shards - 1;
      await context.streams.releaseQuota(meta.streamId, (stored) => ({ ...stored, shards: merged, atMs: nowMs }));
    });
    return undefined;
  },
});
