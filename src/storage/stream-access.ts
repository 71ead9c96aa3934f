/**
 * How a service reads (and writes) Kinesis streams from inside the process — Lambda's event source mappings
 * now, Firehose's Kinesis sources and Analytics inputs next — without HTTP to ourselves and
 * without the public API's per-call rates. The streams service implements it over its registry,
 * the shard logs and its encryption keys (src/streams/stream-access.ts); the app hands it to every
 * service as `ServiceDeps.streamAccess` (src/server/app.ts), so services never import each other.
 *
 * Streams and consumers are named by ARN (account and region are in it). Outcomes are values.
 */

/** One shard as DescribeStream shows it (open and closed shards still within retention). */
export interface StreamShardView {
  readonly shardId: string;
  readonly parentShardId?: string;
  readonly adjacentParentShardId?: string;
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly startingSequenceNumber: string;
  /** Set once the shard is closed by a reshard: no record follows this one. */
  readonly endingSequenceNumber?: string;
}

export interface StreamView {
  readonly accountId: string;
  readonly streamName: string;
  readonly streamArn: string;
  readonly status: "CREATING" | "DELETING" | "ACTIVE" | "UPDATING";
  readonly retentionHours: number;
  /** Every retained shard, parents before their children (ShardId order). */
  readonly shards: readonly StreamShardView[];
}

/** A registered stream consumer (enhanced fan-out). */
export interface ConsumerView {
  readonly consumerArn: string;
  readonly consumerName: string;
  readonly streamArn: string;
  readonly status: "CREATING" | "DELETING" | "ACTIVE";
  readonly createdAtMs: number;
}

/**
 * Where a read starts. `CURSOR` is the `next` of an earlier read: cheap to resume from, valid only
 * in this process (after a restart, resume from a sequence number).
 */
export type ShardPosition =
  | { readonly type: "TRIM_HORIZON" }
  | { readonly type: "LATEST" }
  | { readonly type: "AT_TIMESTAMP"; readonly timestampMs: number }
  | { readonly type: "AT_SEQUENCE_NUMBER"; readonly sequenceNumber: string }
  | { readonly type: "AFTER_SEQUENCE_NUMBER"; readonly sequenceNumber: string }
  | { readonly type: "CURSOR"; readonly cursor: string };

/** A record as GetRecords would return it (opened if the stream encrypts at rest). */
export interface StreamRecordView {
  readonly sequenceNumber: string;
  /** "" for a record of a stream with RecordDistributionStrategy AUTO that was put without one. */
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly approximateArrivalTimestampMs: number;
  readonly encryptionType?: "KMS";
}

export type ShardReadOutcome =
  | {
      readonly ok: true;
      readonly records: readonly StreamRecordView[];
      /** Where the next read starts: after the last record returned, or where this one started if none (LATEST resolved). */
      readonly next: ShardPosition;
      readonly millisBehindLatest: number;
      /** The shard is closed and every record of it has been returned: go on with its children. */
      readonly shardEnded: boolean;
    }
  | { readonly ok: false; readonly reason: "stream-not-found" | "shard-not-found" | "invalid-position" };

/** One record to write (PutRecords' entry). */
export interface StreamPutEntry {
  readonly partitionKey: string;
  readonly data: Buffer;
  readonly explicitHashKey?: string;
}

export type StreamPutOutcome =
  | {
      readonly ok: true;
      /** Per entry, in order: where it was stored, or why not (a throttle, an internal failure: retry those). */
      readonly results: readonly ({ readonly sequenceNumber: string; readonly shardId: string } | { readonly errorCode: string; readonly errorMessage: string })[];
    }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string; readonly retriable: boolean };

export interface ShardWatch {
  stop(): void;
}

export interface StreamAccess {
  describeStream(streamArn: string): Promise<StreamView | undefined>;
  describeConsumer(consumerArn: string): Promise<ConsumerView | undefined>;
  /** Reads up to the limits from `position` (records past retention are skipped, as GetRecords does). */
  readShard(streamArn: string, shardId: string, position: ShardPosition, limits: { recordsMax: number; bytesMax: number }): Promise<ShardReadOutcome>;
  /** Calls `listener` (no arguments, possibly spuriously) when the shard gains records or closes. */
  watchShard(streamArn: string, shardId: string, listener: () => void): ShardWatch;
  /** PutRecords as the stream's account would call it (Analytics' outputs): up to 500 entries, the shard rates applied. */
  putRecords(streamArn: string, entries: readonly StreamPutEntry[]): Promise<StreamPutOutcome>;
}
