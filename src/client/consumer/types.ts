/**
 * The consumer's contracts, shared by its parts: the lease table and coordinator (lease/), the
 * record retrieval (retrieval/), the scheduler that joins them (consumer.ts) and the KCL
 * MultiLangDaemon (src/cli/kcl/). The names follow the KCL 2.x Java API where it has one, so a
 * KCL user recognises them; the lease item layout is the KCL's, so the same table works for both.
 */
import type { UserRecord } from "../kpl/deaggregate.js";

// ---------------------------------------------------------------------------------------------
// Positions

/** The KCL's sentinel checkpoints: where a lease starts before its first real checkpoint. */
export type SentinelCheckpoint = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP" | "SHARD_END";

/**
 * A position in a shard: a real sequence number, or a sentinel. `subSequenceNumber` numbers the
 * user records inside a KPL aggregate (0 for a plain record); a checkpoint at (s, n) means every
 * user record up to and including sub-record n of the Kinesis record s is done.
 */
export interface ExtendedSequenceNumber {
  sequenceNumber: string;
  subSequenceNumber: number;
}

/** Where a shard with no checkpoint yet starts (the KCL's InitialPositionInStreamExtended). */
export type InitialPosition =
  | { type: "TRIM_HORIZON" }
  | { type: "LATEST" }
  | { type: "AT_TIMESTAMP"; timestamp: Date };

// ---------------------------------------------------------------------------------------------
// Leases (KCL table layout, docs/client.md "Lease table")

/**
 * One lease item. Attribute names on the wire are the KCL's: leaseKey (S, the table's hash key),
 * leaseOwner (S), leaseCounter (N), checkpoint (S), checkpointSubSequenceNumber (N),
 * pendingCheckpoint (S) / pendingCheckpointSubSequenceNumber (N), ownerSwitchesSinceCheckpoint
 * (N), parentShardId (SS), childShardIds (SS), startingHashKey (S), endingHashKey (S).
 */
export interface Lease {
  /** The shard id (single-stream applications, as the KCL). */
  leaseKey: string;
  /** The worker holding it; undefined when free (released, or never taken). */
  leaseOwner?: string;
  /** Incremented by every renewal, take and checkpoint: the lease's fencing token. */
  leaseCounter: number;
  checkpoint: ExtendedSequenceNumber;
  pendingCheckpoint?: ExtendedSequenceNumber;
  ownerSwitchesSinceCheckpoint: number;
  parentShardIds: string[];
  childShardIds: string[];
  /** The shard's hash key range (decimal), so lineage and balance need no ListShards. */
  startingHashKey?: string;
  endingHashKey?: string;
}

