import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { ShardId, streamReference } from "../shapes/common.js";
import { limits } from "../limits.js";
import { describeShard, follows, liveShards } from "../shards.js";
import type { StreamReference } from "../stream-registry.js";
import { streamArn } from "../../core/arn.js";

interface DescribeStreamInput extends StreamReference {
  Limit?: number;
  ExclusiveStartShardId?: string;
}

/**
 * DescribeStream: the stream and one page of its shards (at most 100 whatever Limit says, as AWS
 * documents). A CREATING stream has no shards yet, as AWS (and kinesalite's test of it) shows.
 */
export const describeStream = defineAction<DescribeStreamInput, unknown>({
  iamAction: "kinesis:DescribeStream",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 10, scope: "account" },
  shape: {
    type: "structure",
    members: {
      Limit: { type: "integer", min: 1, max: limits.describeStreamLimitMax },
      ExclusiveStartShardId: ShardId,
      ...streamReference,
    },
  },
  async run(context, input) {
    const meta = await context.streams.requireCurrent(input);
    const pageMax = Math.min(input.Limit ?? limits.describeStreamPageMax, limits.describeStreamPageMax);
    let shards = meta.StreamStatus === "CREATING" ? [] : liveShards(meta, context.clock.nowMs());
    if (input.ExclusiveStartShardId !== undefined) shards = shards.filter((shard) => follows(shard, input.ExclusiveStartShardId!));
    const page = shards.slice(0, pageMax);
    return {
      StreamDescription: {
        StreamName: meta.StreamName,
        StreamARN: streamArn(context.config.region, context.accountId, meta.StreamName),
        StreamStatus: meta.StreamStatus,
        StreamModeDetails: { StreamMode: meta.StreamMode },
        Shards: page.map((shard) => describeShard(meta.shards, shard)),
        HasMoreShards: shards.length > page.length,
        RetentionPeriodHours: meta.RetentionPeriodHours,
        StreamCreationTimestamp: new Date(meta.createdAtMs),
        EnhancedMonitoring: [{ ShardLevelMetrics: meta.ShardLevelMetrics }],
        EncryptionType: meta.EncryptionType,
        KeyId: meta.KeyId,
      },
    };
  },
});
