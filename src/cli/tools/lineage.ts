/**
 * Reading a stream's shards in lineage order, as the KCL does: a shard is read only once its
 * parents (ParentShardId and, after a merge, AdjacentParentShardId) are done, so the records of a
 * partition key come out parent before child across a SplitShard or MergeShards. A parent no
 * longer listed (past the retention period) counts as done. When a shard ends, the shard list is
 * read again and its children start as soon as every parent of theirs is done.
 *
 * The reading itself is the caller's (`read`): it resolves "ended" at the shard's end (its
 * children may start), "caught-up" when it stopped at the tip of an open shard (an export's
 * snapshot), "stopped" when it was cut short; a rejection stops every other shard and rejects.
 */
import type { Shard } from "@aws-sdk/client-kinesis";

export type ShardOutcome = "ended" | "caught-up" | "stopped";

export interface LineageOptions {
  listShards(): Promise<Shard[]>;
  /** Shards taken as done without reading them (finished in an earlier run; closed ones when starting at LATEST). `initial`: listed at the start. */
  skip?(shard: Shard, initial: boolean): boolean;
  /** Reads one shard; `signal` aborts when the walk stops (the caller's signal, or another shard's failure). */
  read(shard: Shard, initial: boolean, signal: AbortSignal): Promise<ShardOutcome>;
  /** At most this many shards read at once (default: all that are ready; an open shard's tail never finishes). */
  concurrencyMax?: number;
  /** Once aborted, no further shard starts; the walk ends when the running reads return. */
  signal?: AbortSignal;
}

export async function followLineage(options: LineageOptions): Promise<void> {
  const known = new Map<string, { shard: Shard; initial: boolean }>();
  const done = new Set<string>();
  const running = new Map<string, Promise<{ shardId: string; outcome: ShardOutcome }>>();
  const concurrencyMax = options.concurrencyMax ?? Infinity;
  let failure: { error: unknown } | undefined;
  const stop = new AbortController();
  const fail = (error: unknown) => {
    failure ??= { error };
    stop.abort();
  };
  if (options.signal?.aborted) stop.abort();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });

  const learn = (shards: Shard[], initial: boolean) => {
    for (const shard of shards) {
      if (shard.ShardId === undefined || known.has(shard.ShardId)) continue;
      known.set(shard.ShardId, { shard, initial });
      if (options.skip?.(shard, initial)) done.add(shard.ShardId);
    }
  };
  const ready = (shard: Shard) => [shard.ParentShardId, shard.AdjacentParentShardId].every((parent) => parent === undefined || !known.has(parent) || done.has(parent));

  learn(await options.listShards(), true);
  for (;;) {
    if (!stop.signal.aborted) {
      for (const [shardId, { shard, initial }] of known) {
        if (running.size >= concurrencyMax) break;
        if (done.has(shardId) || running.has(shardId) || !ready(shard)) continue;
        running.set(
          shardId,
          options.read(shard, initial, stop.signal).then(
            (outcome) => ({ shardId, outcome }),
            (error: unknown) => {
              fail(error);
              return { shardId, outcome: "stopped" as const };
            },
          ),
        );
      }
    }
    if (running.size === 0) break;
    const { shardId, outcome } = await Promise.race(running.values());
    running.delete(shardId);
    if (outcome === "stopped") continue;
    done.add(shardId);
    if (outcome === "ended" && !stop.signal.aborted) {
      try {
        learn(await options.listShards(), false);
      } catch (error) {
        fail(error);
      }
    }
  }
  if (failure !== undefined) throw failure.error;
}