/** The lease store the coordinator works through. Conditional writes are the only concurrency control. */
export interface LeaseTable {
  /** Creates the table if it does not exist (on-demand billing) and waits until it is ACTIVE. */
  ensureTable(): Promise<void>;
  /** Every lease, read consistently (Scan, all pages). */
  list(): Promise<Lease[]>;
  get(leaseKey: string): Promise<Lease | undefined>;
  /** Creates the lease unless one with its key exists; false if it did. */
  createIfAbsent(lease: Lease): Promise<boolean>;
  /**
   * The conditional updates: each succeeds only if the stored leaseCounter (and, where it says so,
   * leaseOwner) is still what `lease` says, and returns the lease as written, or undefined when
   * the condition failed (someone else changed it: for the caller, the lease is lost).
   */
  renew(lease: Lease): Promise<Lease | undefined>;
  take(lease: Lease, owner: string): Promise<Lease | undefined>;
  /** Clears the owner (graceful hand-off): the next taker need not wait for expiry. */
  release(lease: Lease): Promise<Lease | undefined>;
  checkpoint(lease: Lease, checkpoint: ExtendedSequenceNumber): Promise<Lease | undefined>;
  /** Records the children of a lease that reached SHARD_END (the KCL's childShardIds). */
  setChildShardIds(lease: Lease, childShardIds: string[]): Promise<Lease | undefined>;
  /** Deletes a finished lease (its shard ended, its children started and it is past retention). */
  delete(lease: Lease): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Record processors (the KCL 2.x ShardRecordProcessor, and the multilang protocol's messages)

/** A user record as handed to a processor: de-aggregated, with its sub-sequence number. */
export type ConsumerRecord = UserRecord;

export interface RecordProcessorCheckpointer {
  /**
   * Checkpoints at the given record (by default, the last record handed to the processor; after
   * shardEnded, SHARD_END). Resolves once durable in the lease table; rejects with a
   * `ConsumerError` of code `LeaseLost` if the lease is no longer this worker's, or
   * `InvalidCheckpoint` for a position before the last checkpoint or after the last record handed out.
   */
  checkpoint(sequenceNumber?: string, subSequenceNumber?: number): Promise<void>;
}

export interface InitializationInput {
  shardId: string;
  /** Where processing resumes: the lease's checkpoint (a sentinel before the first). */
  extendedSequenceNumber: ExtendedSequenceNumber;
  pendingCheckpointSequenceNumber?: ExtendedSequenceNumber;
}

export interface ProcessRecordsInput {
  records: ConsumerRecord[];
  checkpointer: RecordProcessorCheckpointer;
  millisBehindLatest?: number;
  /** Whether the shard's last record is in this batch or before it (the next call is shardEnded). */
  isAtShardEnd?: boolean;
}

export interface ShardEndedInput {
  /** Must be called (with no arguments: SHARD_END) before the children of the shard may start. */
  checkpointer: RecordProcessorCheckpointer;
}

export interface ShutdownRequestedInput {
  /** A last chance to checkpoint before the lease is handed over. */
  checkpointer: RecordProcessorCheckpointer;
}

/** One instance per shard lease; the calls for one shard never overlap. */
export interface ShardRecordProcessor {
  initialize(input: InitializationInput): void | Promise<void>;
  processRecords(input: ProcessRecordsInput): void | Promise<void>;
  /** The lease went to another worker: do not checkpoint (it would fail). */
  leaseLost(input: Record<string, never>): void | Promise<void>;
  /** The shard has ended (resharding) and every record was handed out: checkpoint to finish it. */
  shardEnded(input: ShardEndedInput): void | Promise<void>;
  /** The worker is shutting down gracefully: checkpoint what is done. */
  shutdownRequested(input: ShutdownRequestedInput): void | Promise<void>;
}

export type ShardRecordProcessorFactory = (shardId: string) => ShardRecordProcessor;

// ---------------------------------------------------------------------------------------------
// Retrieval

/** One fetch from a shard, ready for the processor. */
export interface FetchedBatch {
  /** De-aggregated, outside-the-shard's-hash-range user records dropped (as the KCL), none at or before the start position. */
  records: ConsumerRecord[];
  millisBehindLatest?: number;
  /** Set once the shard has ended and every record before its end was in this or an earlier batch. */
  shardEnd?: { childShardIds: string[] };
}

/**
 * Reads one shard from a position, by polling (GetRecords) or enhanced fan-out (SubscribeToShard).
 * Throttling, expired iterators and resubscription are the fetcher's business; `next` rejects
 * only for errors no retry can fix (the stream or consumer was deleted, access denied).
 */
export interface RecordsFetcher {
  next(): Promise<FetchedBatch>;
  close(): Promise<void>;
}

export interface FetcherStart {
  shardId: string;
  /** Start after this checkpoint (a sentinel selects the initial position). */
  checkpoint: ExtendedSequenceNumber;
  initialPosition: InitialPosition;
  /** The shard's hash key range, to drop aggregated sub-records that belong to another shard. */
  hashKeyRange?: { startingHashKey: string; endingHashKey: string };
}

// ---------------------------------------------------------------------------------------------
// The consumer (scheduler) — implemented in consumer.ts as `class Consumer`

/**
 * `new Consumer(options)`; `await consumer.start()` joins the application's workers (creating the
 * lease table if needed) and processes until `await consumer.shutdown()` (graceful: every
 * processor gets shutdownRequested, then its lease is released) or `await consumer.stop()` (no
 * hand-off: leases expire for others to take).
 */
export interface ConsumerOptions {
  /** The SDK clients to use; the consumer never destroys them. */
  kinesis: import("@aws-sdk/client-kinesis").KinesisClient;
  dynamodb: import("@aws-sdk/client-dynamodb").DynamoDBClient;
  StreamName?: string;
  StreamARN?: string;
  /** Names the application: its workers share one lease table, by default named the same. */
  applicationName: string;
  leaseTableName?: string;
  /** Unique per worker process (default: a random UUID). */
  workerId?: string;
  processorFactory: ShardRecordProcessorFactory;
  /** Where shards without a checkpoint start (default LATEST, as the KCL). */
  initialPosition?: InitialPosition;
  /** How records are read (default polling). */
  retrieval?: PollingRetrieval | FanOutRetrieval;
  /** A lease not renewed for this long may be taken by another worker (default 10,000 ms, the KCL's failoverTimeMillis). */
  failoverTimeMs?: number;
  maxLeasesForWorker?: number;
  /** How often the shard list is synchronised with the lease table (default 60,000 ms). */
  shardSyncIntervalMs?: number;
  clock?: import("../../util/clock.js").Clock;
  random?: import("../../util/random.js").Random;
}

export interface PollingRetrieval {
  mode: "polling";
  /** GetRecords' Limit (default 10,000). */
  maxRecords?: number;
  /** The wait between GetRecords calls that returned nothing new (default 1,000 ms, as the KCL). */
  idleTimeBetweenReadsMs?: number;
}

export interface FanOutRetrieval {
  mode: "fanout";
  /** The registered consumer's name (default: the application name); registered if missing. */
  consumerName?: string;
  /** Or an existing consumer's ARN. */
  consumerARN?: string;
}
