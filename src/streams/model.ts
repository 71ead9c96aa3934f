/**
 * The Kinesis Data Streams data model: what the service stores in the catalog (one StreamMeta per
 * stream, one AccountSettings per account). Storage keeps these as opaque JSON entries
 * (src/storage/types.ts, Catalog); their layout on disk is docs/formats/catalog.md.
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
