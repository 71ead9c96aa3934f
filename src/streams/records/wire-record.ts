import { encodeSequenceNumber } from "../../core/sequence-number.js";
import type { StoredRecord, StreamMeta } from "../../storage/types.js";

/** A record as GetRecords returns it (AWS's Record shape: no ExplicitHashKey). */
export interface WireRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: Date;
  Data: Buffer;
  PartitionKey: string;
  EncryptionType?: "KMS";
}

/** The wire shape of a stored record; EncryptionType is sent only for encrypted streams. */
export function wireRecord(record: StoredRecord, shardIndex: number, encryptionType: StreamMeta["EncryptionType"]): WireRecord {
  const out: WireRecord = {
    SequenceNumber: encodeSequenceNumber({ arrivalMs: record.arrivalMs, shardIndex, offset: record.offset }),
    ApproximateArrivalTimestamp: new Date(record.arrivalMs),
    Data: record.data,
    PartitionKey: record.partitionKey,
  };
  if (encryptionType === "KMS") out.EncryptionType = "KMS";
  return out;
}
