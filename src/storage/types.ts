/**
 * Storage interfaces. Every engine (memory, embedded log, nats) implements these, and every
 * engine passes the one case suite in test/storage/cases.ts.
 *
 * Outcomes a caller must handle (a failed write, a closed log) are returned as values; only
 * programmer errors throw.
 */
import type { PeerBus } from "./peer-bus.js";

export interface StorageFailure {
  /** "gone": the write names what a concurrent change removed (an object store's bucket, upload or blob). */
  kind: "io" | "no-space" | "closed" | "gone";
  message: string;
  /** For "gone": what went. */
  gone?: "bucket" | "upload" | "blob";
  cause?: unknown;
}

export type WriteOutcome = { ok: true } | { ok: false; failure: StorageFailure };

/** Where a compare-and-set expects the entry to be: at this revision, or absent (a creation). */
export interface Expectation {
  expectedRevision: number | "absent";
}

/**
 * A compare-and-set's outcome. A conflict is an outcome, not an exception: the entry was not at the
 * expected revision (`revision` is where it is now, "absent" if it does not exist), nothing was
 * written, and the caller reads again and retries or gives up.
 */
export type CasOutcome =
  | { ok: true; revision: number }
  | { ok: false; conflict: { revision: number | "absent" } }
  | { ok: false; failure: StorageFailure };

/**
 * A change the catalog announces (`watch`): an entry written (`entry`, with its new revision) or
 * removed (`entry` undefined), or an account's settings replaced (undefined: a first write withdrawn).
 */
export type CatalogChange<Entry, Settings> =
  | { kind: "entry"; accountId: string; name: string; entry: Entry | undefined; revision: number }
  | { kind: "settings"; accountId: string; settings: Settings | undefined };

export interface CatalogWatch {
  /** Resolves once every entry and setting that existed when the watch began has been announced. */
  readonly ready: Promise<void>;
  stop(): void;
}

/**
 * The durable, atomically updated catalog: entries named by (accountId, name) — a service's
 * resources, such as Kinesis streams — each account's settings, and a per-data-directory secret.
 * Entries and settings are JSON-serialisable objects whose type the service supplies (`Entry`,
 * `Settings`): storage keeps them whole and never looks inside, except where an engine's format
 * says otherwise (the embedded catalog's format 3 names its entries by their `accountId` and
 * `StreamName` members, docs/formats/catalog.md, so an entry put there must carry its key in them).
 *
 * Reads are asynchronous (a cluster engine asks its peers); a service that reads on every request
 * keeps a process-local copy that follows `watch` (src/storage/catalog-cache.ts). Every write of an
 * entry gives it a new revision, larger than any it had: a read-modify-write passes the revision it
 * read as `expectedRevision` and meets a concurrent writer as a conflict.
 */
