/**
 * Lambda's CloudWatch metrics (AWS/Lambda; docs/metrics-reference.md). Every invocation, whoever
 * asked for it (Invoke, an asynchronous event, an event source mapping, Firehose's
 * transformation), passes the Executor, so one decorator of it (`meteredExecutor`) records:
 * - Invocations (1 per run of the function code), Errors (1 or 0 per run: a function error),
 *   Throttles (1 per invocation refused at the concurrency bound, which is no invocation),
 *   Duration (milliseconds on the injected clock, from the executor taking the invocation to its
 *   result) and ConcurrentExecutions (the function's runs in flight as one ends);
 * each with the dimension sets AWS publishes them under: FunctionName; FunctionName and Resource
 * (the name, or `name:qualifier` when the call named a version or alias); FunctionName, Resource
 * and ExecutedVersion for a call through an alias; and none (the account's whole region).
 * UnreservedConcurrentExecutions (no dimension) counts the runs of functions without reserved
 * concurrency.
 * - IteratorAge (milliseconds) for each batch an event source mapping sends: how long ago its last
 *   record reached the stream, by FunctionName and by FunctionName and Resource.
 * - Asynchronous invocation, by FunctionName: AsyncEventsReceived (1 per event queued),
 *   AsyncEventAge (milliseconds, the event's age at each run) and AsyncEventsDropped (1 per event
 *   given up: its retries or its age spent, or its function gone).
 *
 * Every series is the function's account's (CloudWatch is per account): the dimensionless ones
 * and the concurrency counts are per account, as an account's region is its own CloudWatch.
 * Handles are kept per account and function name (and resource), so an invocation costs a few map
 * lookups and additions; under `--metrics off` the executor is returned undecorated.
 */
import type { MetricDimension, MetricSeries, MetricsRecorder, MetricUnit } from "../core/metrics.js";
import { LazySeries as CoreLazySeries } from "../core/metric-handles.js";
import type { Clock } from "../util/clock.js";
import type { Executor, InvokeInput, InvokeResult, ResolvedFunction } from "./model.js";

export const lambdaNamespace = "AWS/Lambda";

/** How many functions' (and resources') handles are kept before a cache starts again. */
export const metricsHandlesMax = 10_000;

/** A series created on its first sample, so ListMetrics lists only what has data. */
class LazySeries extends CoreLazySeries {
  constructor(recorder: MetricsRecorder, AccountId: string, MetricName: string, Dimensions: readonly MetricDimension[], unit: MetricUnit) {
    super(recorder, { Namespace: lambdaNamespace, MetricName, Dimensions, AccountId }, unit);
  }
}

/** The invocation metrics under one dimension set. */
class InvocationSeries {
  readonly Invocations: LazySeries;
  readonly Errors: LazySeries;
  readonly Throttles: LazySeries;
  readonly Duration: LazySeries;
  readonly ConcurrentExecutions: LazySeries;

  constructor(recorder: MetricsRecorder, accountId: string, dimensions: readonly MetricDimension[]) {
    this.Invocations = new LazySeries(recorder, accountId, "Invocations", dimensions, "Count");
    this.Errors = new LazySeries(recorder, accountId, "Errors", dimensions, "Count");
    this.Throttles = new LazySeries(recorder, accountId, "Throttles", dimensions, "Count");
    this.Duration = new LazySeries(recorder, accountId, "Duration", dimensions, "Milliseconds");
    this.ConcurrentExecutions = new LazySeries(recorder, accountId, "ConcurrentExecutions", dimensions, "Count");
  }

  completed(failed: boolean, durationMs: number, concurrent: number | undefined): void {
    this.Invocations.observe(1);
    this.Errors.observe(failed ? 1 : 0);
    this.Duration.observe(durationMs);
    if (concurrent !== undefined) this.ConcurrentExecutions.observe(concurrent);
  }
}

/** A function's handles: by name, by resource, by resource and executed version; its runs in flight. */
class FunctionMetrics {
  readonly byName: InvocationSeries;
  readonly iteratorAge: LazySeries;
  readonly asyncEventsReceived: LazySeries;
  readonly asyncEventAge: LazySeries;
  readonly asyncEventsDropped: LazySeries;
  private readonly resources = new Map<string, { series: InvocationSeries; iteratorAge: LazySeries; executed: Map<string, InvocationSeries> }>();
  inFlight = 0;

