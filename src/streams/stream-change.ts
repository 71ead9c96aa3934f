/**
 * The read-modify-write the newer control-plane actions share (UpdateStreamMode,
 * UpdateStreamWarmThroughput, UpdateMaxRecordSize, Enable/DisableEnhancedMonitoring), in AWS's
 * order: the stream exists (ResourceNotFoundException), is ACTIVE (ResourceInUseException), then
 * the action's own checks. Runs inside the registry's per-stream queue, so two concurrent changes
 * never work from the same old copy.
 */
import type { StreamMeta } from "./model.js";
import type { StreamsContext } from "./context.js";
import { streamsErrors } from "./errors.js";
import type { StreamReference } from "./stream-registry.js";
import type { Claim, Usage } from "./quota/account-quota.js";

export interface StreamChange<T> {
  /** The stream to store, or undefined when nothing changes. */
  next: StreamMeta | undefined;
  result: T;
  /** A change of what the stream counts against the account's quotas (quota/account-quota.ts). */
  quota?: QuotaChange;
}

/**
 * What the stream claims with every node, in one compare-and-set, before `next` is written if
 * `check` passes on the account's usage (`during`: never less than the stream counts either way),
 * and what its claim becomes once the write is stored, or is not.
 */
export interface QuotaChange {
  during: Claim;
  stored: Claim;
  notStored: Claim;
  check: (usage: Usage) => void;
}

export async function changeActiveStream<T>(
  context: StreamsContext,
  reference: StreamReference,
  change: (meta: StreamMeta, nowMs: number) => StreamChange<T>,
): Promise<T> {
  const streamName = context.streams.nameOf(reference);
  return context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require(reference);
    if (meta.StreamStatus !== "ACTIVE") throw streamsErrors.streamNotActive(meta.StreamName, context.accountId, meta.StreamStatus);
    const nowMs = context.clock.nowMs();
    const { next, result, quota } = change(meta, nowMs);
    if (next === undefined) return result;
    if (quota === undefined) {
      await context.streams.put(next);
      return result;
    }
    await context.streams.admitQuota(meta.streamId, quota.during, quota.check);
    let stored = false;
    try {
      await context.streams.put(next);
      stored = true;
    } finally {
      await context.streams.releaseQuota(meta.streamId, (claim) => ({ ...claim, ...(stored ? quota.stored : quota.notStored), atMs: nowMs }));
    }
    return result;
  });
}

/** The status a change AWS applies asynchronously leaves the stream in: UPDATING for config.updateStreamMs. */
export function updatingStatus(context: StreamsContext, nowMs: number): Pick<StreamMeta, "StreamStatus" | "statusDueAtMs"> {
  return { StreamStatus: "UPDATING", statusDueAtMs: nowMs + context.config.updateStreamMs };
}
