import * as crypto from "node:crypto";

/** The Kinesis hash key space is the unsigned 128-bit integers. */
export const hashKeyMax = (1n << 128n) - 1n;

/** MD5 of the UTF-8 partition key, read as a big-endian unsigned 128-bit integer (as AWS does). */
export function hashPartitionKey(partitionKey: string): bigint {
  return BigInt("0x" + partitionKeyHashHex(partitionKey));
}

/**
 * The same MD5 as 32 lowercase hex digits. Fixed-width hex strings compare (with `<`) in the
 * same order as the numbers they spell, so routing can compare them without BigInt arithmetic.
 */
export function partitionKeyHashHex(partitionKey: string): string {
  return md5Hex(partitionKey);
}

// crypto.hash (Node >= 20.12) digests in one call without a Hash object: about 3x cheaper per key.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;
const md5Hex: (text: string) => string = oneShotHash
  ? (text) => oneShotHash("md5", text, "hex")
  : (text) => crypto.createHash("md5").update(text, "utf8").digest("hex");

/** A hash key as 32 lowercase hex digits (see partitionKeyHashHex). */
export function hashKeyHex(hashKey: bigint): string {
  return hashKey.toString(16).padStart(32, "0");
}

export interface HashKeyRange {
  StartingHashKey: string;
  EndingHashKey: string;
}

/**
 * The ranges AWS gives a new stream of `shardCount` shards: each shard takes floor(2^128 / n)
 * keys and the last shard also takes the remainder.
 */
export function evenHashKeyRanges(shardCount: number): HashKeyRange[] {
  const width = (1n << 128n) / BigInt(shardCount);
  const ranges: HashKeyRange[] = [];
  for (let i = 0; i < shardCount; i++) {
    const start = width * BigInt(i);
    const end = i === shardCount - 1 ? hashKeyMax : width * BigInt(i + 1) - 1n;
    ranges.push({ StartingHashKey: start.toString(), EndingHashKey: end.toString() });
  }
  return ranges;
}

export function rangeContains(range: HashKeyRange, hashKey: bigint): boolean {
  return BigInt(range.StartingHashKey) <= hashKey && hashKey <= BigInt(range.EndingHashKey);
}
