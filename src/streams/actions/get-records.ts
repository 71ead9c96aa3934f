import { defineAction } from "../action.js";
import { iteratorStreamResource } from "../authorization/action-resources.js";
import { DryRun, StreamARN, StreamId } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import {
  childShardsOf, issueIterator, iteratorShard, openIterator, retainedStartOffset, retentionCutoffMs, shardSequence, trimIfDue, RecordList,
} from "../records/index.js";
import type { ReadResult } from "../../storage/types.js";
import { openSealedRecords } from "../encryption/index.js";

interface GetRecordsInput {
  Limit?: number;
  ShardIterator: string;
  StreamARN?: string;
  DryRun?: boolean;
}

interface GetRecordsOutput {
  Records: RecordList;
  NextShardIterator?: string;
  MillisBehindLatest: number;
  ChildShards?: ReturnType<typeof childShardsOf>;
}

export const getRecords = defineAction<GetRecordsInput, GetRecordsOutput>({
  iamAction: "kinesis:GetRecords",
  resources: iteratorStreamResource,
  plane: "data",
  shape: {
    type: "structure",
    members: {
      Limit: { type: "integer", min: 1, max: limits.getRecordsLimitMax },
      ShardIterator: { type: "string", required: true, lengthMin: 1, lengthMax: limits.shardIteratorLengthMax },
      StreamARN,
      StreamId,
      DryRun,
    },
  },
  async run(context, input) {
    const nowMs = context.clock.nowMs();
    const position = openIterator(context, input.ShardIterator, nowMs);
    if (input.StreamARN !== undefined && context.streams.nameOf({ StreamARN: input.StreamARN }) !== position.streamName) {
      throw streamsErrors.invalidShardIterator();
    }
    let { meta, shard } = iteratorShard(context, position);
    if (input.DryRun === true) throw streamsErrors.dryRunSucceeded();
    // Looking at a stream sets a reshard that has fallen due going: once it is in effect, a reader
    // at a closing shard's end learns its children.
    const settling = context.streams.reshardSettling(meta);
    if (settling !== undefined) {
      await settling;
      ({ meta, shard } = iteratorShard(context, position));
    }
    // The shard's five calls and 2 MiB a second (streams/limits): a refused call reads nothing.
    const metrics = context.metrics.stream(meta);
    if (context.throughput !== undefined && !context.throughput.admitRead(meta, shard.shardIndex, nowMs)) {
      metrics?.getRecordsThrottled(meta, shard, context.clock.nowMs() - nowMs);
      throw streamsErrors.shardRateExceeded(shard.ShardId, meta.StreamName, context.accountId);
    }
    const log = context.logs.shard(meta.streamId, shard.shardIndex);
    await trimIfDue(context, meta, shard.shardIndex, log, nowMs);
    const cutoffMs = retentionCutoffMs(meta, nowMs);
    // Never past the end: a log that lost its unsynced tail in a crash must not leave readers beyond it.
    const fromOffset = Math.min(Math.max(position.offset, await retainedStartOffset(log, cutoffMs)), log.endOffset());

    // A closed shard ends at endingOffset: read up to it, then point the reader at the children.
    const left = shard.endingOffset === undefined ? Infinity : Math.max(0, shard.endingOffset - fromOffset);
    const recordsMax = Math.min(input.Limit ?? limits.getRecordsLimitMax, left);
    // Concurrent calls share one memory budget (records/read-budget.ts): each may read less than 10 MiB.
    const bytesMax = context.readBudget.enter(limits.getRecordsBytesMax);
    let read: ReadResult;
    try {
      read = recordsMax > 0 ? await log.read(fromOffset, { recordsMax, bytesMax }) : { records: [], nextOffset: fromOffset };
    } finally {
      context.readBudget.leave();
    }
    // Expired records can only be a prefix (arrival times never decrease within a shard).
    let firstRetained = 0;
    while (firstRetained < read.records.length && read.records[firstRetained]!.arrivalMs < cutoffMs) firstRetained++;
    const returned = firstRetained === 0 ? read.records : read.records.slice(firstRetained);
    // A stream that was ever encrypted may hold sealed records: opened here, whatever the engine.
    if (meta.encryption !== undefined) await openSealedRecords(context, meta, shard.shardIndex, returned);
    // What the call returns counts against the shard's 2 MiB a second, however much it is.
    context.throughput?.chargeRead(meta, shard.shardIndex, nowMs, returned);
    const records = new RecordList(returned, shardSequence(meta.shards, shard), meta.encryption === undefined ? "NONE" : "KMS");

    // A closed shard takes no more appends, so its log's end is final too (below endingOffset only
    // if a crash lost an unsynced tail): a reader there has reached the end either way.
    const ended = shard.endingOffset !== undefined && read.nextOffset >= Math.min(shard.endingOffset, log.endOffset());
    metrics?.getRecords(meta, shard, returned, ended ? undefined : read.nextArrivalMs, nowMs, context.clock.nowMs() - nowMs);
    if (ended) return { Records: records, MillisBehindLatest: 0, ChildShards: childShardsOf(meta, shard) };
    return {
      Records: records,
      NextShardIterator: issueIterator(context, meta, shard.shardIndex, read.nextOffset, nowMs),
      // Real lag: how long ago the first record not yet returned arrived (0 when caught up).
      MillisBehindLatest: read.nextArrivalMs === undefined ? 0 : Math.max(0, nowMs - read.nextArrivalMs),
    };
  },
});
