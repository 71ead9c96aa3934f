import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamName, StreamModeDetails, TagMap } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { checkTagText, withTags } from "../tags.js";
import { warmThroughputChange } from "../warm-throughput.js";
import { evenHashKeyRanges } from "../../core/hash-key.js";
import { shardIdFromIndex } from "../../core/shard-id.js";
import { RecordDistributionStrategy } from "./update-stream-record-distribution-strategy.js";
import type { RecordDistributionStrategy as Strategy, ShardMeta, StreamMeta, StreamMode } from "../model.js";
import type { StreamsContext } from "../context.js";
import { claimOf } from "../quota/account-quota.js";
import { checkClaimedOnDemandQuota, checkClaimedShardQuota, checkShardQuota as checkLocalShardQuota } from "../resharding/index.js";

interface CreateStreamInput {
  StreamName: string;
  ShardCount?: number;
  StreamModeDetails?: { StreamMode: StreamMode };
  Tags?: Record<string, string>;
  WarmThroughputMiBps?: number;
  MaxRecordSizeInKiB?: number;
  RecordDistributionStrategy?: Strategy;
}

/**
 * CreateStream. Without StreamModeDetails the mode follows ShardCount: given, PROVISIONED with
 * that many shards; absent, ON_DEMAND with its initial four shards (what AWS creates for a bare
 * `{StreamName}`). An explicit mode must agree with ShardCount, in CloudFormation's wording.
 * A PROVISIONED stream counts against the account's shard quota, an ON_DEMAND one against its
 * on-demand stream quota (UpdateStreamMode checks the same two). WarmThroughputMiBps and
 * MaxRecordSizeInKiB set at creation what UpdateStreamWarmThroughput and UpdateMaxRecordSize
 * change later, under the same rules (warm throughput: ON_DEMAND only, with the account's
 * MinimumThroughputBillingCommitment in force; UpdateStreamMode's wording for a PROVISIONED one).
 * RecordDistributionStrategy AUTO (records/distribution.ts) is for ON_DEMAND streams only, refused
 * with a PROVISIONED mode in the same wording; USER_PARTITION_KEY is every stream's default.
 */
export const createStream = defineAction<CreateStreamInput, undefined>({
  iamAction: "kinesis:CreateStream",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      ShardCount: { type: "integer", min: 1 },
      StreamModeDetails,
      StreamName: { ...StreamName, required: true },
      Tags: TagMap,
      WarmThroughputMiBps: { type: "integer", min: 0 },
      MaxRecordSizeInKiB: { type: "integer", min: limits.maxRecordSizeKiBMin, max: limits.maxRecordSizeKiBMax },
      RecordDistributionStrategy,
    },
  },
  async run(context, input) {
    const mode = input.StreamModeDetails?.StreamMode ?? (input.ShardCount === undefined ? "ON_DEMAND" : "PROVISIONED");
    if (mode === "PROVISIONED" && input.ShardCount === undefined) throw streamsErrors.shardCountExpected();
    if (mode === "ON_DEMAND" && input.ShardCount !== undefined) throw streamsErrors.shardCountNotExpected();
    if (mode === "PROVISIONED" && input.WarmThroughputMiBps !== undefined) throw streamsErrors.warmThroughputNotExpected();
    if (mode === "PROVISIONED" && input.RecordDistributionStrategy === "AUTO") throw streamsErrors.autoDistributionNotExpected();
    const shardCount = input.ShardCount ?? limits.onDemandShardCountInitial;
    const { accountId } = context;
    await context.streams.exclusive(input.StreamName, async () => {
      if (context.streams.get(input.StreamName)) throw streamsErrors.streamInUse(input.StreamName, accountId);
      const tags = input.Tags ?? {};
      checkTagText("add tags to", Object.keys(tags), Object.values(tags), input.StreamName, accountId);
      const checkedTags = withTags({}, tags, input.StreamName, accountId);
      await context.streams.quotaChecked(async () => {
        // This node's copy first: a count far past the quota (ShardCount 2147483647) is refused
        // before a stream of that many shards is built; the claim below decides with every node.
        if (mode === "PROVISIONED") checkLocalShardQuota(context, shardCount);
        const nowMs = context.clock.nowMs();
        const meta = newStreamMeta(context, input.StreamName, shardCount, mode, checkedTags, nowMs);
        // The quota check and the claim it allows are one compare-and-set with every node
        // (quota/account-quota.ts); the stream is stored after, and gives the claim back if it is not.
        await context.streams.admitQuota(meta.streamId, claimOf(meta, nowMs), (usage) => {
          if (mode === "PROVISIONED") checkClaimedShardQuota(context, usage, shardCount);
          else checkClaimedOnDemandQuota(context, usage);
        });
        try {
          if (input.MaxRecordSizeInKiB !== undefined) meta.MaxRecordSizeInKiB = input.MaxRecordSizeInKiB;
          if (input.RecordDistributionStrategy === "AUTO") meta.RecordDistributionStrategy = "AUTO";
          if (input.WarmThroughputMiBps !== undefined) {
            meta.warmThroughput = warmThroughputChange(context, meta, mode, input.WarmThroughputMiBps, nowMs);
          }
          await context.streams.put(meta);
        } catch (error) {
          await context.streams.releaseQuota(meta.streamId, () => undefined);
          throw error;
        }
      });
    });
    return undefined;
  },
});

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
    accountId: context.accountId,
    StreamName: streamName,
    createdAtMs: nowMs,
    StreamStatus: "CREATING",
    statusDueAtMs: nowMs + context.config.createStreamMs,
    RetentionPeriodHours: limits.retentionHoursDefault,
    StreamMode: mode,
    EncryptionType: "NONE",
    Tags: tags,
    shards,
    nextShardIndex: shardCount,
    ShardLevelMetrics: [],
  };
}
