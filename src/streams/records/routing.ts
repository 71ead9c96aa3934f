/**
 * Shard routing: which open shard a record goes to. A record's hash key is the MD5 of its
 * partition key, or its ExplicitHashKey when given; the shard is the open shard whose
 * HashKeyRange contains that key. Open shards always cover the whole key space, so every key
 * has exactly one shard (closed shards keep their ranges but take no writes).
 *
 * Hash keys travel as 32-digit lowercase hex strings: fixed width makes string order equal to
 * numeric order, and a PutRecords of 500 entries then routes without any BigInt arithmetic.
 */
import { hashKeyHex, hashKeyMax, partitionKeyHashHex } from "../../core/hash-key.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import { assert } from "../../util/assert.js";
import { streamsErrors } from "../errors.js";

/**
 * Producers reuse partition keys (user ids, device ids…), so digests are remembered. The cache
 * is bounded — it is emptied when full — so hostile key streams cost memory of at most
 * `partitionKeyCacheEntriesMax` keys of up to 256 characters (about 5 MB).
 */
const partitionKeyCacheEntriesMax = 8192;
const partitionKeyHashes = new Map<string, string>();

function cachedPartitionKeyHash(partitionKey: string): string {
  let hex = partitionKeyHashes.get(partitionKey);
  if (hex === undefined) {
    hex = partitionKeyHashHex(partitionKey);
    if (partitionKeyHashes.size >= partitionKeyCacheEntriesMax) partitionKeyHashes.clear();
    partitionKeyHashes.set(partitionKey, hex);
  }
  return hex;
}

/** The hash key (32 hex digits) a record routes by; throws AWS's InvalidArgumentException for keys past 2^128 - 1. */
export function resolveHashKey(partitionKey: string, explicitHashKey: string | undefined): string {
  if (explicitHashKey === undefined) return cachedPartitionKeyHash(partitionKey);
  // The shape's pattern has already admitted only decimal digits (up to 39 of them).
  const hashKey = BigInt(explicitHashKey);
  if (hashKey > hashKeyMax) throw streamsErrors.invalidExplicitHashKey(explicitHashKey);
  return hashKeyHex(hashKey);
}

/** Finds a hash key's open shard; built once per request so ranges are converted once. */
export type ShardRouter = (hashKeyHex: string) => ShardMeta;

export function shardRouter(meta: StreamMeta): ShardRouter {
  const open = meta.shards
    .filter((shard) => shard.endingOffset === undefined)
    .map((shard) => ({
      shard,
      start: hashKeyHex(BigInt(shard.HashKeyRange.StartingHashKey)),
      end: hashKeyHex(BigInt(shard.HashKeyRange.EndingHashKey)),
    }));
  return (hashKey) => {
    for (const range of open) {
      if (range.start <= hashKey && hashKey <= range.end) return range.shard;
    }
    assert(false, `open shards of ${meta.StreamName} do not cover hash key ${hashKey}`);
  };
}
