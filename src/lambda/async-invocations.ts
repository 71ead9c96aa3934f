/**
 * Asynchronous invocations (Invoke with InvocationType Event, and InvokeAsync): each event is kept
 * durably in the service table `async-invocations` of its account before the 202 answers, then run
 * in the background. As on Lambda, a run whose function errs is tried twice more, one minute and
 * then two minutes later; a throttled run waits and tries again (backing off up to five minutes)
 * until the event is six hours old (MaximumEventAgeInSeconds' default). An event leaves the table
 * when it ran, failed for good, or its function is gone. Events survive a restart: `start` runs
 * what the table holds. At most `runningMax` run at once; the rest wait their turn.
 */
import type { TableStore } from "../storage/types.js";
import type { Clock, Timer } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Executor, FunctionResolver } from "./model.js";
import type { ServiceTables } from "./service-tables.js";
import type { LambdaMetrics } from "./metrics.js";

export const asyncTableName = "async-invocations";
export const retryAttemptsMax = 2;
const retryDelaysMs = [60_000, 120_000];
const throttleDelayMsMax = 5 * 60_000;
export const eventAgeMsMax = 6 * 60 * 60_000;
const runningMax = 16;

export interface AsyncEvent {
  readonly requestId: string;
  /** The function as Invoke named it (name or ARN) and its qualifier. */
  readonly functionName: string;
  readonly qualifier?: string;
  readonly payloadBase64: string;
  readonly enqueuedMs: number;
  /** Runs that failed so far (errors, not throttles). */
  readonly failures: number;
  readonly throttles: number;
  readonly notBeforeMs: number;
}

interface Queued {
  accountId: string;
  key: string;
  event: AsyncEvent;
}

export interface AsyncInvocationsDeps {
  tables: TableStore;
  serviceTables: ServiceTables;
  clock: Clock;
  logger: Logger;
  functions: FunctionResolver;
  executor: Executor;
  functionsEnabled: boolean;
  /** AsyncEventsReceived, AsyncEventAge and AsyncEventsDropped (metrics.ts). */
  metrics?: LambdaMetrics;
}

export class AsyncInvocations {
  private readonly timers = new Set<Timer>();
  private readonly waiting: Queued[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: AsyncInvocationsDeps) {}

  /** Runs the events stored before a restart. */
  async start(): Promise<void> {
    if (!this.deps.functionsEnabled) return;
    for (const accountId of await this.deps.serviceTables.accountsWith(asyncTableName)) {
      const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
      let after: string | undefined;
      for (;;) {
        const page = await this.deps.tables.scan(tableId, after, 1000);
        for (const entry of page) this.schedule({ accountId, key: entry.key, event: JSON.parse(entry.value) as AsyncEvent });
        if (page.length < 1000) break;
        after = page[page.length - 1]!.key;
      }
    }
  }

  /** Keeps the event durably, then runs it in the background. */
  async enqueue(accountId: string, event: AsyncEvent): Promise<void> {
    const key = `${String(event.enqueuedMs).padStart(15, "0")}-${event.requestId}`;
    const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
    const outcome = await this.deps.tables.putItem(tableId, { key, value: JSON.stringify(event) });
    if (!outcome.ok) throw new Error(`cannot queue an asynchronous invocation: ${outcome.failure.message}`, { cause: outcome.failure.cause });
    this.deps.metrics?.asyncEvent(accountId, event.functionName, "received");
    if (this.deps.functionsEnabled) this.schedule({ accountId, key, event });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) this.deps.clock.clearTimer(timer);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  private schedule(queued: Queued): void {
    if (this.stopped) return;
    const delayMs = queued.event.notBeforeMs - this.deps.clock.nowMs();
    if (delayMs <= 0) {
      this.admit(queued);
      return;
    }
    const timer = this.deps.clock.setTimeout(
      () => {
        this.timers.delete(timer);
        this.admit(queued);
      },
      delayMs,
      { unref: true },
    );
    this.timers.add(timer);
  }

  private admit(queued: Queued): void {
    if (this.stopped) return;
    if (this.running.size >= runningMax) {
      this.waiting.push(queued);
      return;
    }
    const run = this.run(queued)
      .catch((error: unknown) => this.deps.logger.error({ err: error, requestId: queued.event.requestId }, "asynchronous invocation failed unexpectedly"))
      .finally(() => {
        this.running.delete(run);
        const next = this.waiting.shift();
        if (next !== undefined) this.admit(next);
      });
    this.running.add(run);
  }

  private async run({ accountId, key, event }: Queued): Promise<void> {
    const fn = await this.deps.functions.resolve(accountId, event.functionName, event.qualifier);
    if (fn === undefined) {
      this.deps.logger.warn({ requestId: event.requestId, functionName: event.functionName }, "asynchronous invocation dropped: the function no longer exists");
      this.deps.metrics?.asyncEvent(accountId, event.functionName, "dropped");
      return this.remove(accountId, key);
    }
    this.deps.metrics?.asyncEventAge(fn, this.deps.clock.nowMs() - event.enqueuedMs);
    const result = await this.deps.executor.invoke(fn, { payload: Buffer.from(event.payloadBase64, "base64"), requestId: event.requestId });
    if (this.stopped) return;
    const nowMs = this.deps.clock.nowMs();
    let next: AsyncEvent | undefined;
    if (result.kind === "throttled") {
      const delayMs = Math.min(throttleDelayMsMax, 1000 * 2 ** Math.min(event.throttles, 10));
      if (nowMs + delayMs - event.enqueuedMs <= eventAgeMsMax) next = { ...event, throttles: event.throttles + 1, notBeforeMs: nowMs + delayMs };
    } else if (result.functionError !== undefined && event.failures < retryAttemptsMax) {
      next = { ...event, failures: event.failures + 1, notBeforeMs: nowMs + retryDelaysMs[event.failures]! };
    }
    if (next === undefined) {
      if (result.kind === "throttled" || result.functionError !== undefined) {
        this.deps.logger.warn({ requestId: event.requestId, functionName: fn.functionName }, "asynchronous invocation failed for good: its retries are spent");
        this.deps.metrics?.asyncEvent(fn.accountId, fn.functionName, "dropped");
      }
      return this.remove(accountId, key);
    }
    const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
    await this.deps.tables.putItem(tableId, { key, value: JSON.stringify(next) });
    this.schedule({ accountId, key, event: next });
  }

  private async remove(accountId: string, key: string): Promise<void> {
    const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
    await this.deps.tables.deleteItem(tableId, key);
  }
}
