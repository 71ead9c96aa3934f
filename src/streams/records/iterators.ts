/**
 * Shard iterators as the data plane issues and checks them. A token binds the stream name, the
 * stream's incarnation (its creation time), the shard, the next offset and the issue time, and
 * is signed with the server's iterator key; so a token is refused when tampered with, older than
 * the iterator TTL, or presented to a stream deleted (and perhaps recreated) since it was issued.
 */
import { decodeIterator, encodeIterator, type IteratorPosition } from "../../core/iterator-token.js";
import { shardIdFromIndex } from "../../core/shard-id.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";

export function issueIterator(context: StreamsContext, meta: StreamMeta, shardIndex: number, offset: number, nowMs: number): string {
  return encodeIterator(context.iteratorKey, {
    accountId: meta.accountId,
    streamName: meta.StreamName,
    streamId: meta.streamId,
    shardIndex,
    offset,
    issuedAtMs: nowMs,
  });
}

/** Decodes a presented token; throws InvalidArgumentException or ExpiredIteratorException as AWS does. */
export function openIterator(context: StreamsContext, token: string, nowMs: number): IteratorPosition {
  const position = decodeIterator(context.iteratorKey, token);
  if (!position) throw streamsErrors.invalidShardIterator();
  if (nowMs - position.issuedAtMs > limits.iteratorTtlMs) {
    throw streamsErrors.expiredIteratorAt(position.issuedAtMs, nowMs, limits.iteratorTtlMs);
  }
  return position;
}

/**
 * The stream and shard an iterator reads; a stream gone or recreated since the token was issued
 * has no such shard, and neither has the request's account for another account's iterator (a
 * granted cross-account read runs in the owner's account: src/streams/index.ts).
 */
export function iteratorShard(context: StreamsContext, position: IteratorPosition): { meta: StreamMeta; shard: ShardMeta } {
  const meta = position.accountId === context.accountId ? context.streams.get(position.streamName) : undefined;
  const shard = meta?.streamId === position.streamId ? meta.shards.find((candidate) => candidate.shardIndex === position.shardIndex) : undefined;
  if (!meta || !shard) {
    throw streamsErrors.shardNotFound(shardIdFromIndex(position.shardIndex), position.streamName, context.accountId);
  }
  return { meta, shard };
}

/** The child shards GetRecords reports once a reader reaches the end of a closed shard. */
export function childShardsOf(meta: StreamMeta, parent: ShardMeta): { ShardId: string; ParentShards: string[]; HashKeyRange: ShardMeta["HashKeyRange"] }[] {
  return meta.shards
    .filter((shard) => shard.ParentShardId === parent.ShardId || shard.AdjacentParentShardId === parent.ShardId)
    .map((shard) => ({
      ShardId: shard.ShardId,
      ParentShards: [shard.ParentShardId, shard.AdjacentParentShardId].filter((id): id is string => id !== undefined),
      HashKeyRange: shard.HashKeyRange,
    }));
}
