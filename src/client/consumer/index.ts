/** The consumer: shards shared across worker processes through a KCL-layout lease table. */
export { Consumer, type ConsumerLogger, type ConsumerRuntimeOptions } from "./consumer.js";
export { recordHandler, shardIterables, type HandlerBatch, type IteratedBatch, type ShardIterable, type ShardEndReason } from "./adapters.js";
export { ConsumerError, type ConsumerErrorCode } from "./errors.js";
export { DynamoDbLeaseTable, LeaseCoordinator, syncShardLeases, type DynamoDbLeaseTableOptions, type LeaseCoordinatorOptions } from "./lease/index.js";
export { PollingFetcher } from "./retrieval/polling-fetcher.js";
export { FanOutFetcher, ensureStreamConsumer } from "./retrieval/fanout-fetcher.js";
export { ShardConsumer } from "./shard-consumer.js";
export type * from "./types.js";
