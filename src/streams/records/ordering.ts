/**
 * SequenceNumberForOrdering: PutRecord's promise of "strictly increasing sequence numbers, for
 * puts from the same client and to the same partition key" (AWS API reference). The same
 * partition key writes to the same shard, where a later record's number is larger by its offset
 * alone; or, after a reshard, to a child shard, whose numbers all exceed its parents' (the shard
 * epoch: sequence-numbers.ts). So the number only has to be one AWS accepts; nothing about the
 * new record changes. Records of different shards are not ordered, as on AWS (the shard's epoch
 * and index come before the position in the number).
 */
import { parseSequenceNumber, type SequencePosition } from "../../core/sequence-number.js";
import { streamsErrors } from "../errors.js";

/**
 * Decodes a SequenceNumberForOrdering; throws AWS's InvalidArgumentException for a number that is
 * not in AWS's current layout (version 2) or whose arrival second is still to come — AWS refuses
 * both (kinesalite's putRecord tests, recorded against AWS).
 */
export function parseOrderingSequence(sequenceNumber: string, streamName: string, accountId: string, nowMs: number): SequencePosition {
  const parsed = parseSequenceNumber(sequenceNumber);
  if (parsed?.version !== 2 || parsed.arrivalMs > nowMs) {
    throw streamsErrors.invalidSequenceNumberForOrdering(sequenceNumber, streamName, accountId);
  }
  const { version: _version, ...position } = parsed;
  return position;
}