export interface Catalog<Entry extends object = object, Settings extends object = object> {
  /**
   * The entries of `accountId` sorted by name, or, without it, every account's, sorted by account
   * then name. What list, get and accountSettings return (and watch announces) is deep-frozen, not
   * copied: a change is a new object passed to put / putAccountSettings.
   */
  list(accountId?: string): Promise<readonly Entry[]>;
  get(accountId: string, name: string): Promise<Entry | undefined>;
  /** Inserts or replaces the entry named (accountId, name) with a copy of `entry`; resolves once durable. */
  put(accountId: string, name: string, entry: Entry): Promise<WriteOutcome>;
  /** As put, only if the entry is at `expectedRevision` (or absent, for "absent"). */
  put(accountId: string, name: string, entry: Entry, expect: Expectation): Promise<CasOutcome>;
  remove(accountId: string, name: string): Promise<WriteOutcome>;
  /** As remove, only if the entry is at `expectedRevision`. */
  remove(accountId: string, name: string, expect: Expectation): Promise<CasOutcome>;
  /** The account's settings, or undefined if none were ever stored for it. */
  accountSettings(accountId: string): Promise<Settings | undefined>;
  /** Replaces the account's settings; resolves once durable. */
  putAccountSettings(accountId: string, settings: Settings): Promise<WriteOutcome>;
  /**
   * A per-data-directory secret (stable across restarts) for signing shard iterators. Read
   * synchronously: it is fixed when the engine opens (a cluster engine fetches or creates it then).
   */
  secret(): Buffer;
  /**
   * Announces every entry and setting there is now (with its revision), then every change as it
   * becomes visible to readers, in order. Engines that hold the catalog in memory announce the
   * present state synchronously, inside `watch`; changes made through this handle are announced
   * before the write's promise settles (a write later withdrawn is announced again, restored).
   */
  watch(listener: (change: CatalogChange<Entry, Settings>) => void): CatalogWatch;
  /**
   * For an engine whose reads come from a copy that follows the store (the NATS engine's watch):
   * waits, bounded, until the copy — and so every watcher — holds each write the store had
   * acknowledged when the call began, and resolves whether the copy changed since the call
   * began. A caller about to answer "not found" asks first, so that a write acknowledged through
   * another node is never answered as missing (docs/cluster.md); only misses pay its round trip.
   * Absent where reads are the store's own (memory, embedded): there is nothing to catch up with.
   */
  sync?(): Promise<boolean>;
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

/** A shard log's watch: `stop` ends it (idempotent). */
export interface LogWatch {
  stop(): void;
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
  /**
   * Announces every later append with the log's new end offset, once its records are readable
   * through this handle — appends made through any handle on the same data, as a second process's
   * would be. The memory and embedded engines announce an append made through the same engine
   * synchronously, before its promise settles; a handle that follows another process's writes
   * (the embedded engine's log follower, docs/architecture.md "Storage interfaces") announces
   * them as soon as it sees them in the files. Nothing is announced for what
   * was there when the watch began (except by a follower of another process's files, whose first
   * look announces what it finds), so a waiter looks at endOffset() after it starts watching.
   */
  watch(listener: (endOffset: number) => void): LogWatch;
  /**
   * Seals the log (a reshard closed its shard): every append after it — through any handle, on
   * any node — fails with failure kind "closed"; appends queued before it land first; reads,
   * watches and trims go on, and endOffset() through this handle is the final end once it
   * resolves. Idempotent. Optional: an engine with one writer (memory, embedded) may leave it
   * out, since the service stops appending to a closed shard itself; a cluster engine needs it so
   * that no node's in-flight append lands after the reshard committed (docs/formats/nats.md).
   */
  seal?(): Promise<WriteOutcome>;
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

/** A creation that met a table of the same name. */
export interface TableExists {
  ok: false;
  exists: true;
}

/** An item's value and its revision: a write that must not lose a concurrent one expects it. */
export interface VersionedItem {
  readonly value: string;
  readonly revision: number;
}

/**
 * Durable tables of items. Keys sort by UTF-16 code units (the service encodes keys so that this
 * is its order). Reads are asynchronous (a cluster engine asks its peers) and see every write
 * already made through this handle, acknowledged or not; writes resolve once durable.
 *
 * Every write of an item gives it a new, larger revision. A read-modify-write (a conditional
 * write) reads the item with its revision (`getVersionedItem`) and writes with that revision as
 * `expectedRevision` ("absent" if it read none): the store writes only if the item is still there,
 * and otherwise answers a conflict — an outcome, not an exception — after which the caller reads
 * again and decides again. The memory and embedded engines check and apply a compare-and-set in
 * one synchronous step, so it is atomic against every other write through the engine.
 */
export interface TableStore {
  /** The tables of `accountId` sorted by name, or every account's (by account, then name). */
  list(accountId?: string): Promise<readonly TableMeta[]>;
  get(accountId: string, tableName: string): Promise<TableMeta | undefined>;
  /**
   * Creates an empty table if the name is free; answers `{ok: false, exists: true}` if a table of
   * that name exists or is being created (two racing creations: one wins).
   */
  create(meta: TableMeta): Promise<WriteOutcome | TableExists>;
  /** Removes a table and its items. */
  drop(accountId: string, tableName: string): Promise<WriteOutcome>;
  getItem(tableId: string, key: string): Promise<string | undefined>;
  /** The item's value with its revision, for a compare-and-set. */
  getVersionedItem(tableId: string, key: string): Promise<VersionedItem | undefined>;
  /** Inserts or replaces an item. */
  putItem(tableId: string, entry: TableEntry): Promise<WriteOutcome>;
  /** As putItem, only if the item is at `expectedRevision` (or absent, for "absent"). */
  putItem(tableId: string, entry: TableEntry, expect: Expectation): Promise<CasOutcome>;
  /** Removes an item; removing an absent one is a success. */
  deleteItem(tableId: string, key: string): Promise<WriteOutcome>;
  /** As deleteItem, only if the item is at `expectedRevision` (or absent, for "absent"). */
  deleteItem(tableId: string, key: string, expect: Expectation): Promise<CasOutcome>;
  /** Up to `limit` items in key order, after `afterKey` (exclusive) when given. */
  scan(tableId: string, afterKey: string | undefined, limit: number): Promise<TableEntry[]>;
  /** Item count and the bytes of keys and values, for DescribeTable. */
  stats(tableId: string): Promise<{ itemCount: number; sizeBytes: number }>;
  /**
   * As Catalog.sync, for tables and items: waits, bounded, until this node's copy holds every write the store
   * had acknowledged when the call began (through any node), and resolves whether the copy changed
   * meanwhile. DynamoDB asks before a ConsistentRead read and before answering ResourceNotFoundException (docs/cluster.md). Absent or a no-op where reads are the store's own (memory, embedded).
   */
  sync?(): Promise<boolean>;
}

export interface StorageEngine {
  readonly name: string;
  readonly catalog: Catalog;
  readonly logs: LogStore;
  /** Tables of items (the DynamoDB lease-table subset, src/dynamodb). */
  readonly tables: TableStore;
  /** S3-style buckets of objects (issue 15, src/s3 and src/storage/object-client). */
  readonly objects: ObjectStore;
  /**
   * Messages between the nodes sharing this engine, none kept (src/storage/peer-bus.ts): shared
   * rate limits and counts. Absent where only one process opens the engine (memory, embedded).
   */
  readonly peers?: PeerBus;
  /** Makes everything durable and releases files. */
  close(): Promise<void>;
}

/**
 * Object storage (issue 15): S3-style buckets of objects, for the S3 service (src/s3) and the
 * services that deliver to it through src/storage/object-client. The store knows buckets, keys,
 * opaque records and bytes; S3's semantics (ETags, checksums, listing with delimiters, errors)
 * live in the service.
 *
 * Bytes are written first, as a blob (`writeBlob`: visible to nobody; its bytes durable under the
 * engine's fsync policy when it resolves, or carried by the commit that first names it), then made
 * visible by committing a record that names the blob
 * (`putObject`, `putPart`): a crash before the commit leaves an orphan blob that the engine
 * removes when it next opens, never a half-written object. A blob is kept while any object or
 * part record names it (a CopyObject may name the source's blobs, a completed multipart upload its
 * parts' blobs) and released after the last record naming it is replaced or removed.
 *
 * Keys are any string of up to 1,024 UTF-8 bytes; they are never used as file names. Listing order
 * is S3's: by the keys' UTF-8 bytes.
 */
export interface BucketRecord {
  /** Bucket names are global, as in S3 (one namespace for all accounts). */
  readonly Name: string;
  readonly accountId: string;
  readonly region: string;
  readonly createdAtMs: number;
  /** What the service keeps with the bucket (policy, tagging…), JSON-serialisable. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** A stored blob: an engine-chosen id (a safe file name) and its length. */
export interface BlobRef {
  readonly blobId: string;
  readonly sizeBytes: number;
}

/** An object's record: the bytes are its blobs in order; `meta` is the service's (ETag, content type, user metadata, checksums, tags…). */
export interface ObjectRecord {
  readonly blobs: readonly BlobRef[];
  readonly sizeBytes: number;
  readonly lastModifiedMs: number;
  readonly meta: Readonly<Record<string, unknown>>;
}

export interface VersionedObject {
  readonly key: string;
  readonly record: ObjectRecord;
  readonly revision: number;
}

/** A multipart upload in progress; `meta` is what the object will carry (content type, metadata…). */
export interface UploadRecord {
  readonly uploadId: string;
  readonly key: string;
  readonly initiatedMs: number;
  readonly meta: Readonly<Record<string, unknown>>;
}

/** One uploaded part: its blob and the service's part metadata (ETag, checksums). */
export interface PartRecord {
  readonly partNumber: number;
  readonly blob: BlobRef;
  readonly lastModifiedMs: number;
  readonly meta: Readonly<Record<string, unknown>>;
}

export interface WriteBlobOptions {
  /** The bytes the source is expected to hold (e.g. the request's declared length); only a hint. */
  readonly sizeBytesHint?: number;
}

export type BlobOutcome = { ok: true; blob: BlobRef } | { ok: false; failure: StorageFailure };

/** A creation that met a bucket of the same name. */
export interface BucketExists {
  ok: false;
  exists: true;
  /** The existing bucket's owner, for BucketAlreadyOwnedByYou / BucketAlreadyExists. */
  accountId: string;
}

export interface ObjectStore {
  /** Every bucket, sorted by name. */
  listBuckets(): Promise<readonly BucketRecord[]>;
  /** The bucket with its revision (for a compare-and-set of its settings). */
  getBucket(name: string): Promise<{ bucket: BucketRecord; revision: number } | undefined>;
  /** Creates an empty bucket if the name is free anywhere (two racing creations: one wins). */
  createBucket(bucket: BucketRecord): Promise<WriteOutcome | BucketExists>;
  /** Replaces a bucket's record (its settings) if it is at `expect`. */
  updateBucket(bucket: BucketRecord, expect: Expectation): Promise<CasOutcome>;
  /** Removes a bucket with its objects, uploads and their blobs (the service checks emptiness first). */
  dropBucket(name: string): Promise<WriteOutcome>;

