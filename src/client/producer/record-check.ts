/**
 * Checks a record before it is buffered, with PutRecords' constraints, so a record AWS would
 * refuse fails at put() with the reason instead of failing its whole batch later.
 */
import { hashKeyMax } from "../../core/hash-key.js";

export const partitionKeyLengthMax = 256;
const explicitHashKeyPattern = /^(0|[1-9]\d{0,38})$/;

export interface ProducerRecord {
  PartitionKey: string;
  /** Bytes, or a string sent as its UTF-8 bytes. */
  Data: Uint8Array | string;
  /** A decimal hash key (0 – 2^128−1) that routes the record instead of its partition key's MD5. */
  ExplicitHashKey?: string;
}

/** Why `record` cannot be put, or undefined if it can. */
export function recordProblem(record: ProducerRecord, data: Uint8Array, recordBytesMax: number): string | undefined {
  const key = record.PartitionKey;
  if (typeof key !== "string") return "PartitionKey must be a string";
  const keyLength = [...key].length;
  if (keyLength < 1 || keyLength > partitionKeyLengthMax) return `PartitionKey must be 1 to ${partitionKeyLengthMax} characters long, got ${keyLength}`;
  const ehk = record.ExplicitHashKey;
  if (ehk !== undefined && (typeof ehk !== "string" || !explicitHashKeyPattern.test(ehk) || BigInt(ehk) > hashKeyMax)) {
    return "ExplicitHashKey must be a decimal integer from 0 to 2^128 - 1";
  }
  const sizeBytes = data.length + Buffer.byteLength(key, "utf8");
  if (sizeBytes > recordBytesMax) return `record of ${sizeBytes} bytes (data plus partition key) exceeds the ${recordBytesMax}-byte record limit`;
  return undefined;
}

export function recordData(record: ProducerRecord): Uint8Array | undefined {
  if (typeof record.Data === "string") return Buffer.from(record.Data, "utf8");
  return record.Data instanceof Uint8Array ? record.Data : undefined;
}
