import { defineAction } from "../action.js";
import { SequenceNumber, ShardId, StreamARN, StreamName } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { issueIterator, retainedStartOffset, retentionCutoffMs, trimIfDue } from "../records/index.js";
import { decodeSequenceNumber, encodeSequenceNumber } from "../../core/sequence-number.js";
import { shardIdFromIndex, shardIndexFromId } from "../../core/shard-id.js";
import type { ShardLog, ShardMeta, StreamMeta } from "../../storage/types.js";
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
  shape: {
    type: "structure",
    members: {
      ShardId: { ...ShardId, required: true },
      ShardIteratorType: { type: "string", required: true, enum: iteratorTypes },
      StartingSequenceNumber: SequenceNumber,
      StreamName,
      Timestamp: { type: "timestamp" },
      StreamARN,
    },
  },
  async run(context, input) {
    const streamName = context.streams.nameOf(input);
    const accountId = context.accountId;
    const at = await shardAt(context, streamName, input.ShardId, accountId);
    const offset = await startOffset(at, input);
    return { ShardIterator: issueIterator(context, at.meta, at.shard.shardIndex, offset, at.nowMs) };
  },
});

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
      const offset = sequenceOffset(at, sequenceNumber);
      // The shard's StartingSequenceNumber names the point before its first record, so AFTER it
      // starts at that record — unless the first record itself carries that number (it arrived in
      // the millisecond the shard was created), when AFTER means after it, as for any record.
      const afterShardStart = type === "AFTER_SEQUENCE_NUMBER" && offset === 0 && sequenceNumber === shardStartSequenceNumber(at.shard) && !(await firstRecordCarries(at, sequenceNumber));
      return Math.max(type === "AT_SEQUENCE_NUMBER" || afterShardStart ? offset : offset + 1, at.retainedFromOffset);
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

/** The offset a StartingSequenceNumber names, refused with AWS's messages unless this shard issued it. */
function sequenceOffset(at: ShardAt, sequenceNumber: string): number {
  const shardId = at.shard.ShardId;
  const streamName = at.meta.StreamName;
  const accountId = at.context.accountId;
  const position = decodeSequenceNumber(sequenceNumber);
  if (!position) throw streamsErrors.invalidStartingSequenceNumber(sequenceNumber, shardId, streamName, accountId);
  if (position.shardIndex !== at.shard.shardIndex) {
    throw streamsErrors.startingSequenceNumberOtherShard(shardIdFromIndex(position.shardIndex), shardId);
  }
  // Records of an earlier stream of this name arrived before this shard existed; nothing past the end was issued yet
  // (but the shard's StartingSequenceNumber is its own even while the shard is empty).
  const issuedHere =
    position.arrivalMs >= at.shard.createdAtMs && (position.offset < at.log.endOffset() || sequenceNumber === shardStartSequenceNumber(at.shard));
  if (!issuedHere) throw streamsErrors.foreignStartingSequenceNumber(sequenceNumber, shardId, streamName, accountId);
  return position.offset;
}

/** What ListShards and DescribeStream give as the shard's StartingSequenceNumber. */
function shardStartSequenceNumber(shard: ShardMeta): string {
  return encodeSequenceNumber({ arrivalMs: shard.createdAtMs, shardIndex: shard.shardIndex, offset: 0 });
}

async function firstRecordCarries(at: ShardAt, sequenceNumber: string): Promise<boolean> {
  if (at.log.endOffset() === 0 || at.log.startOffset() > 0) return false;
  const first = (await at.log.read(0, { recordsMax: 1, bytesMax: 1 })).records[0];
  return first !== undefined && first.offset === 0 && encodeSequenceNumber({ arrivalMs: first.arrivalMs, shardIndex: at.shard.shardIndex, offset: 0 }) === sequenceNumber;
}

async function timestampOffset(at: ShardAt, timestampMs: number | undefined): Promise<number> {
  if (timestampMs === undefined) throw streamsErrors.timestampMissing();
  if (timestampMs > at.nowMs) throw streamsErrors.timestampInFuture(timestampMs, at.nowMs);
  // A time before the retention window starts at the oldest retained record, as TRIM_HORIZON does.
  return Math.max(await at.log.offsetAtTime(timestampMs), at.retainedFromOffset);
}
