import { defineAction } from "../action.js";
import { StreamARN } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import {
  childShardsOf, issueIterator, iteratorShard, openIterator, retainedStartOffset, retentionCutoffMs, trimIfDue, wireRecord,
  type WireRecord,
} from "../records/index.js";
import type { ReadResult } from "../../storage/types.js";

interface GetRecordsInput {
  Limit?: number;
  ShardIterator: string;
  StreamARN?: string;
}

interface GetRecordsOutput {
  Records: WireRecord[];
  NextShardIterator?: string;
  MillisBehindLatest: number;
  ChildShards?: ReturnType<typeof childShardsOf>;
}

export const getRecords = defineAction<GetRecordsInput, GetRecordsOutput>({
  shape: {
    type: "structure",
    members: {
      Limit: { type: "integer", min: 1, max: limits.getRecordsLimitMax },
      ShardIterator: { type: "string", required: true, lengthMin: 1, lengthMax: limits.shardIteratorLengthMax },
      StreamARN,
    },
  },
  async run(context, input) {
    const nowMs = context.clock.nowMs();
    const position = openIterator(context, input.ShardIterator, nowMs);
    if (input.StreamARN !== undefined && context.streams.nameOf({ StreamARN: input.StreamARN }) !== position.streamName) {
      throw streamsErrors.invalidShardIterator();
    }
    const { meta, shard } = iteratorShard(context, position);
    const log = context.logs.shard(meta.streamId, shard.shardIndex);
    await trimIfDue(context, meta, shard.shardIndex, log, nowMs);
    const cutoffMs = retentionCutoffMs(meta, nowMs);
    // Never past the end: a log that lost its unsynced tail in a crash must not leave readers beyond it.
    const fromOffset = Math.min(Math.max(position.offset, await retainedStartOffset(log, cutoffMs)), log.endOffset());

    // A closed shard ends at endingOffset: read up to it, then point the reader at the children.
    const left = shard.endingOffset === undefined ? Infinity : Math.max(0, shard.endingOffset - fromOffset);
    const recordsMax = Math.min(input.Limit ?? limits.getRecordsLimitMax, left);
    const read: ReadResult = recordsMax > 0 ? await log.read(fromOffset, { recordsMax, bytesMax: limits.getRecordsBytesMax }) : { records: [], nextOffset: fromOffset };
    const records = read.records.filter((record) => record.arrivalMs >= cutoffMs).map((record) => wireRecord(record, shard.shardIndex, meta.EncryptionType));

    const ended = shard.endingOffset !== undefined && read.nextOffset >= shard.endingOffset;
    if (ended) return { Records: records, MillisBehindLatest: 0, ChildShards: childShardsOf(meta, shard) };
    return {
      Records: records,
      NextShardIterator: issueIterator(context, meta, shard.shardIndex, read.nextOffset, nowMs),
      // Real lag: how long ago the first record not yet returned arrived (0 when caught up).
      MillisBehindLatest: read.nextArrivalMs === undefined ? 0 : Math.max(0, nowMs - read.nextArrivalMs),
    };
  },
});
