/**
 * Record size rules AWS applies beyond the shapes: a record's data plus its partition key (UTF-8
 * bytes) must fit the record size limit, and a PutRecords request's data plus partition keys
 * must fit the request limit.
 */
import { limits } from "../limits.js";
import { streamsErrors } from "../errors.js";

export interface SizedRecord {
  PartitionKey: string;
  Data: Buffer;
}

function recordBytes(record: SizedRecord): number {
  return record.Data.length + Buffer.byteLength(record.PartitionKey, "utf8");
}

/** Throws the ValidationException AWS reports on the data member (`path`) of a too-large record. */
export function checkRecordSize(path: string, record: SizedRecord): void {
  if (recordBytes(record) > limits.recordDataBytesMax) {
    throw streamsErrors.recordTooLarge(path, record.Data.length, limits.recordDataBytesMax);
  }
}

/** Checks each entry, then the request as a whole. */
export function checkPutRecordsSize(records: readonly SizedRecord[]): void {
  let total = 0;
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    const bytes = recordBytes(record);
    // The member path is spelled out only for a record that fails.
    if (bytes > limits.recordDataBytesMax) checkRecordSize(`records.${index + 1}.member.data`, record);
    total += bytes;
  }
  if (total > limits.putRecordsBytesMax) throw streamsErrors.putRecordsTooLarge();
}