  getObject(bucket: string, key: string): Promise<VersionedObject | undefined>;
  /** Commits `record` under `key` (replacing any), atomically; resolves once durable. */
  putObject(bucket: string, key: string, record: ObjectRecord): Promise<WriteOutcome>;
  putObject(bucket: string, key: string, record: ObjectRecord, expect: Expectation): Promise<CasOutcome>;
  /** Removing an absent object is a success. */
  deleteObject(bucket: string, key: string): Promise<WriteOutcome>;
  deleteObject(bucket: string, key: string, expect: Expectation): Promise<CasOutcome>;
  /**
   * Up to `limit` objects in key order (UTF-8 bytes) after `afterKey` (exclusive) when given, with
   * keys starting with `prefix` when given. Cost: O(log n + limit), not a walk of the bucket.
   */
  listObjects(bucket: string, options: { afterKey?: string; prefix?: string; limit: number }): Promise<VersionedObject[]>;
  /** Object count and bytes, for metrics and DeleteBucket's emptiness check. */
  bucketStats(bucket: string): Promise<{ objectCount: number; sizeBytes: number; uploadCount: number }>;
  /**
   * As Catalog.sync, for buckets, objects, uploads and parts: waits, bounded, until this node's copy holds every write the store
   * had acknowledged when the call began (through any node), and resolves whether the copy changed
   * meanwhile. S3 asks before every request, so it stays strongly consistent across nodes (docs/cluster.md). Absent or a no-op where reads are the store's own (memory, embedded).
   */
  sync?(): Promise<boolean>;

