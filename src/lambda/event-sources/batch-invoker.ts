/**
 * One batch of one shard through the function, with Lambda's error handling for streams:
 * records older than MaximumRecordAgeInSeconds go to OnFailure without an invocation; a failed
 * invocation is split in halves when BisectBatchOnFunctionError is on (splitting uses no retry),
 * otherwise retried until MaximumRetryAttempts and then discarded to OnFailure;
 * ReportBatchItemFailures finishes the records before the lowest failed sequence number and
 * retries from it (an invalid answer fails the whole batch); a throttled invocation or a missing
 * function is retried with backoff and counts as no attempt. Segments finish in order, each
 * reported through `finished` so that the caller can checkpoint.
 */
import type { StreamRecordView } from "../../storage/stream-access.js";
import { randomUUIDFrom } from "../../util/uuid.js";
import type { InvokeResult, ResolvedFunction } from "../model.js";
import type { EngineDeps } from "./engine-deps.js";
import { KinesisEventWriter, type WindowMembers } from "./kinesis-event.js";
import { processingFailed, processingOk, type MappingRecord } from "./mapping.js";
import { deliverOnFailure, type DiscardCondition } from "./on-failure.js";

export interface BatchScope {
  deps: EngineDeps;
  mapping: MappingRecord;
  shardId: string;
  /** The stream's ARN (OnFailure's streamArn); the mapping's EventSourceArn may be a consumer's. */
  streamArn: string;
  signal: AbortSignal;
  /** LastProcessingResult changes. */
  report(result: string): void;
  /** A prefix of the batch is finished (processed or discarded): it may be checkpointed. */
  finished(records: readonly StreamRecordView[]): void;
}

