import { defineAction } from "../action.js";
import { StreamName, StreamModeDetails, TagKey, TagValue } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { evenHashKeyRanges } from "../../core/hash-key.js";
import { shardIdFromIndex } from "../../core/shard-id.js";
import type { ShardMeta, StreamMeta, StreamMode } from "../../storage/types.js";
import type { StreamsContext } from "../context.js";

interface CreateStreamInput {
  StreamName: string;
  ShardCount?: number;
  StreamModeDetails?: { StreamMode: StreamMode };
  Tags?: Record<string, string>;
}

export const createStream = defineAction<CreateStreamInput, undefined>({
  shape: {
    type: "structure",
    members: {
      ShardCount: { type: "integer", min: 1 },
      StreamModeDetails,
      StreamName: { ...StreamName, required: true },
      Tags: { type: "map", value: TagValue, lengthMin: 0, lengthMax: limits.tagsPerStreamMax, keyLength: [1, limits.tagKeyLengthMax], valueLength: [0, limits.tagValueLengthMax] },
    },
  },
  async run(context, input) {
    const mode = input.StreamModeDetails?.StreamMode ?? "PROVISIONED";
    if (mode === "PROVISIONED" && input.ShardCount === undefined) {
      throw streamsErrors.invalidArgument("Shard count must be specified for a stream in PROVISIONED mode.");
    }
    const shardCount = mode === "ON_DEMAND" ? (input.ShardCount ?? limits.onDemandShardCountInitial) : input.ShardCount!;
    if (context.streams.get(input.StreamName)) {
      throw streamsErrors.streamInUse(input.StreamName, context.config.accountId);
    }
    checkShardQuota(context, shardCount);
    const now = context.clock.nowMs();
    await context.streams.put(newStreamMeta(context, input.StreamName, shardCount, mode, input.Tags ?? {}, now));
    return undefined;
  },
});

function checkShardQuota(context: StreamsContext, additionalShards: number): void {
  const current = context.streams.openShardCount();
  const limit = context.config.shardLimit;
  if (current + additionalShards > limit) {
    throw streamsErrors.limitExceeded(
      `This request would exceed the shard limit for the account ${context.config.accountId} in ${context.config.region}. ` +
        `Current shard count for the account: ${current}. Limit: ${limit}. ` +
        `Number of additional shards that would have resulted from this request: ${additionalShards}. ` +
        "Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) " +
        "for current limits and how to request higher limits.",
    );
  }
}

function newStreamMeta(
  context: StreamsContext,
  streamName: string,
  shardCount: number,
  mode: StreamMode,
  tags: Record<string, string>,
  nowMs: number,
): StreamMeta {
  const shards: ShardMeta[] = evenHashKeyRanges(shardCount).map((range, index) => ({
    ShardId: shardIdFromIndex(index),
    shardIndex: index,
    HashKeyRange: range,
    createdAtMs: nowMs,
  }));
  return {
    streamId: context.random.bytes(16).toString("hex"),
    StreamName: streamName,
    createdAtMs: nowMs,
    StreamStatus: "CREATING",
    statusDueAtMs: nowMs + context.config.createStreamMs,
    RetentionPeriodHours: limits.retentionHoursDefault,
    StreamMode: mode,
    EncryptionType: "NONE",
    Tags: { ...tags },
    shards,
    nextShardIndex: shardCount,
    ShardLevelMetrics: [],
  };
}
