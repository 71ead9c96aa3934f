/** Leases: the KCL-layout lease table in DynamoDB, the per-worker coordinator, and shard sync with lineage. */
export { DynamoDbLeaseTable } from "./dynamodb-lease-table.js";
export type { DynamoDbLeaseTableOptions } from "./dynamodb-lease-table.js";
export { LeaseCoordinator } from "./lease-coordinator.js";
export type { LeaseCoordinatorOptions } from "./lease-coordinator.js";
export { isFinished } from "./lease-taking.js";
export { syncShardLeases, parentsFinished } from "./shard-sync.js";
export type { ShardSyncOptions, ShardSyncResult, StreamRef } from "./shard-sync.js";
export { ConsumerError } from "../errors.js";
export type { ConsumerErrorCode } from "../errors.js";
