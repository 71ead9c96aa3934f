import { defineAction } from "../action.js";
import { streamReference } from "../shapes/common.js";
import { isOpen } from "../shards.js";
import type { StreamReference } from "../stream-registry.js";
import { streamArn } from "../../core/arn.js";

/**
 * DescribeStreamSummary: the stream without its shard list. OpenShardCount agrees with
 * DescribeStream: a CREATING stream has no shards yet. ConsumerCount is 0 until enhanced fan-out
 * consumers exist.
 */
export const describeStreamSummary = defineAction<StreamReference, unknown>({
  shape: { type: "structure", members: { ...streamReference } },
  async run(context, input) {
    const meta = context.streams.require(input);
    const openShardCount = meta.StreamStatus === "CREATING" ? 0 : meta.shards.filter(isOpen).length;
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
      },
    };
  },
});
