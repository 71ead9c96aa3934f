import { defineAction } from "../action.js";
import { accountWide } from "../authorization/action-resources.js";
import { limits } from "../limits.js";

/**
 * DescribeLimits: the account's shard quota (config.shardLimit) and the open shards that count
 * against it (those of PROVISIONED streams), and the ON_DEMAND stream count and its quota.
 */
export const describeLimits = defineAction<Record<string, never>, unknown>({
  iamAction: "kinesis:DescribeLimits",
  resources: accountWide,
  plane: "control",
  rate: { callsPerSecond: 1, scope: "account" },
  shape: { type: "structure", members: {} },
  async run(context) {
    return {
      ShardLimit: context.config.shardLimit,
      OpenShardCount: context.streams.openShardCount(),
      OnDemandStreamCount: context.streams.onDemandStreamCount(),
      OnDemandStreamCountLimit: limits.onDemandStreamCountLimitDefault,
    };
  },
});
