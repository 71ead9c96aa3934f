/**
 * Service-managed record distribution (a stream's RecordDistributionStrategy AUTO, ON_DEMAND
 * streams only): PutRecord and PutRecords place records themselves, ignoring any PartitionKey and
 * ExplicitHashKey, so no key can make a hot shard. AWS documents only "distributes records evenly
 * across shards using service-managed algorithms"; ours takes the open shards in turn from a
 * random start (context.random): a PutRecords of n entries gives each of k shards n/k of them (±1),
 * and single PutRecords land uniformly. A record its shard's throughput refuses goes to the next
 * open shard that admits it, and is throttled only when every open shard is at its limit.
 *
 * A stored record without a partition key keeps an empty one (storage/types.ts AppendRecord), and
 * GetRecords / SubscribeToShard leave its PartitionKey out, as AWS does.
 */
import type { RecordDistributionStrategy, ShardMeta, StreamMeta } from "../model.js";
import type { Random } from "../../util/random.js";
import { streamsErrors } from "../errors.js";
import type { StreamMeters } from "../limits/index.js";

/** The stream's strategy as DescribeStreamSummary reports it. */
export function recordDistributionStrategyOf(meta: StreamMeta): RecordDistributionStrategy {
  return meta.RecordDistributionStrategy ?? "USER_PARTITION_KEY";
}

export function isServiceDistributed(meta: StreamMeta): boolean {
  return meta.RecordDistributionStrategy === "AUTO";
}

/**
 * The ValidationException of a record without a PartitionKey on a USER_PARTITION_KEY stream: the
 * shape checker's own wording for a missing required member (protocol/shapes.ts), up to ten
 * members in one message, since before AUTO existed the key was a required member.
 */
export function checkPartitionKeysPresent(paths: readonly string[]): void {
  if (paths.length === 0) return;
  const errors = paths.slice(0, 10).map((path) => `Value null at '${path}' failed to satisfy constraint: Member must not be null`);
  throw streamsErrors.validation(`${errors.length} validation error${errors.length > 1 ? "s" : ""} detected: ${errors.join("; ")}`);
}

/** Places one request's records on an AUTO stream's open shards. */
export class AutoPlacement {
  private readonly open: readonly ShardMeta[];
  private cursor: number;

  constructor(meta: StreamMeta, random: Random) {
    this.open = meta.shards.filter((shard) => shard.endingOffset === undefined);
    // A uniform start; the modulo bias of 2^32 over a few thousand shards at most is negligible.
    this.cursor = random.bytes(4).readUInt32LE(0) % this.open.length;
  }

  /** The shard the request's next record goes to unless throttled: the open shards in turn. */
  next(): ShardMeta {
    const shard = this.open[this.cursor]!;
    this.cursor = (this.cursor + 1) % this.open.length;
    return shard;
  }

  /**
   * Admits a record to `first` or, if its throughput refuses it, to the next open shard that takes
   * it; undefined when every open shard refuses (the record is throttled, nothing counted).
   */
  admit(first: ShardMeta, writes: StreamMeters | undefined, partitionKey: string, data: Buffer): ShardMeta | undefined {
    if (writes === undefined) return first;
    const start = this.open.indexOf(first);
    for (let step = 0; step < this.open.length; step++) {
      const shard = this.open[(start + step) % this.open.length]!;
      if (writes.admit(shard.shardIndex, partitionKey, data)) return shard;
    }
    return undefined;
  }
}
