/**
 * The bytes a metric counts for a record: its data plus its partition key's UTF-8 bytes, what AWS
 * counts against a shard's throughput and a record's size (records/record-size.ts), so
 * IncomingBytes and GetRecords.Bytes over the same records agree.
 */
import type { StoredRecord } from "../../storage/types.js";

/** A key's UTF-8 length (Node measures it without encoding: faster than a JavaScript scan for non-ASCII). */
export function keyBytes(key: string): number {
  return Buffer.byteLength(key, "utf8");
}

export function storedBytes(records: readonly StoredRecord[]): number {
  let bytes = 0;
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    bytes += record.data.length + keyBytes(record.partitionKey);
  }
  return bytes;
}
