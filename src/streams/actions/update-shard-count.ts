import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamARN, StreamId, StreamName } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { checkClaimedShardQuota, openShardsOf, planUniformScaling, requireActive, requireProvisioned, scheduleReshard } from "../resharding/index.js";
import type { StreamReference } from "../stream-registry.js";
import { streamArn } from "../../core/arn.js";
import { claimOf } from "../quota/account-quota.js";

interface UpdateShardCountInput extends StreamReference {
  ScalingType: "UNIFORM_SCALING";
  TargetShardCount: number;
}

interface UpdateShardCountOutput {
  StreamName: string;
  CurrentShardCount: number;
  TargetShardCount: number;
  StreamARN: string;
}

/** AWS's default per-stream shard maximum, which UpdateShardCount enforces. */
const streamShardsMax = 10_000;

/**
 * UpdateShardCount (UNIFORM_SCALING): after config.updateStreamMs UPDATING, the stream's open
 * shards are the even split of the key space into TargetShardCount ranges, reached by splits and
 * merges (resharding/plan.ts). AWS's documented limits, in this order: the stream is ACTIVE, the
 * per-stream maximum (a stream above it may only go below it), at most double and at least half
 * the open shards, the account's shard quota, and at most ten scalings per stream in any 24 hours
 * (AWS documents the limit but not its message: ours is worded like the capacity-mode one).
 */
export const updateShardCount = defineAction<UpdateShardCountInput, UpdateShardCountOutput>({
  iamAction: "kinesis:UpdateShardCount",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 10, scope: "account" },
  shape: {
    type: "structure",
    members: {
      ScalingType: { type: "string", required: true, enum: ["UNIFORM_SCALING"] },
      StreamName,
      TargetShardCount: { type: "integer", required: true, min: 1 },
      StreamARN,
      StreamId,
    },
  },
  async run(context, input) {
    const streamName = context.streams.nameOf(input);
    const target = input.TargetShardCount;
    // A reshard already due takes effect first, so the checks below see the shards as they are.
    await context.streams.current(streamName);
    return context.streams.exclusive(streamName, async () => {
      const meta = context.streams.require(input);
      requireProvisioned(context, meta);
      requireActive(context, meta);
      const open = openShardsOf(meta);
      if (target > streamShardsMax || (open.length > streamShardsMax && target >= streamShardsMax)) {
        throw streamsErrors.streamShardCountOverMax(streamShardsMax, open.length, target);
      }
      if (target > open.length * 2) throw streamsErrors.scaleUpOverDouble(open.length, target);
      if (target * 2 < open.length) throw streamsErrors.scaleDownBelowHalf(open.length, target);
      const nowMs = context.clock.nowMs();
      // Growing, the stream claims its new shards with every node in one compare-and-set
      // (quota/account-quota.ts), and gives them back if the change is not stored; shrinking, it
      // lets go of the shards once the change is.
      if (target > open.length) {
        await context.streams.admitQuota(meta.streamId, { ...claimOf(meta, nowMs)!, shards: target }, (usage) => checkClaimedShardQuota(context, usage, target - open.length));
      }
      try {
        const scaledAtMs = (meta.shardCountUpdatedAtMs ?? []).filter((atMs) => nowMs - atMs < limits.shardCountUpdateWindowMs);
        if (scaledAtMs.length >= limits.shardCountUpdatesPerWindowMax) {
          throw streamsErrors.shardCountUpdateLimitExceeded(meta.StreamName, context.accountId, limits.shardCountUpdatesPerWindowMax);
        }
        await scheduleReshard(context, { ...meta, shardCountUpdatedAtMs: [...scaledAtMs, nowMs] }, planUniformScaling(open, target, meta.nextShardIndex));
      } catch (error) {
        if (target > open.length) await context.streams.releaseQuota(meta.streamId, (claim) => ({ ...claim, shards: open.length, atMs: nowMs }));
        throw error;
      }
      if (target < open.length) await context.streams.releaseQuota(meta.streamId, (claim) => ({ ...claim, shards: target, atMs: nowMs }));
      return {
        StreamName: meta.StreamName,
        CurrentShardCount: open.length,
        TargetShardCount: target,
        StreamARN: streamArn(context.config.region, context.accountId, meta.StreamName),
      };
    });
  },
});
