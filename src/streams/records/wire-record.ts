import { recordSequenceNumber, type ShardSequence } from "./sequence-numbers.js";
import type { StoredRecord, StreamMeta } from "../../storage/types.js";

/** A record as GetRecords returns it (AWS's Record shape: no ExplicitHashKey). */
export interface WireRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: Date;
  Data: Buffer;
  PartitionKey: string;
  EncryptionType?: "KMS";
}

/**
 * The wire shape of a stored (and, if sealed, opened) record. EncryptionType is per record, as
 * AWS's Record shape has it: KMS for a record stored encrypted, absent otherwise. `encryptionType`
 * NONE says no record of the stream can be encrypted, so none is looked at.
 */
export function wireRecord(record: StoredRecord, shard: ShardSequence, encryptionType: StreamMeta["EncryptionType"]): WireRecord {
  const out: WireRecord = {
    SequenceNumber: recordSequenceNumber(shard, record.offset, record.arrivalMs),
    ApproximateArrivalTimestamp: new Date(record.arrivalMs),
    Data: record.data,
    PartitionKey: record.partitionKey,
  };
  if (encryptionType === "KMS" && record.sealedWith !== undefined) out.EncryptionType = "KMS";
  return out;
}
