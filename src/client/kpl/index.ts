/** The KPL aggregated record format: aggregation (producer side) and de-aggregation (consumer side). */
export { AggregateBuilder, aggregateRecords, aggregatePartitionKey, kinesisRecordBytesMax, recordSizeBytes } from "./aggregate.js";
export type { UserRecordInput, KinesisRecordEntry } from "./aggregate.js";
export { deaggregate, startsWithMagic } from "./deaggregate.js";
export type { KinesisRecordInput, UserRecord } from "./deaggregate.js";
export { kplMagic, encodeAggregatedRecordMessage, decodeAggregatedRecordMessage, frameAggregatedRecord } from "./aggregated-record.js";
export type { AggregatedRecord, AggregatedUserRecord, AggregatedRecordDecoding } from "./aggregated-record.js";
export { ProtobufError } from "./protobuf.js";
