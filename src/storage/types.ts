/**
 * Storage interfaces. Every engine (memory, embedded log, nats) implements these, and every
 * engine passes the one case suite in test/storage/cases.ts.
 *
 * Outcomes a caller must handle (a failed write, a closed log) are returned as values; only
 * programmer errors throw.
 */
import type { HashKeyRange } from "../core/hash-key.js";

export type StreamStatus = "CREATING" | "ACTIVE" | "DELETING" | "UPDATING";
export type StreamMode = "PROVISIONED" | "ON_DEMAND";
/** How PutRecord / PutRecords place records: by partition key (the default) or by the service (AUTO). */
export type RecordDistributionStrategy = "AUTO" | "USER_PARTITION_KEY";

export interface ShardMeta {
  ShardId: string;
  shardIndex: number;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: HashKeyRange;
  createdAtMs: number;
  /** Set when resharding closes the shard: the offset one past its last record. */
  endingOffset?: number;
  closedAtMs?: number;
}

/** A shard a pending reshard creates; it gets its createdAtMs when the reshard takes effect. */
export interface NewShard {
  ShardId: string;
  shardIndex: number;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: HashKeyRange;
  /** An intermediate step (UpdateShardCount's splits before merges): it closes, empty, as it opens. */
  shortLived?: boolean;
}

/**
 * A SplitShard, MergeShards or UpdateShardCount accepted but not yet in effect: the stream is
 * UPDATING until statusDueAtMs, then the listed open shards close and the new ones open.
 */
export interface PendingReshard {
  closingShardIndexes: number[];
  newShards: NewShard[];
}

/** One stream as the catalog stores it. Updated only as a whole, atomically. */
export interface StreamMeta {
  /** Unique per incarnation of a name: hex, safe as a file name. */
  streamId: string;
  /** The account the stream belongs to (12 digits): a stream is named by (accountId, StreamName). */
  accountId: string;
  StreamName: string;
  createdAtMs: number;
  StreamStatus: StreamStatus;
  /** When the pending status transition (CREATING→ACTIVE, UPDATING→ACTIVE, DELETING→gone) is due. */
  statusDueAtMs: number;
  RetentionPeriodHours: number;
  StreamMode: StreamMode;
  EncryptionType: "NONE" | "KMS";
  KeyId?: string;
  /** Tag keys in the order first added. */
  Tags: Record<string, string>;
  shards: ShardMeta[];
  nextShardIndex: number;
  /** Set while a reshard waits to take effect (see PendingReshard). */
  pendingReshard?: PendingReshard;
  ShardLevelMetrics: string[];
  /** UpdateMaxRecordSize; absent means AWS's default, 1024 KiB. */
  MaxRecordSizeInKiB?: number;
  /** UpdateStreamWarmThroughput / UpdateStreamMode (ON_DEMAND streams only). */
  warmThroughput?: WarmThroughputMeta;
  /**
   * CreateStream / UpdateStreamRecordDistributionStrategy (ON_DEMAND streams only). Stored only as
   * AUTO; absent means USER_PARTITION_KEY, so catalogs written before it load unchanged.
   */
  RecordDistributionStrategy?: "AUTO";
  /** When UpdateStreamMode last switched the mode (AWS allows two switches in 24 hours). */
  modeSwitchedAtMs?: number[];
  /** When UpdateShardCount last scaled the stream (AWS allows ten in 24 hours). */
  shardCountUpdatedAtMs?: number[];
  /** PutResourcePolicy: the policy document as the client sent it. */
  resourcePolicy?: string;
  /** StartStreamEncryption's data keys (docs/encryption.md); absent until encryption is first started. */
  encryption?: StreamEncryptionMeta;
  /** RegisterStreamConsumer's enhanced fan-out consumers, in the order registered; absent until the first. */
  consumers?: ConsumerMeta[];
}

export type ConsumerStatus = "CREATING" | "ACTIVE" | "DELETING";

/**
 * One registered consumer (src/streams/consumers). Its status is stored with the time its next
 * transition (CREATING→ACTIVE, DELETING→gone) falls due and is read lazily, as a stream's is.
 */
export interface ConsumerMeta {
  ConsumerName: string;
  /** `arn:aws:kinesis:<region>:<account>:stream/<stream>/consumer/<name>:<createdAtMs in whole seconds>`. */
  ConsumerARN: string;
  ConsumerStatus: ConsumerStatus;
  createdAtMs: number;
  statusDueAtMs: number;
  /** RegisterStreamConsumer's Tags, keys in the order given; absent when none were given. */
  Tags?: Record<string, string>;
  /** PutResourcePolicy on the consumer's ARN: the document as the client sent it. */
  resourcePolicy?: string;
}

