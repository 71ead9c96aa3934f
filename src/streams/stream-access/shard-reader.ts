/**
 * StreamAccess.readShard: what GetRecords would return from a position, read in-process. The
 * start positions follow GetShardIterator's rules (its own `shardAt` and `startOffset`), the read
 * follows GetRecords (records/: retention, a closed shard's end, sealed records opened, sequence
 * numbers by runs), without the per-shard read rates — this is the service's own reader — but
 * inside the shared read budget, so internal readers and GetRecords callers share its memory.
 *
 * A CURSOR is `<streamId>/<shardIndex>/<offset>`: resuming from one parses three numbers and reads,
 * with no GetShardIterator work. The stream id pins the incarnation: a cursor presented to a stream
 * deleted and created again under its name answers shard-not-found, as GetRecords answers an
 * iterator of the old stream.
 */
import type { ShardPosition, ShardReadOutcome, StreamRecordView } from "../../storage/stream-access.js";
import type { ReadResult, ShardLog, StoredRecord } from "../../storage/types.js";
import { shardIndexFromId } from "../../core/shard-id.js";
import { ServiceError } from "../errors.js";
import type { StreamsContext } from "../context.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import { retainedStartOffset, retentionCutoffMs, shardSequence, trimIfDue, type ShardSequence } from "../records/index.js";
import { sequenceNumbersOf } from "../records/record-list.js";
import { openSealedRecords } from "../encryption/index.js";
import { shardAt, startOffset, type GetShardIteratorInput } from "../actions/get-shard-iterator.js";
import type { StreamTarget } from "./stream-targets.js";

type Failure = Extract<ShardReadOutcome, { ok: false }>;

const streamNotFound: Failure = { ok: false, reason: "stream-not-found" };
const shardNotFound: Failure = { ok: false, reason: "shard-not-found" };
const invalidPosition: Failure = { ok: false, reason: "invalid-position" };

export interface ReadLimits {
  recordsMax: number;
  bytesMax: number;
}

/** Reads `shardId` of the target's stream from `position`; see the module comment. */
export async function readShard(target: StreamTarget, shardId: string, position: ShardPosition, limits: ReadLimits): Promise<ShardReadOutcome> {
  const { context } = target;
  const registry = context.streams.registry;
  let meta = registry.get(target.accountId, target.streamName);
  if (meta === undefined) return streamNotFound;
  if (position.type !== "CURSOR") return readFromStart(target, shardId, position, limits);
  const cursor = parseCursor(position.cursor);
  if (cursor === undefined || cursor.shardIndex !== shardIndexFromId(shardId)) return invalidPosition;
  // As GetRecords: a reshard that has fallen due takes effect first, so a reader at a closing shard's end sees it closed.
  const settling = registry.reshardSettling(meta);
  if (settling !== undefined) {
    await settling;
    meta = registry.get(target.accountId, target.streamName);
    if (meta === undefined) return streamNotFound;
  }
  if (meta.streamId !== cursor.streamId) return shardNotFound;
  const shard = shardOf(meta, cursor.shardIndex);
  if (shard === undefined) return shardNotFound;
  return readFrom(context, meta, shard, cursor.offset, limits);
}

/** A first read: GetShardIterator's start rules and answers, as outcomes. */
async function readFromStart(target: StreamTarget, shardId: string, position: Exclude<ShardPosition, { type: "CURSOR" }>, limits: ReadLimits): Promise<ShardReadOutcome> {
  const { context } = target;
  let meta: StreamMeta;
  let shard: ShardMeta;
  let offset: number;
  try {
    const at = await shardAt(context, target.streamName, shardId, target.accountId);
    offset = await startOffset(at, iteratorInput(shardId, position));
    ({ meta, shard } = at);
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    if (error.type !== "ResourceNotFoundException") return invalidPosition;
    return context.streams.registry.get(target.accountId, target.streamName) === undefined ? streamNotFound : shardNotFound;
  }
  return readFrom(context, meta, shard, offset, limits);
}

function iteratorInput(shardId: string, position: Exclude<ShardPosition, { type: "CURSOR" }>): GetShardIteratorInput {
  switch (position.type) {
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER":
      return { ShardId: shardId, ShardIteratorType: position.type, StartingSequenceNumber: position.sequenceNumber };
    case "AT_TIMESTAMP":
      return { ShardId: shardId, ShardIteratorType: position.type, Timestamp: position.timestampMs };
    default:
      return { ShardId: shardId, ShardIteratorType: position.type };
  }
}

