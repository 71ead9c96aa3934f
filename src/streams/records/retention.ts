/**
 * Retention: records older than the stream's RetentionPeriodHours are never returned. Readers
 * start no earlier than the first record inside the retention window (engines may keep older
 * records until they can drop whole segments), and reads ask the log to trim, at most once a
 * minute per shard, so engines can release space.
 */
import type { LogStore, ShardLog } from "../../storage/types.js";
import type { StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";

const hourMs = 60 * 60 * 1000;
/** How often one shard is asked to trim. */
export const trimIntervalMs = 60 * 1000;
/** Bound on remembered trim times per store; forgetting only means an early extra trim. */
const trimEntriesMax = 100_000;

/** Records that arrived before this time are outside the retention window. */
export function retentionCutoffMs(meta: StreamMeta, nowMs: number): number {
  return nowMs - meta.RetentionPeriodHours * hourMs;
}

/** The first offset a reader may see: the first retained record that arrived inside the window. */
export async function retainedStartOffset(log: ShardLog, cutoffMs: number): Promise<number> {
  return Math.max(log.startOffset(), await log.offsetAtTime(cutoffMs));
}

const lastTrimByStore = new WeakMap<LogStore, Map<string, number>>();

/** Asks the shard's log to drop records outside the window, unless it was asked within the last minute. */
export async function trimIfDue(context: StreamsContext, meta: StreamMeta, shardIndex: number, log: ShardLog, nowMs: number): Promise<void> {
  let lastTrims = lastTrimByStore.get(context.logs);
  if (!lastTrims) {
    lastTrims = new Map();
    lastTrimByStore.set(context.logs, lastTrims);
  }
  const key = `${meta.streamId}/${shardIndex}`;
  const lastMs = lastTrims.get(key);
  if (lastMs !== undefined && nowMs - lastMs < trimIntervalMs && nowMs >= lastMs) return;
  if (lastTrims.size >= trimEntriesMax) lastTrims.clear();
  lastTrims.set(key, nowMs);
  try {
    await log.trimBefore(retentionCutoffMs(meta, nowMs));
  } catch (error) {
    // Trimming only releases space; readers filter by the window anyway, so a failed trim waits for the next one.
    context.logger.warn({ err: error, stream: meta.StreamName, shardIndex }, "trim failed");
  }
}
