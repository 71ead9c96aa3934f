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

export interface StreamChange<T> {
  /** The stream to store, or undefined when nothing changes. */
  next: StreamMeta | undefined;
  result: T;
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
    const { next, result } = change(meta, context.clock.nowMs());
    if (next) await context.streams.put(next);
    return result;
  });
}

/** The status a change AWS applies asynchronously leaves the stream in: UPDATING for config.updateStreamMs. */
export function updatingStatus(context: StreamsContext, nowMs: number): Pick<StreamMeta, "StreamStatus" | "statusDueAtMs"> {
  return { StreamStatus: "UPDATING", statusDueAtMs: nowMs + context.config.updateStreamMs };
}
