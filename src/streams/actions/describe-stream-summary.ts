import { defineAction } from "../action.js";
import { streamReference } from "../shapes/common.js";
import type { StreamReference } from "../stream-registry.js";
import { streamArn } from "../../core/arn.js";

export const describeStreamSummary = defineAction<StreamReference, unknown>({
  shape: { type: "structure", members: { ...streamReference } },
  async run(context, input) {
    const meta = context.streams.require(input);
    const openShardCount = meta.shards.filter((shard) => shard.endingOffset === undefined).length;
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
