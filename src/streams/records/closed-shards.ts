/**
 * Writes that met a sealed shard (the append's failure kind "closed"): another node's reshard
 * sealed the shard after this node routed the write by its own copy of the shard map
 * (docs/cluster.md, "Resharding across nodes"). Nothing of that append was stored. The write waits
 * until this node's copy of the catalog shows the shard closed — the reshard stores the new map
 * right after its seal, and the catalog's watch brings it — and then routes the records again, to
 * the children. Bounded: a shard that stays sealed but open past `closedWaitMsMax` (a reshard that
 * could not be stored) fails the records as InternalFailure, which clients retry.
 */
import type { StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import type { StreamReference } from "../stream-registry.js";
import type { AppendOutcome } from "../../storage/types.js";
import { Waker } from "../subscriptions/index.js";

/** How long a write waits for the catalog to show a sealed shard closed. */
export const closedWaitMsMax = 10_000;
/** How many times a write goes again after meeting a sealed shard (reshards back to back). */
export const rerouteAttemptsMax = 5;

/** Whether an append failed because its shard was sealed by a reshard. */
export function metClosedShard(outcome: AppendOutcome): boolean {
  return !outcome.ok && outcome.failure.kind === "closed";
}

/**
 * The stream once this node's copy shows every one of `shardIndexes` closed (they have an
 * endingOffset), or undefined if the stream went (deleted, re-created) or the wait ran out.
 */
export async function streamAfterClose(context: StreamsContext, reference: StreamReference, streamId: string, shardIndexes: readonly number[]): Promise<StreamMeta | undefined> {
  const waker = new Waker();
  const unwatch = shardIndexes.map((shardIndex) => context.streams.shardNotifier.watch(streamId, shardIndex, waker));
  let timedOut = false;
  const timer = context.clock.setTimeout(
    () => {
      timedOut = true;
      waker.wake();
    },
    closedWaitMsMax,
    { unref: true },
  );
  try {
    for (;;) {
      waker.clear();
      let meta: StreamMeta;
      try {
        // Starts a due reshard here too (its seal is idempotent; its store meets the other node's as a conflict).
        meta = await context.streams.requireCurrent(reference);
      } catch {
        return undefined;
      }
      if (meta.streamId !== streamId || (meta.StreamStatus !== "ACTIVE" && meta.StreamStatus !== "UPDATING")) return undefined;
      if (shardIndexes.every((shardIndex) => meta.shards.some((shard) => shard.shardIndex === shardIndex && shard.endingOffset !== undefined))) return meta;
      if (timedOut) return undefined;
      await waker.wait();
    }
  } finally {
    context.clock.clearTimer(timer);
    for (const stop of unwatch) stop();
  }
}