/** GetRecords' read from `offset` of a resolved shard. */
async function readFrom(context: StreamsContext, meta: StreamMeta, shard: ShardMeta, offset: number, limits: ReadLimits): Promise<ShardReadOutcome> {
  const nowMs = context.clock.nowMs();
  const log = context.logs.shard(meta.streamId, shard.shardIndex);
  await trimIfDue(context, meta, shard.shardIndex, log, nowMs);
  const cutoffMs = retentionCutoffMs(meta, nowMs);
  // Never past the end: a log that lost its unsynced tail in a crash must not leave readers beyond it.
  let fromOffset = Math.min(offset, log.endOffset());
  let read = await readBounded(context, log, shard, fromOffset, limits);
  // GetRecords starts no earlier than the first retained record. Arrival times never decrease in a
  // shard, so that start is past `offset` only if the first record read has expired: only then is
  // it looked up (an index search an engine may do on disk), and the read made again from there.
  if (read.records.length > 0 && read.records[0]!.arrivalMs < cutoffMs) {
    const retainedFromOffset = Math.min(await retainedStartOffset(log, cutoffMs), log.endOffset());
    if (retainedFromOffset > fromOffset) {
      fromOffset = retainedFromOffset;
      read = await readBounded(context, log, shard, fromOffset, limits);
    }
  }
  // Records that expired since (or between the two looks) can only be a prefix.
  let firstRetained = 0;
  while (firstRetained < read.records.length && read.records[firstRetained]!.arrivalMs < cutoffMs) firstRetained++;
  const returned = firstRetained === 0 ? read.records : read.records.slice(firstRetained);
  if (meta.encryption !== undefined) await openSealedRecords(context, meta, shard.shardIndex, returned);
  const records = recordViews(returned, shardSequence(meta.shards, shard), meta.encryption !== undefined);
  // A closed shard takes no more appends, so its log's end is final (as GetRecords decides it).
  const shardEnded = shard.endingOffset !== undefined && read.nextOffset >= Math.min(shard.endingOffset, log.endOffset());
  return {
    ok: true,
    records,
    next: { type: "CURSOR", cursor: cursorOf(meta.streamId, shard.shardIndex, read.nextOffset) },
    millisBehindLatest: shardEnded || read.nextArrivalMs === undefined ? 0 : Math.max(0, nowMs - read.nextArrivalMs),
    shardEnded,
  };
}

/** One log read within the limits, a closed shard's end and the shared read budget. */
async function readBounded(context: StreamsContext, log: ShardLog, shard: ShardMeta, fromOffset: number, limits: ReadLimits): Promise<ReadResult> {
  const left = shard.endingOffset === undefined ? Infinity : Math.max(0, shard.endingOffset - fromOffset);
  const recordsMax = Math.min(limits.recordsMax, left);
  if (recordsMax <= 0) return { records: [], nextOffset: fromOffset };
  const bytesMax = context.readBudget.enter(limits.bytesMax);
  try {
    return await log.read(fromOffset, { recordsMax, bytesMax });
  } finally {
    context.readBudget.leave();
  }
}

/** The records as GetRecords returns them: sequence numbers by runs (records/record-list.ts), one object each. */
function recordViews(records: readonly StoredRecord[], sequence: ShardSequence, everEncrypted: boolean): StreamRecordView[] {
  const sequenceNumbers = sequenceNumbersOf(records, sequence);
  const out = new Array<StreamRecordView>(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    // EncryptionType per record, as wire-record.ts gives it: KMS only for a record stored sealed.
    out[i] = everEncrypted && record.sealedWith !== undefined
      ? { sequenceNumber: sequenceNumbers[i]!, partitionKey: record.partitionKey, data: record.data, approximateArrivalTimestampMs: record.arrivalMs, encryptionType: "KMS" }
      : { sequenceNumber: sequenceNumbers[i]!, partitionKey: record.partitionKey, data: record.data, approximateArrivalTimestampMs: record.arrivalMs };
  }
  return out;
}

function shardOf(meta: StreamMeta, shardIndex: number): ShardMeta | undefined {
  const shards = meta.shards;
  // Shards are stored in index order, so the index is usually the position.
  const guess = shards[shardIndex];
  if (guess?.shardIndex === shardIndex) return guess;
  return shards.find((candidate) => candidate.shardIndex === shardIndex);
}

function cursorOf(streamId: string, shardIndex: number, offset: number): string {
  return `${streamId}/${shardIndex}/${offset}`;
}

function parseCursor(cursor: string): { streamId: string; shardIndex: number; offset: number } | undefined {
  const first = cursor.indexOf("/");
  const second = cursor.indexOf("/", first + 1);
  if (first <= 0 || second <= first + 1 || second === cursor.length - 1) return undefined;
  const shardIndex = Number(cursor.slice(first + 1, second));
  const offset = Number(cursor.slice(second + 1));
  if (!Number.isSafeInteger(shardIndex) || shardIndex < 0 || !Number.isSafeInteger(offset) || offset < 0) return undefined;
  return { streamId: cursor.slice(0, first), shardIndex, offset };
}