/** A stream's data keys: records are sealed under the newest while EncryptionType is KMS. */
export interface StreamEncryptionMeta {
  /** Oldest first; kept while any stored record may be sealed under them. */
  dataKeys: DataKeyMeta[];
  /** The reference the next data key gets: references are never reused within a stream. */
  nextKeyRef: number;
  /** When StartStreamEncryption applied a new key (AWS allows 25 in any 24 hours). */
  keysAppliedAtMs: number[];
}

/** One data key, wrapped under the server's master key (docs/formats/catalog.md, "Encryption"). */
export interface DataKeyMeta {
  /** How sealed frames name the key: unique within the stream. */
  keyRef: number;
  /** The KMS key the client named when it started encryption with this key. */
  KeyId: string;
  /** base64 of nonce (12 bytes), the key encrypted under the master key (32), GCM tag (16). */
  wrappedKey: string;
  /** Fingerprint of the master key that wrapped it: names the key in errors, reveals nothing. */
  masterKeyId: string;
  createdAtMs: number;
  /** Set when a later start or a stop retired the key: each shard's end offset (decimal keys) then. */
  retired?: { atMs: number; endOffsets: Record<string, number> };
}

/** A warm throughput change: the stream scales from previousMiBps to targetMiBps, reaching it at reachedAtMs. */
export interface WarmThroughputMeta {
  targetMiBps: number;
  previousMiBps: number;
  reachedAtMs: number;
}

/** One account's settings (UpdateAccountSettings), stored whole in the catalog. */
export interface AccountSettings {
  /** MinimumThroughputBillingCommitment; absent until first enabled. */
  billingCommitment?: BillingCommitmentMeta;
}

export interface BillingCommitmentMeta {
  startedAtMs: number;
  /** The commitment's minimum term ends here (startedAtMs + 24 hours). */
  earliestAllowedEndAtMs: number;
  /** Set by a disable: when the commitment ends (or ended). Absent while it runs open-ended. */
  endsAtMs?: number;
}

export interface StorageFailure {
  kind: "io" | "no-space" | "closed";
  message: string;
  cause?: unknown;
}

export type WriteOutcome = { ok: true } | { ok: false; failure: StorageFailure };

/**
 * The durable, atomically updated catalog of streams and account settings. Streams are keyed by
 * (accountId, StreamName): two accounts may each have a stream of the same name.
 */
export interface Catalog {
  /**
   * The streams of `accountId` sorted by name, or, without it, every account's, sorted by account
   * then name. What list, get and accountSettings return is deep-frozen, not copied (every data
   * call reads its stream): a change is a new object passed to put / putAccountSettings.
   */
  list(accountId?: string): readonly StreamMeta[];
  get(accountId: string, streamName: string): StreamMeta | undefined;
  /** Inserts or replaces one stream (under its meta.accountId) with a copy of `meta`; resolves once durable. */
  put(meta: StreamMeta): Promise<WriteOutcome>;
  remove(accountId: string, streamName: string): Promise<WriteOutcome>;
  /** The account's settings, or undefined if none were ever stored for it. */
  accountSettings(accountId: string): AccountSettings | undefined;
  /** Replaces the account's settings; resolves once durable. */
  putAccountSettings(accountId: string, settings: AccountSettings): Promise<WriteOutcome>;
  /** A per-data-directory secret (stable across restarts) for signing shard iterators. */
  secret(): Buffer;
}

/**
 * A record to append. A sealed record (encryption at rest, docs/encryption.md) carries the key
 * reference it was sealed under, an empty partition key and no explicit hash key: `data` holds
 * the sealed partition key, hash key and data. One append is all sealed or all plain. A plain
 * record's empty partition key means it was written without one (an AUTO stream's record): the
 * wire's PartitionKey has at least one character, so the empty string is free to mean "absent".
 */
export interface AppendRecord {
  partitionKey: string;
  explicitHashKey?: string;
  data: Buffer;
  sealedWith?: number;
}

/**
 * A stored record. Engines return a sealed record as it was appended (key reference, sealed bytes);
 * the service opens it in place, keeping `sealedWith` to report the record as encrypted.
 */
