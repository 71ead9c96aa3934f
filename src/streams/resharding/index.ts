/** Resharding: SplitShard, MergeShards and UpdateShardCount plans, their shared checks, and how they take effect. */
export { planMerge, planSplit, planUniformScaling, applyReshard, openShardCountAfterReshard, type Plan, type ShardEnding } from "./plan.js";
export { takeEffect, reshardDue, type TakeEffectDeps } from "./take-effect.js";
export {
  checkClaimedOnDemandQuota, checkClaimedShardQuota, checkShardQuota, findShard, openShardsOf, requireActive, requireOpen, requireProvisioned, resolveShardIndex, scheduleReshard,
} from "./checks.js";
