/**
 * Chooses the next PutRecords batch from the buffered records, oldest first, within every bound
 * at once: entries and bytes per call, each shard's write budget, retry backoff and — in ordered
 * mode — one entry per partition key, none for a key already in flight or waiting for an earlier
 * record's retry. With aggregation, records for the same predicted shard share KPL aggregates.
 * Pure apart from charging the shard budgets for what it takes.
 */
import { AggregateBuilder, type KinesisRecordEntry, type UserRecordInput } from "../kpl/aggregate.js";
import type { ShardBudget } from "./rate-limiter.js";

/** A record the producer has accepted and not yet settled. */
export interface Pending {
  /** Acceptance order; the buffer is kept sorted by it, so retries go back to their place. */
  seq: number;
  entry: UserRecordInput;
  sizeBytes: number;
  hashKey: bigint;
  /** When the record should go even if its batch is not full: acceptance + linger, or its retry time. */
  dueMs: number;
  /** Not before this time (retry backoff); 0 for a record not yet tried. */
  notBeforeMs: number;
  attempts: number;
  resolve(result: PutResult): void;
  reject(error: Error): void;
}

/** How a record was written. */
export interface PutResult {
  SequenceNumber: string;
  ShardId: string;
  /** The record's place in the KPL aggregate that carried it; absent when it went on its own. */
  SubSequenceNumber?: number;
  /** How many times it was sent. */
  attempts: number;
}

export interface BatchEntry {
  entry: KinesisRecordEntry;
  members: Pending[];
  predictedShardId: string | undefined;
  aggregated: boolean;
}

export interface SelectionLimits {
  batchRecordsMax: number;
  batchBytesMax: number;
  aggregate: boolean;
  aggregationBytesMax: number;
  ordered: boolean;
}

export interface SelectionContext {
  nowMs: number;
  limits: SelectionLimits;
  keysInFlight: ReadonlyMap<string, number>;
  shardFor(hashKey: bigint): string | undefined;
  budgetFor(shardId: string): ShardBudget | undefined;
}

export interface Selection {
  entries: BatchEntry[];
  /** The records left in the buffer, still in acceptance order. */
  remaining: Pending[];
  /** When a skipped record may become sendable (backoff or budget), or Infinity. */
  wakeAtMs: number;
  /** The earliest dueMs among the remaining records, or Infinity. */
  earliestDueMs: number;
}

interface Draft {
  members: Pending[];
  predictedShardId: string | undefined;
  builder: AggregateBuilder | undefined;
  sizeBytes: number;
}

export function selectBatch(queue: readonly Pending[], context: SelectionContext): Selection {
  const { nowMs, limits } = context;
  const drafts: Draft[] = [];
  const remaining: Pending[] = [];
  const blockedKeys = new Set<string>();
  const entryOfKey = new Map<string, Draft>();
  const openAggregates = new Map<string, Draft>();
  let requestBytes = 0;
  let full = false;
  let wakeAtMs = Infinity;
  let earliestDueMs = Infinity;

  const skip = (pending: Pending, blockKey: boolean, wakeMs = Infinity): void => {
    remaining.push(pending);
    earliestDueMs = Math.min(earliestDueMs, pending.dueMs);
    wakeAtMs = Math.min(wakeAtMs, wakeMs);
    if (blockKey && limits.ordered) blockedKeys.add(pending.entry.PartitionKey);
  };

  for (const pending of queue) {
    const key = pending.entry.PartitionKey;
    if (full) {
      skip(pending, false);
      continue;
    }
    if (pending.notBeforeMs > nowMs) {
      skip(pending, true, pending.notBeforeMs);
      continue;
    }
    if (limits.ordered && (blockedKeys.has(key) || context.keysInFlight.has(key))) {
      skip(pending, true);
      continue;
    }
    const shardId = context.shardFor(pending.hashKey);
    const budget = shardId === undefined ? undefined : context.budgetFor(shardId);
    const keyDraft = limits.ordered ? entryOfKey.get(key) : undefined;

    if (limits.aggregate) {
      const group = shardId ?? "";
      const open = openAggregates.get(group);
      if (open !== undefined && (keyDraft === undefined || keyDraft === open)) {
        const builder = open.builder!;
        const newSizeBytes = builder.sizeBytesWith(pending.entry);
        const growthBytes = newSizeBytes - open.sizeBytes;
        if (newSizeBytes <= limits.aggregationBytesMax) {
          if (requestBytes + growthBytes > limits.batchBytesMax) {
            full = true;
            skip(pending, false);
            continue;
          }
          if (budget !== undefined && !budget.canTake(0, growthBytes, nowMs)) {
            skip(pending, true, nowMs + budget.msUntil(0, growthBytes, nowMs));
            continue;
          }
          builder.tryAdd(pending.entry);
          budget?.take(0, growthBytes, nowMs);
          open.sizeBytes = newSizeBytes;
          open.members.push(pending);
          requestBytes += growthBytes;
          entryOfKey.set(key, open);
          continue;
        }
        // Too big for this aggregate: the record starts the next one (which replaces it as the
        // group's open aggregate), unless it is skipped — then smaller records may still join.
      }
    }

    if (keyDraft !== undefined) {
      // Ordered: the key already has an entry in this batch, and entries of one call can fail independently.
      skip(pending, true);
      continue;
    }
    if (drafts.length >= limits.batchRecordsMax || requestBytes + pending.sizeBytes > limits.batchBytesMax) {
      full = true;
      skip(pending, false);
      continue;
    }
    if (budget !== undefined && !budget.canTake(1, pending.sizeBytes, nowMs)) {
      skip(pending, true, nowMs + budget.msUntil(1, pending.sizeBytes, nowMs));
      continue;
    }
    budget?.take(1, pending.sizeBytes, nowMs);
    const draft: Draft = { members: [pending], predictedShardId: shardId, builder: undefined, sizeBytes: pending.sizeBytes };
    // A record too big for an aggregate (aggregationBytesMax below the record limit) goes on its own.
    if (limits.aggregate && pending.sizeBytes <= limits.aggregationBytesMax) {
      draft.builder = new AggregateBuilder(limits.aggregationBytesMax);
      draft.builder.tryAdd(pending.entry);
      openAggregates.set(shardId ?? "", draft);
    }
    drafts.push(draft);
    requestBytes += pending.sizeBytes;
    entryOfKey.set(key, draft);
  }

  const entries = drafts.map((draft): BatchEntry => ({
    entry: draft.builder === undefined ? draft.members[0]!.entry : draft.builder.build(),
    members: draft.members,
    predictedShardId: draft.predictedShardId,
    aggregated: draft.members.length > 1,
  }));
  return { entries, remaining, wakeAtMs, earliestDueMs };
}
