/**
 * Putting a due reshard into effect, durably and through the stream's write gate (see
 * records/write-gate.ts): the closing shards' endingOffsets are read only once no write can
 * still reach them, and writes resume only once the new shard map is stored.
 *
 * The gate holds only this process's writes. Where several nodes share the engine, each closing
 * shard is first sealed (`ShardLog.seal`, on engines that have it: docs/cluster.md, "Resharding
 * across nodes"): from then on every append to it fails as "closed", on every node, so its end is
 * final when it is read, and the new map is stored by a compare-and-set on the revision the
 * reshard started from. A node that routed by the old map meets the seal and sends the records
 * again to the children (records/closed-shards.ts). Sealing before reading the end is what keeps
 * an acknowledged record from landing past the endingOffset the map records; a reshard whose
 * store then fails leaves the shards sealed and the reshard pending, and the next sweep (or any
 * node's) stores it, sealing again being harmless.
 */
import type { LogStore, ShardLog, WriteOutcome } from "../../storage/types.js";
import { putStreamAt, type StreamsCache } from "../stream-catalog.js";
import type { StreamMeta } from "../model.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { WriteGate } from "../records/write-gate.js";
import { applyReshard, type ShardEnding } from "./plan.js";

export interface TakeEffectDeps {
  /** The catalog as the registry follows it: the stream is read there, and stored only if unchanged since. */
  catalog: StreamsCache;
  logs: LogStore;
  clock: Clock;
  logger: Logger;
}

/** Whether a stored stream has a reshard that should be in effect by `nowMs`. */
export function reshardDue(meta: StreamMeta, nowMs: number): boolean {
  return meta.pendingReshard !== undefined && meta.StreamStatus === "UPDATING" && nowMs >= meta.statusDueAtMs;
}

/**
 * Puts the due reshard of one stream incarnation into effect. The caller runs this inside the
 * stream's exclusive section with `gate` (that incarnation's) closed, and opens it afterwards.
 * A failed catalog write leaves the reshard pending, to be retried.
 */
export async function takeEffect(deps: TakeEffectDeps, accountId: string, streamName: string, streamId: string, gate: WriteGate): Promise<void> {
  const meta = deps.catalog.get(accountId, streamName);
  if (!meta || meta.streamId !== streamId || !reshardDue(meta, deps.clock.nowMs())) return;
  const revision = deps.catalog.revisionOf(accountId, streamName);
  await gate.drained();
  for (const shardIndex of meta.pendingReshard!.closingShardIndexes) {
    const sealed = await sealShard(deps.logs.shard(streamId, shardIndex));
    if (!sealed.ok) {
      deps.logger.error({ failure: sealed.failure, stream: streamName, shardIndex }, "reshard could not seal a closing shard; will retry");
      return;
    }
  }
  const nowMs = deps.clock.nowMs();
  const endings = new Map<number, ShardEnding>();
  for (const shardIndex of meta.pendingReshard!.closingShardIndexes) {
    endings.set(shardIndex, await shardEnding(deps.logs.shard(streamId, shardIndex), nowMs));
  }
  const outcome = await putStreamAt(deps.catalog.catalog, applyReshard(meta, endings, nowMs), revision);
  if (!outcome.ok && "conflict" in outcome) {
    // Another writer came first — on a shared engine, often another node storing this same reshard.
    deps.logger.info({ stream: streamName }, "the stream changed while the reshard took effect; looking again");
  } else if (!outcome.ok) {
    deps.logger.error({ failure: outcome.failure, stream: streamName }, "reshard could not be stored; will retry");
  }
  // Stored: the catalog's watch wakes the closing shards' subscribers (the registry's notifier), which send ChildShards and end.
}

/** Seals a closing shard where the engine can (ShardLog.seal is optional: an engine only one process opens may go without). */
function sealShard(log: ShardLog): Promise<WriteOutcome> {
  return log.seal === undefined ? Promise.resolve({ ok: true }) : log.seal();
}

/**
 * A closing shard's end. SequenceNumberForOrdering can give a record an arrival time a little
 * ahead of the clock; the closing time is never earlier, so EndingSequenceNumber is never below
 * a sequence number the shard handed out.
 */
async function shardEnding(log: ShardLog, nowMs: number): Promise<ShardEnding> {
  const endingOffset = log.endOffset();
  let closedAtMs = nowMs;
  if (endingOffset > log.startOffset()) {
    const last = await log.read(endingOffset - 1, { recordsMax: 1, bytesMax: 1 });
    const record = last.records[0];
    if (record !== undefined) closedAtMs = Math.max(closedAtMs, record.arrivalMs);
  }
  return { endingOffset, closedAtMs };
}
