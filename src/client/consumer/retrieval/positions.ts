/**
 * What both fetchers share: where a shard's reading starts (from a checkpoint or the initial
 * position), and how a page of Kinesis records becomes the user records a processor sees —
 * de-aggregated, sub-records of other shards dropped, nothing at or before the start checkpoint.
 */
import type { ShardIteratorType } from "@aws-sdk/client-kinesis";
import { hashPartitionKey } from "../../../core/hash-key.js";
import { deaggregate, type KinesisRecordInput } from "../../kpl/deaggregate.js";
import type { ConsumerRecord, ExtendedSequenceNumber, FetcherStart } from "../types.js";

const sentinels = new Set(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "SHARD_END"]);

/** Whether the position is one of the KCL's sentinels rather than a real sequence number. */
export function isSentinel(position: ExtendedSequenceNumber): boolean {
  return sentinels.has(position.sequenceNumber);
}

/** Orders two real positions by sequence number (decimal, up to 128 bits), then sub-sequence number. */
export function comparePositions(a: ExtendedSequenceNumber, b: ExtendedSequenceNumber): number {
  const left = BigInt(a.sequenceNumber);
  const right = BigInt(b.sequenceNumber);
  if (left !== right) return left < right ? -1 : 1;
  return a.subSequenceNumber - b.subSequenceNumber;
}

/** The position of a user record. */
export function positionOf(record: ConsumerRecord): ExtendedSequenceNumber {
  return { sequenceNumber: record.SequenceNumber, subSequenceNumber: record.SubSequenceNumber };
}

/** A StartingPosition (SubscribeToShard) or GetShardIterator's type, sequence number and timestamp. */
export interface StartingPosition {
  Type: ShardIteratorType;
  SequenceNumber?: string;
  Timestamp?: Date;
}

/**
 * Where reading starts: AT the checkpoint's sequence number (a half-processed aggregate resumes
 * inside it; `RecordFilter` drops the sub-records already done), or the initial position for a
 * sentinel checkpoint. A SHARD_END checkpoint has nothing left to read: callers check first.
 */
export function startingPosition(start: FetcherStart): StartingPosition {
  const { checkpoint, initialPosition } = start;
  if (!isSentinel(checkpoint)) return { Type: "AT_SEQUENCE_NUMBER", SequenceNumber: checkpoint.sequenceNumber };
  // The checkpoint names the initial position it was created with; the configured one gives the timestamp.
  if (checkpoint.sequenceNumber === "TRIM_HORIZON") return { Type: "TRIM_HORIZON" };
  if (checkpoint.sequenceNumber === "LATEST") return { Type: "LATEST" };
  if (initialPosition.type === "AT_TIMESTAMP") return { Type: "AT_TIMESTAMP", Timestamp: initialPosition.timestamp };
  // An AT_TIMESTAMP checkpoint with no timestamp configured: the KCL would fail; the oldest record is the safe side.
  return { Type: "TRIM_HORIZON" };
}

/** Turns the Kinesis records of one GetRecords page or SubscribeToShard event into user records. */
export class RecordFilter {
  private readonly after: ExtendedSequenceNumber | undefined;
  private readonly range: { start: bigint; end: bigint } | undefined;
  /** Aggregated sub-records dropped because their hash key lies outside the shard's range. */
  droppedOutOfRange = 0;

  constructor(start: FetcherStart) {
    this.after = isSentinel(start.checkpoint) ? undefined : start.checkpoint;
    this.range =
      start.hashKeyRange === undefined ? undefined : { start: BigInt(start.hashKeyRange.startingHashKey), end: BigInt(start.hashKeyRange.endingHashKey) };
  }

  apply(records: readonly KinesisRecordInput[] | undefined): ConsumerRecord[] {
    const out: ConsumerRecord[] = [];
    for (const record of records ?? []) {
      for (const user of deaggregate(record)) {
        if (this.after !== undefined && comparePositions(positionOf(user), this.after) <= 0) continue;
        if (user.aggregated && !this.inRange(user)) {
          this.droppedOutOfRange++;
          continue;
        }
        out.push(user);
      }
    }
    return out;
  }

  /**
   * As the KCL's AggregatorUtil: a sub-record whose effective hash key (its explicit hash key, or
   * the MD5 of its partition key) is outside the shard's range is dropped — the producer packed it
   * with a stale shard map. A hash key that is not a decimal number cannot be placed, so it stays.
   */
  private inRange(user: ConsumerRecord): boolean {
    if (this.range === undefined) return true;
    const hashKey = effectiveHashKey(user);
    return hashKey === undefined || (this.range.start <= hashKey && hashKey <= this.range.end);
  }
}

function effectiveHashKey(user: ConsumerRecord): bigint | undefined {
  if (user.ExplicitHashKey === undefined) return hashPartitionKey(user.PartitionKey);
  return /^\d{1,39}$/.test(user.ExplicitHashKey) ? BigInt(user.ExplicitHashKey) : undefined;
}
