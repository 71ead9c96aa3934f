import { createHash } from "node:crypto";

/** The Kinesis hash key space is the unsigned 128-bit integers. */
export const hashKeyMax = (1n << 128n) - 1n;

/** MD5 of the UTF-8 partition key, read as a big-endian unsigned 128-bit integer (as AWS does). */
export function hashPartitionKey(partitionKey: string): bigint {
  const digest = createHash("md5").update(partitionKey, "utf8").digest();
  return BigInt("0x" + digest.toString("hex"));
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
