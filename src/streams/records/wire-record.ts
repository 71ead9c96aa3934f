import { recordSequenceNumber, type ShardSequence } from "./sequence-numbers.js";
import type { StoredRecord } from "../../storage/types.js";
import type { StreamMeta } from "../model.js";

/** A record as GetRecords returns it (AWS's Record shape: no ExplicitHashKey). */
export interface WireRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: Date;
  Data: Buffer;
  /** Absent for a record written without one (an AUTO stream's), as AWS answers. */
  PartitionKey?: string;
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
  };
  // An empty stored key is a record written without one (storage/types.ts AppendRecord).
  if (record.partitionKey !== "") out.PartitionKey = record.partitionKey;
  if (encryptionType === "KMS" && record.sealedWith !== undefined) out.EncryptionType = "KMS";
  return out;
}