export interface StoredRecord {
  offset: number;
  arrivalMs: number;
  partitionKey: string;
  explicitHashKey?: string;
  data: Buffer;
  sealedWith?: number;
}

export type AppendOutcome =
  | { ok: true; firstOffset: number; arrivalMs: number }
  | { ok: false; failure: StorageFailure };

export interface ReadLimits {
  recordsMax: number;
  /** Data bytes; a read returns at least one record if any is there, whatever its size. */
  bytesMax: number;
}

export interface ReadResult {
  records: StoredRecord[];
  /** The offset to read next. */
  nextOffset: number;
  /** The arrival time of the record at nextOffset, if there is one (for MillisBehindLatest). */
  nextArrivalMs?: number;
}

/** One shard's append-only log. */
export interface ShardLog {
  /**
   * Appends records in order under one arrival time (never earlier than the previous append's);
   * resolves once they are durable under the engine's fsync policy.
   */
  append(records: readonly AppendRecord[], arrivalMs: number): Promise<AppendOutcome>;
  /** Reads from `fromOffset` (clamped up to the first retained offset). */
  read(fromOffset: number, limits: ReadLimits): Promise<ReadResult>;
  /** The first offset whose arrival time is at or after `timestampMs` (endOffset if none). */
  offsetAtTime(timestampMs: number): Promise<number>;
  /** The first retained offset. */
  startOffset(): number;
  /** One past the last appended offset. */
  endOffset(): number;
  /** Drops records that arrived before `cutoffMs` (engines may keep some, readers filter). */
  trimBefore(cutoffMs: number): Promise<void>;
}

/**
 * Logs belong to streams in the catalog: a persistent engine may remove, when it opens, the logs of
 * stream ids the catalog does not hold (a deletion interrupted by a crash). Stream ids are
 * lowercase hex and shard indexes small non-negative integers; engines may assert both.
 */
export interface LogStore {
  shard(streamId: string, shardIndex: number): ShardLog;
  /** Removes every shard log of a stream and releases its space. */
  dropStream(streamId: string): Promise<void>;
}

/**
 * One table of the table store (src/dynamodb's tables). The store keeps `definition` as given and
 * knows nothing of DynamoDB: items are opaque values under opaque string keys.
 */
export interface TableMeta {
  /** Unique per incarnation of a name: lowercase hex and dashes (a UUID), safe as a file name. */
  tableId: string;
  accountId: string;
  TableName: string;
  createdAtMs: number;
  /** The service's description of the table (key schema, billing mode…), JSON-serialisable. */
  definition: Record<string, unknown>;
}

/** One stored item: its ordering key and its value (the service's encoding of the item). */
export interface TableEntry {
  key: string;
  value: string;
}

/**
 * Durable tables of items. Every table is held in memory (lease tables are small); writes resolve
 * once durable. Reads are synchronous and see every write already made, acknowledged or not: the
 * service checks a condition and writes in one synchronous step, so writes to one item never
 * interleave. Keys sort by UTF-16 code units (the service encodes keys so that this is its order).
 */
export interface TableStore {
  /** The tables of `accountId` sorted by name, or every account's (by account, then name). */
  list(accountId?: string): readonly TableMeta[];
  get(accountId: string, tableName: string): TableMeta | undefined;
  /** Creates an empty table; the caller has checked the name is free. */
  create(meta: TableMeta): Promise<WriteOutcome>;
  /** Removes a table and its items. */
  drop(accountId: string, tableName: string): Promise<WriteOutcome>;
  getItem(tableId: string, key: string): string | undefined;
  /** Inserts or replaces an item. */
  putItem(tableId: string, entry: TableEntry): Promise<WriteOutcome>;
  /** Removes an item; removing an absent one is a success. */
  deleteItem(tableId: string, key: string): Promise<WriteOutcome>;
  /** Up to `limit` items in key order, after `afterKey` (exclusive) when given. */
  scan(tableId: string, afterKey: string | undefined, limit: number): TableEntry[];
  /** Item count and the bytes of keys and values, for DescribeTable. */
  stats(tableId: string): { itemCount: number; sizeBytes: number };
}

export interface StorageEngine {
  readonly name: string;
  readonly catalog: Catalog;
  readonly logs: LogStore;
  /** Tables of items (the DynamoDB lease-table subset, src/dynamodb). */
  readonly tables: TableStore;
  /** Makes everything durable and releases files. */
  close(): Promise<void>;
}