  constructor(
    private readonly recorder: MetricsRecorder,
    private readonly accountId: string,
    readonly functionName: string,
  ) {
    const dimensions = [{ Name: "FunctionName", Value: functionName }];
    this.byName = new InvocationSeries(recorder, accountId, dimensions);
    this.iteratorAge = new LazySeries(recorder, accountId, "IteratorAge", dimensions, "Milliseconds");
    this.asyncEventsReceived = new LazySeries(recorder, accountId, "AsyncEventsReceived", dimensions, "Count");
    this.asyncEventAge = new LazySeries(recorder, accountId, "AsyncEventAge", dimensions, "Milliseconds");
    this.asyncEventsDropped = new LazySeries(recorder, accountId, "AsyncEventsDropped", dimensions, "Count");
  }

  resource(resource: string): { series: InvocationSeries; iteratorAge: LazySeries; executed: Map<string, InvocationSeries> } {
    let found = this.resources.get(resource);
    if (found === undefined) {
      if (this.resources.size >= metricsHandlesMax) this.resources.clear();
      const dimensions = [
        { Name: "FunctionName", Value: this.functionName },
        { Name: "Resource", Value: resource },
      ];
      found = { series: new InvocationSeries(this.recorder, this.accountId, dimensions), iteratorAge: new LazySeries(this.recorder, this.accountId, "IteratorAge", dimensions, "Milliseconds"), executed: new Map() };
      this.resources.set(resource, found);
    }
    return found;
  }

  executed(resource: string, version: string): InvocationSeries {
    const executed = this.resource(resource).executed;
    let series = executed.get(version);
    if (series === undefined) {
      series = new InvocationSeries(this.recorder, this.accountId, [
        { Name: "FunctionName", Value: this.functionName },
        { Name: "Resource", Value: resource },
        { Name: "ExecutedVersion", Value: version },
      ]);
      executed.set(version, series);
    }
    return series;
  }
}

/** The qualifier the caller named (`arn:…:function:name:qualifier`), or undefined for an unqualified call. */
function qualifierOf(invokedArn: string): string | undefined {
  const parts = invokedArn.split(":");
  return parts.length > 7 ? parts[7] : undefined;
}

/** An account's dimensionless series (its whole region) and its runs in flight. */
class AccountMetrics {
  readonly all: InvocationSeries;
  readonly unreserved: LazySeries;
  readonly functions = new Map<string, FunctionMetrics>();
  inFlight = 0;
  unreservedInFlight = 0;

  constructor(recorder: MetricsRecorder, accountId: string) {
    this.all = new InvocationSeries(recorder, accountId, []);
    this.unreserved = new LazySeries(recorder, accountId, "UnreservedConcurrentExecutions", [], "Count");
  }
}

export class LambdaMetrics {
  readonly enabled: boolean;
  private readonly accounts = new Map<string, AccountMetrics>();

  constructor(private readonly recorder: MetricsRecorder) {
    this.enabled = recorder.enabled;
  }

  /** Runs `invoke` for `fn`, recording its invocation metrics. */
  async metered(fn: ResolvedFunction, clock: Clock, invoke: () => Promise<InvokeResult>): Promise<InvokeResult> {
    const account = this.account(fn.accountId);
    const metrics = this.of(account, fn.accountId, fn.functionName);
    const qualifier = qualifierOf(fn.invokedArn);
    const resource = qualifier === undefined ? fn.functionName : `${fn.functionName}:${qualifier}`;
    const reserved = fn.reservedConcurrency !== undefined;
    const startMs = clock.nowMs();
    metrics.inFlight++;
    account.inFlight++;
    if (!reserved) account.unreservedInFlight++;
    // Taken as the run ends, counting it: the most that ran at once over its course is at least this.
    let concurrent = 0;
    let accountConcurrent = 0;
    let result: InvokeResult;
    try {
      result = await invoke();
      concurrent = metrics.inFlight;
      accountConcurrent = account.inFlight;
      if (!reserved && result.kind === "completed") account.unreserved.observe(account.unreservedInFlight);
    } finally {
      metrics.inFlight--;
      account.inFlight--;
      if (!reserved) account.unreservedInFlight--;
    }
    const byResource = metrics.resource(resource).series;
    if (result.kind === "throttled") {
      for (const series of [metrics.byName, byResource, account.all]) series.Throttles.observe(1);
      return result;
    }
    const failed = result.functionError !== undefined;
    const durationMs = clock.nowMs() - startMs;
    metrics.byName.completed(failed, durationMs, concurrent);
    byResource.completed(failed, durationMs, undefined);
    // A call through an alias: which version ran (an alias may route between two).
    if (qualifier !== undefined && qualifier !== result.executedVersion) metrics.executed(resource, result.executedVersion).completed(failed, durationMs, undefined);
    account.all.completed(failed, durationMs, accountConcurrent);
    return result;
  }

