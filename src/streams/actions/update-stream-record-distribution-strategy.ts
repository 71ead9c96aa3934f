import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamARN, StreamId } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { changeActiveStream } from "../stream-change.js";
import type { StringShape } from "../../protocol/shapes.js";
import type { RecordDistributionStrategy as Strategy, StreamMeta } from "../model.js";

/** The strategy member of CreateStream and of this action. */
export const RecordDistributionStrategy: StringShape = { type: "string", enum: ["AUTO", "USER_PARTITION_KEY"] };

interface UpdateStreamRecordDistributionStrategyInput {
  StreamARN: string;
  RecordDistributionStrategy: Strategy;
}

/**
 * UpdateStreamRecordDistributionStrategy: AUTO (the service places records, records/distribution.ts)
 * or USER_PARTITION_KEY (by partition key, the default). Named by StreamARN only. Takes effect at
 * once, the stream staying ACTIVE: records already written keep their shards. AUTO needs an
 * ON_DEMAND stream (InvalidArgumentException otherwise); USER_PARTITION_KEY, what every
 * PROVISIONED stream uses, is accepted on either. AWS documents no call rate for it, so it has
 * none here, like UpdateStreamMode (docs/limits.md).
 */
export const updateStreamRecordDistributionStrategy = defineAction<UpdateStreamRecordDistributionStrategyInput, undefined>({
  iamAction: "kinesis:UpdateStreamRecordDistributionStrategy",
  resources: streamResource,
  plane: "control",
  shape: {
    type: "structure",
    members: {
      StreamARN: { ...StreamARN, required: true },
      StreamId,
      RecordDistributionStrategy: { ...RecordDistributionStrategy, required: true },
    },
  },
  async run(context, input) {
    const strategy = input.RecordDistributionStrategy;
    await changeActiveStream(context, { StreamARN: input.StreamARN }, (meta) => {
      if (strategy === "AUTO" && meta.StreamMode !== "ON_DEMAND") throw streamsErrors.autoDistributionNeedsOnDemand(meta.StreamName, context.accountId);
      return { next: withStrategy(meta, strategy), result: undefined };
    });
    return undefined;
  },
});

/** The stream with `strategy`, or undefined if it has it already (absent is USER_PARTITION_KEY). */
function withStrategy(meta: StreamMeta, strategy: Strategy): StreamMeta | undefined {
  if ((meta.RecordDistributionStrategy ?? "USER_PARTITION_KEY") === strategy) return undefined;
  if (strategy === "AUTO") return { ...meta, RecordDistributionStrategy: "AUTO" };
  const { RecordDistributionStrategy: _auto, ...rest } = meta;
  return rest;
}
