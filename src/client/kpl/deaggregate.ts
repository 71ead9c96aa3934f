/**
 * Turns a Kinesis record back into the user records it carries, as the KCL's AggregatorUtil does:
 * a record that starts with the KPL magic, has a non-empty message after it, and whose MD5
 * trailer matches, is decoded into its user records, numbered by sub-sequence number from 0;
 * anything else — no magic, too short, bad digest, a message that does not decode — is one
 * ordinary record (sub-sequence number 0, `aggregated: false`), since a producer that did not
 * aggregate may well have written bytes that merely start like an aggregate.
 */
import * as crypto from "node:crypto";
import { decodeAggregatedRecordMessage, kplMagic, md5Bytes } from "./aggregated-record.js";

/**
 * The members of a GetRecords (or SubscribeToShard) record that de-aggregation reads. The SDK's
 * `_Record` types them as possibly undefined, so this does too (and reads a missing one as empty).
 */
export interface KinesisRecordInput {
  SequenceNumber: string | undefined;
  PartitionKey?: string | undefined;
  Data: Uint8Array | undefined;
  ApproximateArrivalTimestamp?: Date | undefined;
  EncryptionType?: string | undefined;
}

export interface UserRecord {
  SequenceNumber: string;
  /** The user record's place in its aggregate; 0 for a record that was not aggregated. */
  SubSequenceNumber: number;
  PartitionKey: string;
  ExplicitHashKey?: string;
  Data: Uint8Array;
  ApproximateArrivalTimestamp?: Date;
  EncryptionType?: string;
  aggregated: boolean;
  /**
   * Why a record that starts with the KPL magic was nevertheless taken as an ordinary record (bad
   * digest, malformed message); undefined otherwise. The KCL logs nothing and moves on; this lets a
   * caller count or log such records.
   */
  notAggregatedReason?: string;
}

/**
 * @example
 * const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
 * for (const record of Records ?? []) for (const user of deaggregate(record)) handle(user);
 */
export function deaggregate(record: KinesisRecordInput): UserRecord[] {
  const data = record.Data ?? new Uint8Array(0);
  if (data.length <= kplMagic.length + md5Bytes || !startsWithMagic(data)) return [ordinary(record)];
  const message = data.subarray(kplMagic.length, data.length - md5Bytes);
  const digest = crypto.createHash("md5").update(message).digest();
  if (!digest.equals(data.subarray(data.length - md5Bytes))) return [ordinary(record, "MD5 trailer does not match the message")];
  const decoded = decodeAggregatedRecordMessage(message);
  if (!decoded.ok) return [ordinary(record, `malformed aggregated record: ${decoded.error}`)];
  const { partitionKeyTable, explicitHashKeyTable, records } = decoded.value;
  return records.map((user, index) => {
    const ehk = user.explicitHashKeyIndex === undefined ? undefined : explicitHashKeyTable[user.explicitHashKeyIndex];
    return {
      ...envelope(record),
      SubSequenceNumber: index,
      PartitionKey: partitionKeyTable[user.partitionKeyIndex]!,
      ...(ehk !== undefined && { ExplicitHashKey: ehk }),
      Data: user.data,
      aggregated: true,
    };
  });
}

/** Whether `data` starts with the KPL magic (it may still fail the other checks). */
export function startsWithMagic(data: Uint8Array): boolean {
  return data.length >= kplMagic.length && kplMagic.every((byte, i) => data[i] === byte);
}

function ordinary(record: KinesisRecordInput, notAggregatedReason?: string): UserRecord {
  return {
    ...envelope(record),
    SubSequenceNumber: 0,
    PartitionKey: record.PartitionKey ?? "",
    Data: record.Data ?? new Uint8Array(0),
    aggregated: false,
    ...(notAggregatedReason !== undefined && { notAggregatedReason }),
  };
}

function envelope(record: KinesisRecordInput): Pick<UserRecord, "SequenceNumber" | "ApproximateArrivalTimestamp" | "EncryptionType"> {
  return {
    SequenceNumber: record.SequenceNumber ?? "",
    ...(record.ApproximateArrivalTimestamp !== undefined && { ApproximateArrivalTimestamp: record.ApproximateArrivalTimestamp }),
    ...(record.EncryptionType !== undefined && { EncryptionType: record.EncryptionType }),
  };
}
