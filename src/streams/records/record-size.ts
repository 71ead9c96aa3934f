/**
 * Record size rules AWS applies beyond the shapes: a record's data plus its partition key (UTF-8
 * bytes) must fit the stream's maximum record size (MaxRecordSizeInKiB: 1 MiB unless
 * UpdateMaxRecordSize raised it, up to 10 MiB), and a PutRecords request's data plus partition
 * keys must fit the request limit (10 MiB). The shapes bound Data at 10 MiB, the largest any
 * stream takes, so these checks need the stream and come after it is found.
 */
import { limits } from "../limits.js";
import { streamsErrors } from "../errors.js";
import type { StreamMeta } from "../model.js";

export interface SizedRecord {
  /** Absent on an AUTO stream's record written without one. */
  PartitionKey?: string | undefined;
  Data: Buffer;
}

function recordBytes(record: SizedRecord): number {
  return record.Data.length + (record.PartitionKey === undefined ? 0 : Buffer.byteLength(record.PartitionKey, "utf8"));
}

/** The largest record (data plus partition key) the stream takes, in bytes. */
export function recordBytesMaxOf(meta: StreamMeta): number {
  return (meta.MaxRecordSizeInKiB ?? limits.maxRecordSizeKiBDefault) * 1024;
}

/** Throws the ValidationException AWS reports on the data member (`path`) of a record over the stream's maximum. */
export function checkRecordSize(path: string, record: SizedRecord, meta: StreamMeta): void {
  const recordBytesMax = recordBytesMaxOf(meta);
  if (recordBytes(record) > recordBytesMax) {
    throw streamsErrors.recordTooLarge(path, record.Data.length, recordBytesMax);
  }
}

/** Checks each entry against the stream's maximum, then the request as a whole; answers the request's bytes (its metrics count them). */
export function checkPutRecordsSize(records: readonly SizedRecord[], meta: StreamMeta): number {
  const recordBytesMax = recordBytesMaxOf(meta);
  let total = 0;
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    const bytes = recordBytes(record);
    // The member path is spelled out only for a record that fails.
    if (bytes > recordBytesMax) throw streamsErrors.recordTooLarge(`records.${index + 1}.member.data`, record.Data.length, recordBytesMax);
    total += bytes;
  }
  if (total > limits.putRecordsBytesMax) throw streamsErrors.putRecordsTooLarge();
  return total;
}
