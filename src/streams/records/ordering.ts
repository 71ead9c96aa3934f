/**
 * SequenceNumberForOrdering: PutRecord's promise that the new record's sequence number is larger
 * than a sequence number the client got earlier. Our sequence numbers order by (arrival time,
 * shard index, offset), so the new record needs an arrival time no earlier than the given
 * number's — one millisecond later when shard index and offset alone cannot put it after.
 */
import { decodeSequenceNumber, type SequencePosition } from "../../core/sequence-number.js";
import type { ShardLog } from "../../storage/types.js";
import { streamsErrors } from "../errors.js";

/**
 * How far ahead of the clock an issued number's arrival time can be: ordering moves arrival
 * times up by a millisecond at a time. AWS refuses numbers from further in the future.
 */
const issuedAheadMsMax = 1000;

/** Decodes a SequenceNumberForOrdering; throws AWS's InvalidArgumentException for numbers we did not issue. */
export function parseOrderingSequence(sequenceNumber: string, streamName: string, accountId: string, nowMs: number): SequencePosition {
  const position = decodeSequenceNumber(sequenceNumber);
  // A number from the future was not issued by us (AWS refuses those too).
  if (!position || position.arrivalMs > nowMs + issuedAheadMsMax) {
    throw streamsErrors.invalidSequenceNumberForOrdering(sequenceNumber, streamName, accountId);
  }
  return position;
}

/** The earliest arrival time that gives the next record in `log` a sequence number above `after`. */
export function arrivalFloorMs(after: SequencePosition, shardIndex: number, log: ShardLog): number {
  const laterWithinTheMillisecond = shardIndex > after.shardIndex || (shardIndex === after.shardIndex && log.endOffset() > after.offset);
  return laterWithinTheMillisecond ? after.arrivalMs : after.arrivalMs + 1;
}
