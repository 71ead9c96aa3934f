/** Shapes shared by several actions, defined once (AWS's constraints, in AWS's check order). */
import type { StringShape, IntegerShape, StructureShape, MapShape, ListShape } from "../../protocol/shapes.js";
import { limits } from "../limits.js";

export const StreamName: StringShape = {
  type: "string",
  pattern: limits.streamNamePattern,
  lengthMin: 1,
  lengthMax: limits.streamNameLengthMax,
};

export const StreamARN: StringShape = {
  type: "string",
  pattern: limits.streamArnPattern,
  lengthMin: 1,
  lengthMax: limits.streamArnLengthMax,
};

/**
 * StreamId: a member every stream-addressing request gained in 2025, documented as "Not
 * Implemented. Reserved for future use." AWS validates it like any member (its length and
 * pattern, at 'streamId') and otherwise ignores it, so we do the same.
 */
export const StreamId: StringShape = {
  type: "string",
  pattern: "[a-z0-9]{20}-[a-z0-9]{3}",
  lengthMin: 1,
  lengthMax: 24,
};

/**
 * DryRun (PutRecord, PutRecords, GetRecords, GetShardIterator, SubscribeToShard): true makes the
 * action check its arguments, permissions and resources and then answer DryRunOperationException
 * instead of reading or writing.
 */
export const DryRun = { type: "boolean" } as const;

export const ShardId: StringShape = {
  type: "string",
  pattern: "[a-zA-Z0-9_.-]+",
  lengthMin: 1,
  lengthMax: 128,
};

export const SequenceNumber: StringShape = { type: "string", pattern: "0|([1-9]\\d{0,128})" };

export const PartitionKey: StringShape = { type: "string", lengthMin: 1, lengthMax: limits.partitionKeyLengthMax };

export const HashKey: StringShape = { type: "string", pattern: "0|([1-9]\\d{0,38})" };

export const TagKey: StringShape = { type: "string", lengthMin: 1, lengthMax: limits.tagKeyLengthMax };
export const TagValue: StringShape = { type: "string", lengthMin: 0, lengthMax: limits.tagValueLengthMax };

export const StreamModeDetails: StructureShape = {
  type: "structure",
  members: { StreamMode: { type: "string", required: true, enum: ["PROVISIONED", "ON_DEMAND"] } },
};

/** Members of a request that names a stream by StreamName or StreamARN (and the reserved StreamId). */
export const streamReference = { StreamName, StreamARN, StreamId } as const;

/** TagResource / UntagResource / ListTagsForResource: a stream (or consumer) ARN. */
export const ResourceARN: StringShape = {
  type: "string",
  // The model's pattern admits channel ARNs too (the Channels resource type, which we do not
  // implement: such an ARN passes validation and then names no resource we have).
  pattern: "arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel)/\\S+",
  lengthMin: 1,
  lengthMax: limits.streamArnLengthMax,
};

export const NextToken: StringShape = { type: "string", lengthMin: 1, lengthMax: 1_048_576 };

/** CreateStream / AddTagsToStream / TagResource Tags. */
export const TagMap: MapShape = {
  type: "map",
  value: TagValue,
  lengthMin: 1,
  lengthMax: limits.tagMapEntriesMax,
  keyLength: [1, limits.tagKeyLengthMax],
  valueLength: [0, limits.tagValueLengthMax],
};

/** RemoveTagsFromStream / UntagResource TagKeys. */
export const TagKeyList: ListShape = {
  type: "list",
  // AWS reports member lengths once, on the list (memberLength), not per member.
  member: { type: "string" },
  lengthMin: 1,
  lengthMax: limits.tagKeysPerRequestMax,
  memberLength: [1, limits.tagKeyLengthMax],
};

export type { IntegerShape };
