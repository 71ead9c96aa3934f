/**
 * The sequence numbers a shard's SequenceNumberRange shows, in AWS's layout, computed from when the
 * shard was created and closed: shared by the DescribeStream, ListShards and resharding tables.
 */
import { encodeSequenceNumber } from "../../../src/core/sequence-number.js";

/** A shard's StartingSequenceNumber in AWS's layout: its creation second as epoch, position 0, created at `createdMs`. */
export const startOf = (createdMs: number, shardIndex: number) => encodeSequenceNumber({ shardEpochSeconds: Math.floor(createdMs / 1000), shardIndex, offset: -1, arrivalMs: createdMs });
/** A closed shard's EndingSequenceNumber: its last record's offset (-1: none) with the closing time. */
export const endOf = (createdMs: number, shardIndex: number, lastOffset: number, closedMs: number) =>
  encodeSequenceNumber({ shardEpochSeconds: Math.floor(createdMs / 1000), shardIndex, offset: lastOffset, arrivalMs: closedMs });
