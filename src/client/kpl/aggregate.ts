/**
 * Packs user records into KPL aggregated Kinesis records, as the KPL does (kinesis_record.cc):
 * one user record goes out as itself; two or more go out as one aggregated record whose partition
 * key is "a" and whose explicit hash key is the first user record's hash key (its ExplicitHashKey,
 * or the MD5 of its partition key, in decimal), so the aggregate lands on the first record's shard.
 *
 * Only records bound for the same shard belong in one aggregate: the KCL drops the user records of
 * an aggregate whose hash keys fall outside the shard it read it from. The producer groups by
 * predicted shard before it aggregates.
 */
import { hashPartitionKey } from "../../core/hash-key.js";
import { assert } from "../../util/assert.js";
import { encodeAggregatedRecordMessage, frameAggregatedRecord, kplMagic, md5Bytes, type AggregatedUserRecord } from "./aggregated-record.js";
import { lengthDelimitedFieldSize, varintSize } from "./protobuf.js";

/** A Kinesis record's limit: data plus partition key (the default MaxRecordSizeInKiB, 1 MiB). */
export const kinesisRecordBytesMax = 1024 * 1024;

/** The partition key the KPL gives every aggregated record; the explicit hash key does the routing. */
export const aggregatePartitionKey = "a";

/** A user record, in PutRecordsRequestEntry's terms. */
export interface UserRecordInput {
  PartitionKey: string;
  ExplicitHashKey?: string;
  Data: Uint8Array;
}

/** What goes into one PutRecords entry. */
export interface KinesisRecordEntry {
  PartitionKey: string;
  ExplicitHashKey?: string;
  Data: Uint8Array;
}

/** The size Kinesis counts for a record: data plus the partition key's UTF-8 bytes. */
export function recordSizeBytes(record: { PartitionKey: string; Data: Uint8Array }): number {
  return record.Data.length + Buffer.byteLength(record.PartitionKey, "utf8");
}

/**
 * Collects user records into one Kinesis record of at most `bytesMax` bytes, tracking the exact
 * encoded size as it goes.
 *
 * @example
 * const builder = new AggregateBuilder();
 * for (const record of records) if (!builder.tryAdd(record)) break;
 * await kinesis.send(new PutRecordCommand({ StreamName, ...builder.build() }));
 */
export class AggregateBuilder {
  private readonly partitionKeys = new Map<string, number>();
  private readonly explicitHashKeys = new Map<string, number>();
  private readonly records: AggregatedUserRecord[] = [];
  private first: UserRecordInput | undefined;
  private messageBytes = 0;

  constructor(readonly bytesMax = kinesisRecordBytesMax) {
    assert(bytesMax > 0 && bytesMax <= kinesisRecordBytesMax, `aggregate bytesMax out of range: ${bytesMax}`);
  }

  get count(): number {
    return this.records.length;
  }

  /** The Kinesis record's size (data plus partition key) with `record` added. */
  sizeBytesWith(record: UserRecordInput): number {
    if (this.first === undefined) return recordSizeBytes(record);
    return aggregatePartitionKey.length + kplMagic.length + this.messageBytes + this.messageGrowthBytes(record) + md5Bytes;
  }

  /** Adds `record` if the result stays within bytesMax; says whether it did. */
  tryAdd(record: UserRecordInput): boolean {
    if (this.sizeBytesWith(record) > this.bytesMax) return false;
    this.messageBytes += this.messageGrowthBytes(record);
    this.first ??= record;
    const partitionKeyIndex = indexOf(this.partitionKeys, record.PartitionKey);
    const ehk = record.ExplicitHashKey;
    this.records.push({
      partitionKeyIndex,
      ...(ehk !== undefined && { explicitHashKeyIndex: indexOf(this.explicitHashKeys, ehk) }),
      data: record.Data,
      tags: [],
    });
    return true;
  }

  /** The Kinesis record to put. */
  build(): KinesisRecordEntry {
    const first = this.first;
    assert(first !== undefined, "build() of an empty aggregate");
    if (this.records.length === 1) return { ...first };
    const message = encodeAggregatedRecordMessage({
      partitionKeyTable: [...this.partitionKeys.keys()],
      explicitHashKeyTable: [...this.explicitHashKeys.keys()],
      records: this.records,
    });
    assert(message.length === this.messageBytes, `aggregate size drifted: ${message.length} != ${this.messageBytes}`);
    return {
      PartitionKey: aggregatePartitionKey,
      ExplicitHashKey: first.ExplicitHashKey ?? hashPartitionKey(first.PartitionKey).toString(),
      Data: frameAggregatedRecord(message),
    };
  }

  private messageGrowthBytes(record: UserRecordInput): number {
    let growth = 0;
    let partitionKeyIndex = this.partitionKeys.get(record.PartitionKey);
    if (partitionKeyIndex === undefined) {
      partitionKeyIndex = this.partitionKeys.size;
      growth += lengthDelimitedFieldSize(Buffer.byteLength(record.PartitionKey, "utf8"));
    }
    let recordBytes = 1 + varintSize(partitionKeyIndex) + lengthDelimitedFieldSize(record.Data.length);
    const ehk = record.ExplicitHashKey;
    if (ehk !== undefined) {
      let ehkIndex = this.explicitHashKeys.get(ehk);
      if (ehkIndex === undefined) {
        ehkIndex = this.explicitHashKeys.size;
        growth += lengthDelimitedFieldSize(Buffer.byteLength(ehk, "utf8"));
      }
      recordBytes += 1 + varintSize(ehkIndex);
    }
    return growth + lengthDelimitedFieldSize(recordBytes);
  }
}

function indexOf(table: Map<string, number>, key: string): number {
  let index = table.get(key);
  if (index === undefined) {
    index = table.size;
    table.set(key, index);
  }
  return index;
}

/**
 * Packs `records`, in order, into as few Kinesis records of at most `bytesMax` bytes as greedy
 * packing gives. Throws a RangeError for a record that alone exceeds bytesMax.
 */
export function aggregateRecords(records: readonly UserRecordInput[], bytesMax = kinesisRecordBytesMax): KinesisRecordEntry[] {
  const entries: KinesisRecordEntry[] = [];
  let builder = new AggregateBuilder(bytesMax);
  for (const record of records) {
    if (builder.tryAdd(record)) continue;
    if (builder.count === 0) throw new RangeError(`record of ${recordSizeBytes(record)} bytes exceeds the ${bytesMax}-byte Kinesis record limit`);
    entries.push(builder.build());
    builder = new AggregateBuilder(bytesMax);
    if (!builder.tryAdd(record)) throw new RangeError(`record of ${recordSizeBytes(record)} bytes exceeds the ${bytesMax}-byte Kinesis record limit`);
  }
  if (builder.count > 0) entries.push(builder.build());
  return entries;
}
