/**
 * Retry helpers for the fetchers: which failures are worth another call, bounded jittered backoff,
 * and a sleep that close() can cut short.
 */
import { ListShardsCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import { jitteredBackoffMs } from "../../retry.js";
import type { Random } from "../../../util/random.js";
import type { Clock, Timer } from "../../../util/clock.js";


/** Backoff after a throttled or failed call: full jitter over 100 ms × 2^(attempt−1), at most 5 s. */
export const retryBackoffMsBase = 100;
export const retryBackoffMsMax = 5000;

export function backoffMs(attempt: number, random: Random): number {
  return jitteredBackoffMs(attempt, random, retryBackoffMsBase, retryBackoffMsMax);
}

/** Sleeps on the injected clock; `cancel` (from close()) ends every pending sleep at once. */
export class Sleeper {
  private readonly pending = new Map<Timer, () => void>();

  constructor(private readonly clock: Clock) {}

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        this.pending.delete(handle);
        resolve();
      }, delayMs);
      this.pending.set(handle, resolve);
    });
  }

  cancel(): void {
    for (const [handle, resolve] of this.pending) {
      this.clock.clearTimer(handle);
      resolve();
    }
    this.pending.clear();
  }
}

/** The shards whose parent (or adjacent parent, after a merge) is `shardId`, by ListShards, every page. */
export async function childShardsFromListShards(
  kinesis: KinesisClient,
  stream: { StreamName?: string; StreamARN?: string },
  shardId: string,
  abortSignal?: AbortSignal,
): Promise<string[]> {
  const children: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(
      new ListShardsCommand(nextToken !== undefined ? { NextToken: nextToken } : { ...stream }),
      abortSignal !== undefined ? { abortSignal } : {},
    );
    for (const shard of page.Shards ?? []) {
      if (shard.ShardId !== undefined && (shard.ParentShardId === shardId || shard.AdjacentParentShardId === shardId)) children.push(shard.ShardId);
    }
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  return children.sort();
}