/** A tumbling window's members for the invocation; the function's answer carries the next state. */
export interface WindowInput {
  startMs: number;
  endMs: number;
  state: Record<string, unknown>;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

interface Segment {
  records: readonly StreamRecordView[];
  attempts: number;
  /** A tumbling window's final invocation: invoked (and retried) with no records. */
  final?: boolean;
}

const writers = new WeakMap<ResolvedFunction, Map<string, KinesisEventWriter>>();

function writerFor(scope: BatchScope, fn: ResolvedFunction): KinesisEventWriter {
  let byShard = writers.get(fn);
  if (byShard === undefined) writers.set(fn, (byShard = new Map()));
  const key = `${scope.shardId}\u0000${scope.mapping.EventSourceArn}`;
  let writer = byShard.get(key);
  if (writer === undefined) {
    writer = new KinesisEventWriter({ shardId: scope.shardId, eventSourceArn: scope.mapping.EventSourceArn, region: scope.mapping.region, roleArn: fn.role });
    byShard.set(key, writer);
  }
  return writer;
}

function retryDelayMs(scope: BatchScope, attempt: number): number {
  const { retryDelayMs: base, retryDelayMsMax } = scope.deps.tuning;
  return Math.min(retryDelayMsMax, base * 2 ** Math.max(0, attempt - 1));
}

/** The function, waiting (with backoff, as no attempt) while it does not exist. */
async function resolveFunction(scope: BatchScope): Promise<ResolvedFunction> {
  for (let wait = 1; ; wait += 1) {
    const fn = await scope.deps.functions.resolve(scope.mapping.accountId, scope.mapping.FunctionArn);
    if (fn !== undefined) return fn;
    scope.report(processingFailed);
    await scope.deps.clock.sleep(retryDelayMs(scope, wait), { signal: scope.signal });
  }
}

/** Invokes until the answer is not a throttle. */
async function invokeUnthrottled(scope: BatchScope, fn: ResolvedFunction, payload: Buffer): Promise<Extract<InvokeResult, { kind: "completed" }>> {
  for (let throttles = 1; ; throttles += 1) {
    const result = await scope.deps.executor.invoke(fn, { payload, requestId: randomUUIDFrom(scope.deps.random) });
    if (result.kind === "completed") return result;
    await scope.deps.clock.sleep(retryDelayMs(scope, throttles), { signal: scope.signal });
  }
}

/**
 * ReportBatchItemFailures' answer: the index of the lowest failed record, -1 for none, or
 * undefined for an answer Lambda treats as a failure of the whole batch.
 */
export function lowestFailedIndex(payload: Buffer, records: readonly StreamRecordView[]): number | undefined {
  if (payload.length === 0) return -1;
  let answer: unknown;
  try {
    answer = JSON.parse(payload.toString("utf8"));
  } catch {
    return -1;
  }
  if (answer === null || typeof answer !== "object" || Array.isArray(answer)) return -1;
  const failures = (answer as Record<string, unknown>).batchItemFailures;
  if (failures === undefined || failures === null) return -1;
  if (!Array.isArray(failures)) return undefined;
  let lowest = -1;
  for (const failure of failures) {
    const id = failure !== null && typeof failure === "object" ? (failure as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof id !== "string" || id === "") return undefined;
    const index = records.findIndex((record) => record.sequenceNumber === id);
    if (index < 0) return undefined;
    if (lowest < 0 || index < lowest) lowest = index;
  }
  return lowest;
}

function windowState(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const answer: unknown = JSON.parse(payload.toString("utf8"));
    const state = answer !== null && typeof answer === "object" ? (answer as Record<string, unknown>).state : undefined;
    return state !== null && typeof state === "object" && !Array.isArray(state) ? (state as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function discard(scope: BatchScope, records: readonly StreamRecordView[], condition: DiscardCondition, attempts: number, payload: Buffer, response?: Extract<InvokeResult, { kind: "completed" }>): Promise<void> {
  if (records.length === 0) return;
  await deliverOnFailure(scope.deps, scope.mapping.OnFailureDestination, {
    uuid: scope.mapping.UUID,
    functionArn: scope.mapping.FunctionArn,
    streamArn: scope.streamArn,
    shardId: scope.shardId,
    records,
    condition,
    approximateInvokeCount: attempts,
    ...(response === undefined ? {} : { response: { statusCode: 200, executedVersion: response.executedVersion, ...(response.functionError === undefined ? {} : { functionError: response.functionError }) } }),
    payload,
  });
  scope.finished(records);
}

/** Splits off the records past MaximumRecordAgeInSeconds (a prefix: records arrive in order). */
function expiredPrefix(scope: BatchScope, records: readonly StreamRecordView[]): number {
  const ageSeconds = scope.mapping.MaximumRecordAgeInSeconds;
  if (ageSeconds < 0) return 0;
  const oldestMs = scope.deps.clock.nowMs() - ageSeconds * 1000;
  let count = 0;
  while (count < records.length && records[count]!.approximateArrivalTimestampMs < oldestMs) count += 1;
  return count;
}

/** Runs the batch to its end; answers the tumbling window's state after it (when `window` is given). */
export async function processBatch(scope: BatchScope, records: readonly StreamRecordView[], window?: WindowInput): Promise<Record<string, unknown> | undefined> {
  const { mapping } = scope;
  const reportsItems = mapping.FunctionResponseTypes.includes("ReportBatchItemFailures");
  let state = window?.state;
  const pending: Segment[] = [{ records, attempts: 0, final: window?.isFinalInvokeForWindow === true }];
  while (pending.length > 0) {
    const segment = pending.shift()!;
    const fn = await resolveFunction(scope);
    const writer = writerFor(scope, fn);
    const expired = expiredPrefix(scope, segment.records);
    if (expired > 0) {
      const old = segment.records.slice(0, expired);
      await discard(scope, old, "RecordAgeExceeded", segment.attempts, writer.eventBytes(old));
      segment.records = segment.records.slice(expired);
    }
    if (segment.records.length === 0 && segment.final !== true) continue;
    const members: WindowMembers | undefined =
      window === undefined ? undefined : { ...window, state: state ?? {}, shardId: scope.shardId, eventSourceArn: mapping.EventSourceArn };
    const payload = writer.eventBytes(segment.records, members);
    const last = segment.records[segment.records.length - 1];
    if (last !== undefined) scope.deps.metrics?.iteratorAge(fn, last.approximateArrivalTimestampMs, scope.deps.clock.nowMs());
    const result = await invokeUnthrottled(scope, fn, payload);
    segment.attempts += 1;
    let failedFrom = result.functionError === undefined ? -1 : 0;
    if (failedFrom < 0 && reportsItems) failedFrom = lowestFailedIndex(result.payload, segment.records) ?? 0;
    if (failedFrom < 0 && window !== undefined) {
      // With tumbling windows the answer must carry `state`: Lambda counts one without it as a failed invocation.
      const next = windowState(result.payload);
      if (next === undefined) failedFrom = 0;
      else state = next;
    }
    if (failedFrom < 0) {
      scope.report(processingOk);
      scope.finished(segment.records);
      continue;
    }
    scope.report(processingFailed);
    if (failedFrom > 0) {
      // The records before the lowest failed one are done; the rest is retried from it.
      scope.finished(segment.records.slice(0, failedFrom));
      segment.records = segment.records.slice(failedFrom);
    }
    if (mapping.BisectBatchOnFunctionError && segment.records.length > 1) {
      const half = Math.ceil(segment.records.length / 2);
      pending.unshift({ records: segment.records.slice(0, half), attempts: 0 }, { records: segment.records.slice(half), attempts: 0 });
      continue;
    }
    if (mapping.MaximumRetryAttempts < 0 || segment.attempts <= mapping.MaximumRetryAttempts) {
      await scope.deps.clock.sleep(retryDelayMs(scope, segment.attempts), { signal: scope.signal });
      pending.unshift(segment);
      continue;
    }
    await discard(scope, segment.records, "RetryAttemptsExhausted", segment.attempts, writer.eventBytes(segment.records, members), result);
  }
  return state;
}
