/**
 * Predicts which shard a hash key lands on, from ListShards: the open shards (no
 * EndingSequenceNumber) partition the hash key space, so a binary search over their starting
 * keys finds the one. Used to rate-limit per shard and to aggregate only records bound for the
 * same shard. A prediction can be stale after a reshard; PutRecords answers the real ShardId, and
 * the producer reloads the map when the two differ.
 */
import { ListShardsCommand, type KinesisClient, type ListShardsCommandInput } from "@aws-sdk/client-kinesis";

export interface StreamRef {
  StreamName?: string;
  StreamARN?: string;
}

export interface ShardRange {
  ShardId: string;
  startingHashKey: bigint;
  endingHashKey: bigint;
}

/** Pages of ListShards, a bound against a misbehaving endpoint (10,000 shards a page is AWS's maximum). */
const listShardsPagesMax = 1000;

export class ShardMap {
  private readonly shards: ShardRange[];
  constructor(shards: readonly ShardRange[]) {
    this.shards = [...shards].sort((a, b) => (a.startingHashKey < b.startingHashKey ? -1 : a.startingHashKey > b.startingHashKey ? 1 : 0));
  }

  get shardIds(): string[] {
    return this.shards.map((shard) => shard.ShardId);
  }

  /** The open shard whose range holds `hashKey`, or undefined if none does (a map taken mid-reshard). */
  shardFor(hashKey: bigint): string | undefined {
    let low = 0;
    let high = this.shards.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const shard = this.shards[middle]!;
      if (hashKey < shard.startingHashKey) high = middle - 1;
      else if (hashKey > shard.endingHashKey) low = middle + 1;
      else return shard.ShardId;
    }
    return undefined;
  }
}

/** The stream's open shards, all pages. */
export async function listOpenShards(client: KinesisClient, stream: StreamRef): Promise<ShardRange[]> {
  const ranges: ShardRange[] = [];
  let input: ListShardsCommandInput = { ...stream };
  for (let page = 0; page < listShardsPagesMax; page++) {
    const output = await client.send(new ListShardsCommand(input));
    for (const shard of output.Shards ?? []) {
      if (shard.SequenceNumberRange?.EndingSequenceNumber !== undefined || !shard.ShardId || !shard.HashKeyRange) continue;
      ranges.push({
        ShardId: shard.ShardId,
        startingHashKey: BigInt(shard.HashKeyRange.StartingHashKey ?? "0"),
        endingHashKey: BigInt(shard.HashKeyRange.EndingHashKey ?? "0"),
      });
    }
    // With NextToken, ListShards takes no stream name: the token names the stream.
    if (!output.NextToken) return ranges;
    input = { NextToken: output.NextToken };
  }
  throw new Error(`ListShards returned more than ${listShardsPagesMax} pages`);
}
