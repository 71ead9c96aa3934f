import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { DryRun, SequenceNumber, ShardId, streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { issueIterator, retainedStartOffset, retentionCutoffMs, shardEpochSeconds, trimIfDue } from "../records/index.js";
import { encodedShardId, parseSequenceNumber } from "../../core/sequence-number.js";
import { shardIdFromIndex, shardIndexFromId } from "../../core/shard-id.js";
import type { ShardLog } from "../../storage/types.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import type { StreamReference } from "../stream-registry.js";
import { isExpired } from "../shards.js";

export const iteratorTypes = ["AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"] as const;
export type ShardIteratorType = (typeof iteratorTypes)[number];

export interface GetShardIteratorInput extends StreamReference {
  ShardId: string;
  ShardIteratorType: ShardIteratorType;
  StartingSequenceNumber?: string;
  /** Epoch milliseconds (the shape checker converts both wire forms). */
  Timestamp?: number;
  DryRun?: boolean;
}

/** What the start-position rules need to know about the request's shard. */
export interface ShardAt {
  context: StreamsContext;
  meta: StreamMeta;
  shard: ShardMeta;
  log: ShardLog;
  nowMs: number;
  /** The first offset inside the retention window. */
  retainedFromOffset: number;
}

export const getShardIterator = defineAction<GetShardIteratorInput, { ShardIterator: string }>({
  iamAction: "kinesis:GetShardIterator",
  resources: streamResource,
  plane: "data",
  rate: { callsPerSecond: 5, burstCalls: 15, scope: "shard" },
  shape: {
    type: "structure",
    members: {
      ShardId: { ...ShardId, required: true },
      ShardIteratorType: { type: "string", required: true, enum: iteratorTypes },
      StartingSequenceNumber: SequenceNumber,
      Timestamp: { type: "timestamp" },
      ...streamReference,
      DryRun,
    },
  },
  // The shard's five calls a second (streams/limits) are charged only to a call that names a real
  // shard and a valid start: an invalid call gets its own error, never a throttle.
  async check(context, input) {
    await start(context, input);
    // A dry run that passed every check answers here, before it is charged to the shard's rate.
    if (input.DryRun === true) throw streamsErrors.dryRunSucceeded();
  },
  async run(context, input) {
    const { at, offset } = await start(context, input);
    if (input.DryRun === true) throw streamsErrors.dryRunSucceeded();
    return { ShardIterator: issueIterator(context, at.meta, at.shard.shardIndex, offset, at.nowMs) };
  },
});

async function start(context: StreamsContext, input: GetShardIteratorInput): Promise<{ at: ShardAt; offset: number }> {
  const at = await shardAt(context, context.streams.nameOf(input), input.ShardId, context.accountId);
  return { at, offset: await startOffset(at, input) };
}

/**
 * The shard a ShardId names in a stream, as it is now (a due reshard applied, retention trimmed),
 * or AWS's errors for an unresolvable id or a shard that does not exist (or has expired after
 * closing, as it has from ListShards). SubscribeToShard resolves its shard the same way.
 */
export async function shardAt(context: StreamsContext, streamName: string, shardIdText: string, accountId: string): Promise<ShardAt> {
  const shardIndex = shardIndexFromId(shardIdText);
  if (shardIndex === undefined) throw streamsErrors.unresolvableShardId(shardIdText, streamName, accountId);
  const meta = await context.streams.current(streamName);
  const shard = meta?.shards.find((candidate) => candidate.shardIndex === shardIndex);
  const nowMs = context.clock.nowMs();
  if (!meta || !shard || isExpired(shard, meta, nowMs)) throw streamsErrors.shardNotFound(shardIdFromIndex(shardIndex), streamName, accountId);
  const log = context.logs.shard(meta.streamId, shardIndex);
  await trimIfDue(context, meta, shardIndex, log, nowMs);
  const retainedFromOffset = await retainedStartOffset(log, retentionCutoffMs(meta, nowMs));
  return { context, meta, shard, log, nowMs, retainedFromOffset };
}

/** The offset a start position names; SubscribeToShard applies the same rules (its StartingPosition). */
export async function startOffset(at: ShardAt, input: GetShardIteratorInput): Promise<number> {
  const type = input.ShardIteratorType;
  const sequenceNumber = input.StartingSequenceNumber;
  switch (type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER": {
      if (sequenceNumber === undefined) throw streamsErrors.iteratorTypeNeedsSequenceNumber(type, false);
      // Position p is the record at offset p - 1 (0: the shard's start, before its first record).
      const position = sequencePosition(at, sequenceNumber);
      const offset = type === "AT_SEQUENCE_NUMBER" ? Math.max(position - 1, 0) : position;
      return Math.max(offset, at.retainedFromOffset);
    }
    case "TRIM_HORIZON":
    case "LATEST":
    case "AT_TIMESTAMP":
      if (sequenceNumber !== undefined) throw streamsErrors.iteratorTypeNeedsSequenceNumber(type, true);
      if (type === "TRIM_HORIZON") return at.retainedFromOffset;
      if (type === "LATEST") return at.log.endOffset();
      return timestampOffset(at, input.Timestamp);
  }
}

/**
 * The position a StartingSequenceNumber names in this shard, refused as AWS refuses it (the
 * layouts: core/sequence-number.ts; the answers: kinesalite's getShardIterator tests, recorded
 * against AWS): a number AWS cannot read is invalid; one that encodes another shard says so; an
 * old-layout ("version 0") number of this shard fails with a bare 500 InternalFailure; any other
 * number this shard did not issue — another epoch (an earlier stream of this name, or another
 * stream) or a position past the end — did not come from this stream.
 */
function sequencePosition(at: ShardAt, sequenceNumber: string): number {
  const shardId = at.shard.ShardId;
  const streamName = at.meta.StreamName;
  const accountId = at.context.accountId;
  const parsed = parseSequenceNumber(sequenceNumber);
  if (!parsed) throw streamsErrors.invalidStartingSequenceNumber(sequenceNumber, shardId, streamName, accountId);
  if (parsed.shardIndex !== at.shard.shardIndex) throw streamsErrors.startingSequenceNumberOtherShard(encodedShardId(parsed.shardIndex), shardId);
  if (parsed.version === 0) throw streamsErrors.legacySequenceNumberFailure();
  // A checkpoint from before the AWS layout names its offset directly (its shard index was checked above).
  if (parsed.version === "tributary-0") {
    if (parsed.offset + 1 > at.log.endOffset()) throw streamsErrors.foreignStartingSequenceNumber(sequenceNumber, shardId, streamName, accountId);
    return parsed.offset + 1;
  }
  const issuedHere =
    parsed.version === 2 && parsed.shardEpochSeconds === shardEpochSeconds(at.meta.shards, at.shard) && parsed.offset + 1 <= at.log.endOffset();
  if (!issuedHere) throw streamsErrors.foreignStartingSequenceNumber(sequenceNumber, shardId, streamName, accountId);
  return parsed.offset + 1;
}

async function timestampOffset(at: ShardAt, timestampMs: number | undefined): Promise<number> {
  if (timestampMs === undefined) throw streamsErrors.timestampMissing();
  if (timestampMs > at.nowMs) throw streamsErrors.timestampInFuture(timestampMs, at.nowMs);
  // A time before the retention window starts at the oldest retained record, as TRIM_HORIZON does.
  return Math.max(await at.log.offsetAtTime(timestampMs), at.retainedFromOffset);
}