  /** An event source mapping sends `fn` a batch whose last record reached the stream at `lastArrivalMs`. */
  iteratorAge(fn: ResolvedFunction, lastArrivalMs: number, nowMs: number): void {
    if (!this.enabled) return;
    const ageMs = Math.max(0, nowMs - lastArrivalMs);
    const metrics = this.of(this.account(fn.accountId), fn.accountId, fn.functionName);
    metrics.iteratorAge.observe(ageMs);
    const qualifier = qualifierOf(fn.invokedArn);
    metrics.resource(qualifier === undefined ? fn.functionName : `${fn.functionName}:${qualifier}`).iteratorAge.observe(ageMs);
  }

  /** An asynchronous event queued for, or given up by, the function of `accountId` Invoke named (a name, or a full or partial ARN). */
  asyncEvent(accountId: string, nameOrArn: string, what: "received" | "dropped"): void {
    if (!this.enabled) return;
    const metrics = this.of(this.account(accountId), accountId, functionNameOf(nameOrArn));
    (what === "received" ? metrics.asyncEventsReceived : metrics.asyncEventsDropped).observe(1);
  }

  /** An asynchronous event run `ageMs` after it was queued. */
  asyncEventAge(fn: ResolvedFunction, ageMs: number): void {
    if (this.enabled) this.of(this.account(fn.accountId), fn.accountId, fn.functionName).asyncEventAge.observe(Math.max(0, ageMs));
  }

  /** An account's handles, kept for the process: a few objects per account, its runs in flight counted in them. */
  private account(accountId: string): AccountMetrics {
    let account = this.accounts.get(accountId);
    if (account === undefined) this.accounts.set(accountId, (account = new AccountMetrics(this.recorder, accountId)));
    return account;
  }

  private of(account: AccountMetrics, accountId: string, functionName: string): FunctionMetrics {
    const functions = account.functions;
    let metrics = functions.get(functionName);
    if (metrics === undefined) {
      // Only handles without runs in flight are dropped: their counts must stay right.
      if (functions.size >= metricsHandlesMax) for (const [name, handle] of functions) if (handle.inFlight === 0) functions.delete(name);
      metrics = new FunctionMetrics(this.recorder, accountId, functionName);
      functions.set(functionName, metrics);
    }
    return metrics;
  }
}

/** The function's name in a name, a partial ARN (`account:function:name`) or a full one, with or without a qualifier. */
function functionNameOf(nameOrArn: string): string {
  const marker = nameOrArn.indexOf("function:");
  if (marker < 0) return nameOrArn.split(":")[0]!;
  return nameOrArn.slice(marker + "function:".length).split(":")[0]!;
}

/** The executor with every invocation metered; the executor itself under `--metrics off`. */
export function meteredExecutor(executor: Executor, metrics: LambdaMetrics, clock: Clock): Executor {
  if (!metrics.enabled) return executor;
  return {
    invoke: (fn: ResolvedFunction, input: InvokeInput) => metrics.metered(fn, clock, () => executor.invoke(fn, input)),
    retire: (functionArn, version) => executor.retire(functionArn, version),
    sandboxCount: (functionArn) => executor.sandboxCount(functionArn),
    stop: () => executor.stop(),
  };
}
