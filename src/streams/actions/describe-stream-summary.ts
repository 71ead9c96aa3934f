import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { streamReference } from "../shapes/common.js";
import { isOpen } from "../shards.js";
import { limits } from "../limits.js";
import { describedWarmThroughput } from "../warm-throughput.js";
import { recordDistributionStrategyOf } from "../records/distribution.js";
import type { StreamReference } from "../stream-registry.js";
import { consumersOf } from "../consumers/index.js";
import { streamArn } from "../../core/arn.js";

/**
 * DescribeStreamSummary: the stream without its shard list. OpenShardCount agrees with
 * DescribeStream: a CREATING stream has no shards yet. ConsumerCount counts the enhanced fan-out
 * consumers registered and not yet gone, whatever their status. MaxRecordSizeInKiB is always
 * shown (1024 until UpdateMaxRecordSize); WarmThroughput only where AWS shows it (an ON_DEMAND
 * stream with a setting, in an account with the commitment). RecordDistributionStrategy is shown
 * for ON_DEMAND streams only, as AWS documents it.
 */
export const describeStreamSummary = defineAction<StreamReference, unknown>({
  iamAction: "kinesis:DescribeStreamSummary",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 20, scope: "account" },
  shape: { type: "structure", members: { ...streamReference } },
  async run(context, input) {
    const meta = await context.streams.requireCurrent(input);
    const openShardCount = meta.StreamStatus === "CREATING" ? 0 : meta.shards.filter(isOpen).length;
    const nowMs = context.clock.nowMs();
    const warmThroughput = describedWarmThroughput(context, meta, nowMs);
    return {
      StreamDescriptionSummary: {
        StreamName: meta.StreamName,
        StreamARN: streamArn(context.config.region, context.accountId, meta.StreamName),
        StreamStatus: meta.StreamStatus,
        StreamModeDetails: { StreamMode: meta.StreamMode },
        RetentionPeriodHours: meta.RetentionPeriodHours,
        StreamCreationTimestamp: new Date(meta.createdAtMs),
        EnhancedMonitoring: [{ ShardLevelMetrics: meta.ShardLevelMetrics }],
        EncryptionType: meta.EncryptionType,
        KeyId: meta.KeyId,
        OpenShardCount: openShardCount,
        ConsumerCount: consumersOf(meta, nowMs).length,
        ...(warmThroughput && { WarmThroughput: warmThroughput }),
        MaxRecordSizeInKiB: meta.MaxRecordSizeInKiB ?? limits.maxRecordSizeKiBDefault,
        ...(meta.StreamMode === "ON_DEMAND" && { RecordDistributionStrategy: recordDistributionStrategyOf(meta) }),
      },
    };
  },
});
