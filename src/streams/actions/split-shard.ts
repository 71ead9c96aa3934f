import { defineAction } from "../action.js";
import { claimOf } from "../quota/account-quota.js";
import { streamResource } from "../authorization/action-resources.js";
import { HashKey, ShardId, StreamARN, StreamId, StreamName } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import {
  checkClaimedShardQuota, checkShardQuota, findShard, planSplit, requireActive, requireOpen, requireProvisioned, resolveShardIndex, scheduleReshard,
} from "../resharding/index.js";
import type { StreamReference } from "../stream-registry.js";

interface SplitShardInput extends StreamReference {
  ShardToSplit: string;
  NewStartingHashKey: string;
}

/**
 * SplitShard: the shard closes and two children open, [start, NewStartingHashKey - 1] and
 * [NewStartingHashKey, end], once the stream has been UPDATING for config.updateStreamMs. Checks
 * in AWS's order (kinesalite's recording): the shard id names a shard at all, the stream exists,
 * the shard does, the shard quota, the hash key lies inside the shard, the shard is still open,
 * the stream is ACTIVE.
 */
export const splitShard = defineAction<SplitShardInput, undefined>({
  iamAction: "kinesis:SplitShard",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      NewStartingHashKey: { ...HashKey, required: true },
      StreamName,
      ShardToSplit: { ...ShardId, required: true },
      StreamARN,
      StreamId,
    },
  },
  async run(context, input) {
    const streamName = context.streams.nameOf(input);
    const shardIndex = resolveShardIndex(context, input.ShardToSplit, streamName);
    // A reshard already due takes effect first, so the checks below see the shards as they are.
    await context.streams.current(streamName);
    await context.streams.exclusive(streamName, async () => {
      const meta = context.streams.require(input);
      requireProvisioned(context, meta);
      const shard = findShard(context, meta, shardIndex);
      checkShardQuota(context, 1);
      const hashKey = BigInt(input.NewStartingHashKey);
      const range = shard.HashKeyRange;
      if (hashKey <= BigInt(range.StartingHashKey) + 1n || hashKey >= BigInt(range.EndingHashKey)) {
        throw streamsErrors.splitHashKeyOutOfRange(input.NewStartingHashKey, shard.ShardId, meta.StreamName, context.accountId, range);
      }
      requireOpen(context, meta, shard);
      requireActive(context, meta);
      // The new shard is claimed with every node in one compare-and-set (quota/account-quota.ts),
      // and given back if the split is not stored.
      const nowMs = context.clock.nowMs();
      const claim = claimOf(meta, nowMs)!;
      await context.streams.admitQuota(meta.streamId, { ...claim, shards: claim.shards + 1 }, (usage) => checkClaimedShardQuota(context, usage, 1));
      try {
        await scheduleReshard(context, meta, planSplit(shard, hashKey, meta.nextShardIndex));
      } catch (error) {
        await context.streams.releaseQuota(meta.streamId, (stored) => ({ ...stored, shards: claim.shards, atMs: nowMs }));
        throw error;
      }
    });
    return undefined;
  },
});
