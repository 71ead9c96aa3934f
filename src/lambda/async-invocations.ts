/**
 * Asynchronous invocations (Invoke with InvocationType Event, and InvokeAsync): each event is kept
 * durably in the service table `async-invocations` of its account before the 202 answers, then run
 * in the background. As on Lambda, a run whose function errs is tried twice more, one minute and
 * then two minutes later; a throttled run waits and tries again (backing off up to five minutes)
 * until the event is six hours old (MaximumEventAgeInSeconds' default). An event leaves the table
 * when it ran, failed for good, or its function is gone. Events survive a restart: `start` runs
 * what the table holds. At most `runningMax` run at once; the rest wait their turn.
 *
 * Where several nodes share the engine, an account's events are run by the one node holding the
 * account's work lease (src/storage/work-leases.ts, service `lambda-async`): a node queues an
 * event durably and runs it itself only if it holds the lease (one node always does, at once);
 * the holder looks for events other nodes queued at every renewal, and a dead holder's events are
 * run by the node that takes its lease over (at least once, as Lambda's asynchronous events are).
 */
import type { TableStore } from "../storage/types.js";
import type { Clock, Timer } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Executor, FunctionResolver } from "./model.js";
import type { ServiceTables } from "./service-tables.js";
import type { LambdaMetrics } from "./metrics.js";
import type { Random } from "../util/random.js";
import { WorkLeases, type WorkLeaseTuning } from "../storage/work-leases.js";

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
  /** The accounts' work leases (src/storage/work-leases.ts); without them every event runs where it was queued. */
  leases?: { random: Random; processLocal: boolean; tuning?: Partial<WorkLeaseTuning> };
}

export class AsyncInvocations {
  private readonly timers = new Set<Timer>();
  /** The event each timer runs (forget drops an account's). */
  private readonly timerEvents = new Map<Timer, Queued>();
  private readonly waiting: Queued[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** Events scheduled, waiting or running here, by `<accountId>/<key>`: a look at the table skips them. */
  private readonly known = new Set<string>();
  private readonly leases: WorkLeases | undefined;

  constructor(private readonly deps: AsyncInvocationsDeps) {
    const leases = deps.leases;
    this.leases =
      leases === undefined || !deps.functionsEnabled
        ? undefined
        : new WorkLeases(
            { tables: deps.tables, clock: deps.clock, random: leases.random, logger: deps.logger, service: "lambda-async", processLocal: leases.processLocal, ...(leases.tuning !== undefined && { tuning: leases.tuning }) },
            {
              changed: (accountId) => void this.look(accountId).catch((error: unknown) => this.deps.logger.warn({ err: error }, "asynchronous invocations: the queue could not be read")),
              stop: async (accountId) => this.forget(accountId),
            },
          );
  }

  /** Runs the events stored before a restart (of the accounts whose lease this node holds). */
  async start(): Promise<void> {
    if (!this.deps.functionsEnabled) return;
    await this.leases?.start();
    for (const accountId of await this.deps.serviceTables.accountsWith(asyncTableName)) await this.look(accountId);
  }

  /** Keeps the event durably, then runs it in the background (here if this node runs the account's events). */
  async enqueue(accountId: string, event: AsyncEvent): Promise<void> {
    const key = `${String(event.enqueuedMs).padStart(15, "0")}-${event.requestId}`;
    const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
    const outcome = await this.deps.tables.putItem(tableId, { key, value: JSON.stringify(event) });
    if (!outcome.ok) throw new Error(`cannot queue an asynchronous invocation: ${outcome.failure.message}`, { cause: outcome.failure.cause });
    this.deps.metrics?.asyncEvent(accountId, event.functionName, "received");
    if (!this.deps.functionsEnabled) return;
    if (this.leases !== undefined && (this.leases.held(accountId) ?? (await this.leases.acquire(accountId))) === undefined) return;
    if (!this.known.has(`${accountId}/${key}`)) this.schedule({ accountId, key, event });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) this.deps.clock.clearTimer(timer);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
    await this.leases?.stop();
  }

  /** Schedules the account's stored events not yet scheduled here, if this node runs them; forgets them if it no longer does. */
  private async look(accountId: string): Promise<void> {
    if (this.stopped) return;
    if (this.leases !== undefined && (this.leases.held(accountId) ?? (await this.leases.acquire(accountId))) === undefined) return this.forget(accountId);
    const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.tables.scan(tableId, after, 1000);
      for (const entry of page) if (!this.known.has(`${accountId}/${entry.key}`)) this.schedule({ accountId, key: entry.key, event: JSON.parse(entry.value) as AsyncEvent });
      if (page.length < 1000) break;
      after = page[page.length - 1]!.key;
    }
  }

  /** Drops the account's events scheduled or waiting here (another node runs them now); running ones finish. */
  private forget(accountId: string): void {
    for (let index = this.waiting.length - 1; index >= 0; index--) {
      const queued = this.waiting[index]!;
      if (queued.accountId !== accountId) continue;
      this.waiting.splice(index, 1);
      this.known.delete(`${accountId}/${queued.key}`);
    }
    for (const [timer, queued] of this.timerEvents) {
      if (queued.accountId !== accountId) continue;
      this.deps.clock.clearTimer(timer);
      this.timers.delete(timer);
      this.timerEvents.delete(timer);
      this.known.delete(`${accountId}/${queued.key}`);
    }
  }

  private schedule(queued: Queued): void {
    if (this.stopped) return;
    // A retry of an event whose account another node took over meanwhile: that node's look finds it.
    if (this.leases !== undefined && this.leases.held(queued.accountId) === undefined) return void this.known.delete(`${queued.accountId}/${queued.key}`);
    this.known.add(`${queued.accountId}/${queued.key}`);
    const delayMs = queued.event.notBeforeMs - this.deps.clock.nowMs();
    if (delayMs <= 0) {
      this.admit(queued);
      return;
    }
    const timer = this.deps.clock.setTimeout(
      () => {
        this.timers.delete(timer);
        this.timerEvents.delete(timer);
        this.admit(queued);
      },
      delayMs,
      { unref: true },
    );
    this.timers.add(timer);
    this.timerEvents.set(timer, queued);
  }

  private admit(queued: Queued): void {
    if (this.stopped) return;
    // The account's lease went (this node cut off, or another took over): its holder runs the event.
    if (this.leases !== undefined && this.leases.held(queued.accountId) === undefined) return void this.known.delete(`${queued.accountId}/${queued.key}`);
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
    this.known.delete(`${accountId}/${key}`);
    const tableId = await this.deps.serviceTables.tableId(accountId, asyncTableName);
    await this.deps.tables.deleteItem(tableId, key);
  }
}
