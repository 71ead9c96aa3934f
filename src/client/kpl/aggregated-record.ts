/**
 * The KPL's aggregated record (github.com/awslabs/amazon-kinesis-producer, aggregation-format.md):
 *
 *   kinesis record data := magic protobuf md5
 *   magic               := F3 89 9A C2
 *   md5                 := the 16-byte MD5 digest of the protobuf bytes
 *
 *   message AggregatedRecord {
 *     repeated string partition_key_table     = 1;
 *     repeated string explicit_hash_key_table = 2;
 *     repeated Record records                 = 3;
 *   }
 *   message Record {
 *     required uint64 partition_key_index     = 1;
 *     optional uint64 explicit_hash_key_index = 2;
 *     required bytes  data                    = 3;
 *     repeated Tag    tags                    = 4;
 *   }
 *   message Tag { required string key = 1; optional string value = 2; }
 *
 * Decoding checks what the KCL's protobuf parser checks (wire types, bounds, required fields) and
 * also that every index points into its table, so a decoded message is safe to use as it stands.
 */
import * as crypto from "node:crypto";
import { ProtobufError, ProtobufReader, ProtobufWriter, wireTypeLengthDelimited, wireTypeVarint } from "./protobuf.js";

export const kplMagic: Uint8Array = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
export const md5Bytes = 16;

export interface AggregatedUserRecord {
  partitionKeyIndex: number;
  explicitHashKeyIndex?: number;
  data: Uint8Array;
  tags: Array<{ key: string; value?: string }>;
}

export interface AggregatedRecord {
  partitionKeyTable: string[];
  explicitHashKeyTable: string[];
  records: AggregatedUserRecord[];
}

export type AggregatedRecordDecoding = { ok: true; value: AggregatedRecord } | { ok: false; error: string };

/** Encodes the protobuf message alone (no magic, no digest). Tags are written too, though the KPL never sets any. */
export function encodeAggregatedRecordMessage(message: AggregatedRecord): Buffer {
  const writer = new ProtobufWriter(1024);
  for (const key of message.partitionKeyTable) writer.stringField(1, key);
  for (const key of message.explicitHashKeyTable) writer.stringField(2, key);
  for (const record of message.records) writer.bytesField(3, encodeUserRecord(record));
  return writer.finish();
}

function encodeUserRecord(record: AggregatedUserRecord): Buffer {
  const writer = new ProtobufWriter(record.data.length + 16);
  writer.varintField(1, record.partitionKeyIndex);
  if (record.explicitHashKeyIndex !== undefined) writer.varintField(2, record.explicitHashKeyIndex);
  writer.bytesField(3, record.data);
  for (const tag of record.tags) {
    const tagWriter = new ProtobufWriter(64);
    tagWriter.stringField(1, tag.key);
    if (tag.value !== undefined) tagWriter.stringField(2, tag.value);
    writer.bytesField(4, tagWriter.finish());
  }
  return writer.finish();
}

/** The whole Kinesis record data: magic, message, MD5 of the message. */
export function frameAggregatedRecord(message: Uint8Array): Buffer {
  const digest = crypto.createHash("md5").update(message).digest();
  return Buffer.concat([kplMagic, message, digest]);
}

/** Decodes the protobuf message alone. Never throws on bad input: malformed bytes give `{ok: false}`. */
export function decodeAggregatedRecordMessage(bytes: Uint8Array): AggregatedRecordDecoding {
  try {
    return { ok: true, value: readAggregatedRecord(bytes) };
  } catch (error) {
    if (error instanceof ProtobufError) return { ok: false, error: error.message };
    throw error;
  }
}

function readAggregatedRecord(bytes: Uint8Array): AggregatedRecord {
  const reader = new ProtobufReader(bytes);
  const message: AggregatedRecord = { partitionKeyTable: [], explicitHashKeyTable: [], records: [] };
  const recordOffsets: number[] = [];
  while (!reader.done) {
    const header = reader.readFieldHeader();
    if (header.fieldNumber === 1) {
      reader.expect(header, wireTypeLengthDelimited, "partition_key_table");
      message.partitionKeyTable.push(reader.readString());
    } else if (header.fieldNumber === 2) {
      reader.expect(header, wireTypeLengthDelimited, "explicit_hash_key_table");
      message.explicitHashKeyTable.push(reader.readString());
    } else if (header.fieldNumber === 3) {
      reader.expect(header, wireTypeLengthDelimited, "records");
      const { start, end } = reader.readLengthDelimited();
      recordOffsets.push(header.offset);
      message.records.push(readUserRecord(bytes, start, end));
    } else {
      reader.skip(header);
    }
  }
  // Indexes are checked once the tables are complete: protobuf lets fields come in any order.
  message.records.forEach((record, i) => {
    const offset = recordOffsets[i]!;
    if (record.partitionKeyIndex >= message.partitionKeyTable.length) {
      throw new ProtobufError(`records[${i}].partition_key_index ${record.partitionKeyIndex} is outside the partition key table (${message.partitionKeyTable.length} keys)`, offset);
    }
    const ehkIndex = record.explicitHashKeyIndex;
    if (ehkIndex !== undefined && ehkIndex >= message.explicitHashKeyTable.length) {
      throw new ProtobufError(`records[${i}].explicit_hash_key_index ${ehkIndex} is outside the explicit hash key table (${message.explicitHashKeyTable.length} keys)`, offset);
    }
  });
  return message;
}

function readUserRecord(bytes: Uint8Array, start: number, end: number): AggregatedUserRecord {
  const reader = new ProtobufReader(bytes, start, end);
  let partitionKeyIndex: number | undefined;
  let explicitHashKeyIndex: number | undefined;
  let data: Uint8Array | undefined;
  const tags: AggregatedUserRecord["tags"] = [];
  while (!reader.done) {
    const header = reader.readFieldHeader();
    if (header.fieldNumber === 1) {
      reader.expect(header, wireTypeVarint, "partition_key_index");
      partitionKeyIndex = reader.readVarint();
    } else if (header.fieldNumber === 2) {
      reader.expect(header, wireTypeVarint, "explicit_hash_key_index");
      explicitHashKeyIndex = reader.readVarint();
    } else if (header.fieldNumber === 3) {
      reader.expect(header, wireTypeLengthDelimited, "data");
      data = reader.readBytes();
    } else if (header.fieldNumber === 4) {
      reader.expect(header, wireTypeLengthDelimited, "tags");
      const bounds = reader.readLengthDelimited();
      tags.push(readTag(bytes, bounds.start, bounds.end));
    } else {
      reader.skip(header);
    }
  }
  if (partitionKeyIndex === undefined) throw new ProtobufError("record without its required partition_key_index", start);
  if (data === undefined) throw new ProtobufError("record without its required data", start);
  return { partitionKeyIndex, ...(explicitHashKeyIndex !== undefined && { explicitHashKeyIndex }), data, tags };
}

function readTag(bytes: Uint8Array, start: number, end: number): { key: string; value?: string } {
  const reader = new ProtobufReader(bytes, start, end);
  let key: string | undefined;
  let value: string | undefined;
  while (!reader.done) {
    const header = reader.readFieldHeader();
    if (header.fieldNumber === 1) {
      reader.expect(header, wireTypeLengthDelimited, "key");
      key = reader.readString();
    } else if (header.fieldNumber === 2) {
      reader.expect(header, wireTypeLengthDelimited, "value");
      value = reader.readString();
    } else {
      reader.skip(header);
    }
  }
  if (key === undefined) throw new ProtobufError("tag without its required key", start);
  return value === undefined ? { key } : { key, value };
}