  createUpload(bucket: string, upload: UploadRecord): Promise<WriteOutcome>;
  getUpload(bucket: string, uploadId: string): Promise<UploadRecord | undefined>;
  /** Uploads sorted by key, then initiation time. */
  listUploads(bucket: string): Promise<readonly UploadRecord[]>;
  /** Adds or replaces a part (a replaced part's blob is released). */
  putPart(bucket: string, uploadId: string, part: PartRecord): Promise<WriteOutcome>;
  /** Parts sorted by part number. */
  listParts(bucket: string, uploadId: string): Promise<readonly PartRecord[]>;
  /**
   * Ends an upload: removes its record and parts, releasing the blobs no object names. A completion
   * first commits the object (whose record names the kept parts' blobs), then removes the upload.
   */
  removeUpload(bucket: string, uploadId: string): Promise<WriteOutcome>;

  /**
   * Writes the bytes of `source` as a new blob. Its bytes are durable (under the fsync policy) when
   * it resolves, or travel with the commit that first names the blob (`putObject`, `putPart`) —
   * either way durable before that commit resolves, and nothing is visible before a commit. The
   * embedded engine keeps small blobs (at most 64 KiB) in memory until their commit carries them
   * in its journal frame. `sizeBytesHint`: the length the caller expects (a declared
   * Content-Length), which lets the engine choose where the bytes go before reading them; a wrong
   * hint costs only speed.
   */
  writeBlob(source: AsyncIterable<Uint8Array>, options?: WriteBlobOptions): Promise<BlobOutcome>;
  /**
   * writeBlob for bytes already whole in one buffer (a small request body), handed over: the engine
   * may keep the buffer as it is, so the caller never changes it afterwards. Optional (writeBlob
   * serves every engine); it spares a small upload the async iteration.
   */
  writeBlobBytes?(bytes: Buffer): Promise<BlobOutcome>;
  /** The blob's bytes in [startByte, endByteExclusive), streamed in bounded chunks. */
  readBlob(blob: BlobRef, startByte?: number, endByteExclusive?: number): AsyncIterable<Buffer>;
  /**
   * A small range's bytes (the caller keeps it small: they are read into one buffer) at once: as
   * they are when the engine holds them in memory (the embedded engine's inline blobs: shared with
   * the engine, never to be modified), else read in one go. A shortcut for small answers, without
   * a stream's machinery; optional (readBlob serves every engine).
   */
  readBlobAtOnce?(blob: BlobRef, startByte: number, endByteExclusive: number): Buffer | Promise<Buffer>;
  /** Releases a blob no record names (an upload that failed after its bytes were written). */
  discardBlob(blob: BlobRef): Promise<void>;
}
