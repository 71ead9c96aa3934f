import { defineAction } from "../action.js";
import { streamReference } from "../shapes/common.js";
import { isOpen } from "../shards.js";
import { limits } from "../limits.js";
import { describedWarmThroughput } from "../warm-throughput.js";
import type { StreamReference } from "../stream-registry.js";
import { streamArn } from "../../core/arn.js";

/**
 * DescribeStreamSummary: the stream without its shard list. OpenShardCount agrees with
 * DescribeStream: a CREATING stream has no shards yet. ConsumerCount is 0 until enhanced fan-out
 * consumers exist. MaxRecordSizeInKiB is always shown (1024 until UpdateMaxRecordSize); WarmThroughput
 * only where AWS shows it (an ON_DEMAND stream with a setting, in an account with the commitment).
 */
export const describeStreamSummary = defineAction<StreamReference, unknown>({
  shape: { type: "structure", members: { ...streamReference } },
  async run(context, input) {
    const meta = await context.streams.requireCurrent(input);
    const openShardCount = meta.StreamStatus === "CREATING" ? 0 : meta.shards.filter(isOpen).length;
    const warmThroughput = describedWarmThroughput(context, meta, context.clock.nowMs());
    return {
      StreamDescriptionSummary: {
        StreamName: meta.StreamName,
        StreamARN: streamArn(context.config.region, context.config.accountId, meta.StreamName),
        StreamStatus: meta.StreamStatus,
        StreamModeDetails: { StreamMode: meta.StreamMode },
        RetentionPeriodHours: meta.RetentionPeriodHours,
        StreamCreationTimestamp: new Date(meta.createdAtMs),
        EnhancedMonitoring: [{ ShardLevelMetrics: meta.ShardLevelMetrics }],
        EncryptionType: meta.EncryptionType,
        KeyId: meta.KeyId,
        OpenShardCount: openShardCount,
        ConsumerCount: 0,
        ...(warmThroughput && { WarmThroughput: warmThroughput }),
        MaxRecordSizeInKiB: meta.MaxRecordSizeInKiB ?? limits.maxRecordSizeKiBDefault,
      },
    };
  },
});
