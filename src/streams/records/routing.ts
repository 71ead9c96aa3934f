/**
 * Shard routing: which open shard a record goes to. A record's hash key is the MD5 of its
 * partition key, or its ExplicitHashKey when given; the shard is the open shard whose
 * HashKeyRange contains that key. Open shards always cover the whole key space, so every key
 * has exactly one shard (closed shards keep their ranges but take no writes).
 */
import { hashKeyMax, hashPartitionKey } from "../../core/hash-key.js";
import type { ShardMeta, StreamMeta } from "../../storage/types.js";
import { assert } from "../../util/assert.js";
import { streamsErrors } from "../errors.js";

/** The hash key a record routes by; throws AWS's InvalidArgumentException for keys past 2^128 - 1. */
export function resolveHashKey(partitionKey: string, explicitHashKey: string | undefined): bigint {
  if (explicitHashKey === undefined) return hashPartitionKey(partitionKey);
  // The shape's pattern has already admitted only decimal digits (up to 39 of them).
  const hashKey = BigInt(explicitHashKey);
  if (hashKey > hashKeyMax) throw streamsErrors.invalidExplicitHashKey(explicitHashKey);
  return hashKey;
}

/** Finds a hash key's open shard; built once per request so ranges are parsed once. */
export type ShardRouter = (hashKey: bigint) => ShardMeta;

export function shardRouter(meta: StreamMeta): ShardRouter {
  const open = meta.shards
    .filter((shard) => shard.endingOffset === undefined)
    .map((shard) => ({ shard, start: BigInt(shard.HashKeyRange.StartingHashKey), end: BigInt(shard.HashKeyRange.EndingHashKey) }));
  return (hashKey) => {
    const found = open.find((range) => range.start <= hashKey && hashKey <= range.end);
    assert(found, `open shards of ${meta.StreamName} do not cover hash key ${hashKey}`);
    return found.shard;
  };
}
