/** The Data Streams data plane's shared logic: routing, sizes, ordering, retention, iterators, wire records. */
export { resolveHashKey, shardRouter, type ShardRouter } from "./routing.js";
export { checkRecordSize, checkPutRecordsSize } from "./record-size.js";
export { requireWritableStream } from "./writable-stream.js";
export { parseOrderingSequence } from "./ordering.js";
export { retentionCutoffMs, retainedStartOffset, trimIfDue, trimIntervalMs } from "./retention.js";
export { issueIterator, openIterator, iteratorShard, childShardsOf } from "./iterators.js";
export { wireRecord, type WireRecord } from "./wire-record.js";
export { RecordList } from "./record-list.js";
export {
  recordPosition, recordSequenceNumber, shardEndSequenceNumber, shardEpochSeconds, shardSequence, shardStartSequenceNumber, type ShardSequence,
} from "./sequence-numbers.js";
