/**
 * Runs invocations in sandboxes. Per version (versionArn + revisionId) a stack of idle, warm
 * sandboxes: an invocation takes the most recently used one, and starts a new sandbox (a cold
 * start) only when none is idle; a sandbox runs one invocation at a time. Idle sandboxes are
 * reaped after `idleSandboxMs`, and all of a version when it is retired or a new revision of it
 * runs.
 *
 * Bounds: a function runs at most ReservedConcurrentExecutions invocations at once (0: every one
 * throttled), an account at most 1,000 (Lambda's default); past them the invocation is
 * "throttled" (the API answers TooManyRequestsException), never queued. The bounds hold across the
 * nodes sharing an engine: each node's in-flight counts reach the others over the peer bus
 * (cluster-concurrency.ts), and two nodes can both admit the last slot only within its publish
 * interval (`changePublishIntervalMs`, 50 ms). A run longer than the
 * function's Timeout is ended by killing the sandbox's process group (Sandbox.Timedout); a
 * sandbox whose resident memory passes MemorySize is killed (Runtime.OutOfMemory, as Lambda's
 * cgroup does), sampled every `memoryCheckIntervalMs` while it runs.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Clock, Timer } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { Random } from "../../util/random.js";
import type { PeerBus } from "../../storage/peer-bus.js";
import type { LambdaOptions } from "../action.js";
import { lambdaErrors } from "../errors.js";
import type { CodeStore, Executor, FunctionLogEvent, FunctionLogs, InvokeInput, InvokeResult, ResolvedFunction } from "../model.js";
import { ClusterConcurrency } from "./cluster-concurrency.js";
import { CodeCache } from "./code-cache.js";
import { endLine, FunctionLogWriter, initReportLine, initStartLine, reportLine, startLine, tailOf, timedOutLine, type ReportFacts } from "./log-lines.js";
import { Runtimes, runtimeVersionArn } from "./runtimes.js";
import { Sandbox, type InitResult, type RunResult } from "./sandbox.js";
import { exitDescription } from "./sandbox-process.js";

export interface ExecutorDeps {
  clock: Clock;
  random: Random;
  logger: Logger;
  region: string;
  options: LambdaOptions;
  code: CodeStore;
  logs: FunctionLogs;
  endpointUrl: () => string | undefined;
  /** The engine's peer bus (several nodes): concurrency is counted across them; absent, per process. */
  peers?: PeerBus;
}

/** Lambda's default account concurrency. */
export const accountConcurrencyMax = 1000;
/** How long an idle sandbox stays warm. */
export const idleSandboxMs = 5 * 60_000;
const reapIntervalMs = 30_000;
const memoryCheckIntervalMs = 50;

interface Failure {
  readonly errorType: string;
  readonly payload: Buffer;
  readonly status?: ReportFacts["status"];
}

function errorDocument(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

/** One invocation's log: its lines with their times, for storage and for the tail. */
class InvocationLog {
  readonly events: FunctionLogEvent[] = [];
  constructor(private readonly clock: Clock) {}
  add(message: string): void {
    this.events.push({ timestampMs: this.clock.nowMs(), message });
  }
}

export class SandboxExecutor implements Executor {
  private readonly idle = new Map<string, Sandbox[]>();
  private readonly live = new Set<Sandbox>();
  /** In-flight invocations per function and account, this node's and (with peers) the others'. */
  readonly concurrency: ClusterConcurrency;
  /** The revision each version last ran with: a newer one retires the older one's sandboxes. */
  private readonly revisions = new Map<string, string>();
  private readonly codeCache: CodeCache;
  private readonly runtimes: Runtimes;
  private readonly logWriter: FunctionLogWriter;
  private readonly reapTimer: Timer;
  private memoryTimer: Timer | undefined;
  private nextSandboxNumber = 0;
  private stopped = false;

  constructor(private readonly deps: ExecutorDeps) {
    this.codeCache = new CodeCache(deps.code, deps.options.sandboxRoot);
    this.runtimes = new Runtimes(deps.options.sandboxRoot);
    this.logWriter = new FunctionLogWriter(deps.logs, deps.logger, deps.clock);
    this.concurrency = new ClusterConcurrency({ clock: deps.clock, logger: deps.logger, accountConcurrencyMax, ...(deps.peers !== undefined && { peers: deps.peers }) });
    // Working directories of a previous run of the server are stale (their processes are gone).
    rmSync(join(deps.options.sandboxRoot, "sandboxes"), { recursive: true, force: true });
    // Node looks for the nearest package.json above a module to tell CommonJS from ES modules: a
    // neutral one here ends that search inside the sandbox root, so a deployment package's index.js
    // is CommonJS (as in /var/task on Lambda) unless the zip's own package.json says otherwise —
    // whatever package.json lies above the data directory (a checkout's "type": "module").
    mkdirSync(deps.options.sandboxRoot, { recursive: true });
    writeFileSync(join(deps.options.sandboxRoot, "package.json"), '{"//": "Tributary: module lookups of function code stop here (src/lambda/runtime/executor.ts)"}\n');
    this.reapTimer = deps.clock.setInterval(() => this.reap(), reapIntervalMs, { unref: true });
  }

  async invoke(fn: ResolvedFunction, input: InvokeInput): Promise<InvokeResult> {
    if (!this.deps.options.functionsEnabled || this.stopped) throw lambdaErrors.functionsDisabled();
    const throttled = this.concurrency.admit(fn);
    if (throttled !== undefined) return { kind: "throttled", reason: throttled };
    try {
      return await this.run(fn, input);
    } finally {
      this.concurrency.release(fn);
    }
  }

  async retire(functionArn: string, version?: string): Promise<void> {
    const doomed = [...this.live].filter((sandbox) => sandbox.fn.functionArn === functionArn && (version === undefined || sandbox.fn.version === version));
    await Promise.all(doomed.map((sandbox) => this.retireSandbox(sandbox)));
  }

  sandboxCount(functionArn: string): number {
    let count = 0;
    for (const sandbox of this.live) if (sandbox.fn.functionArn === functionArn) count++;
    return count;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimer(this.reapTimer);
    this.deps.clock.clearTimer(this.memoryTimer);
    this.concurrency.stop();
    await Promise.all([...this.live].map((sandbox) => this.retireSandbox(sandbox)));
    await this.logWriter.flush();
  }

  private async run(fn: ResolvedFunction, input: InvokeInput): Promise<InvokeResult> {
    const log = new InvocationLog(this.deps.clock);
    const poolKey = `${fn.versionArn}\u0000${fn.revisionId}`;
    const lastRevision = this.revisions.get(fn.versionArn);
    if (lastRevision !== fn.revisionId) {
      this.revisions.set(fn.versionArn, fn.revisionId);
      if (lastRevision !== undefined) void this.retireWhere((sandbox) => sandbox.fn.versionArn === fn.versionArn && sandbox.fn.revisionId !== fn.revisionId);
    }
    let sandbox = this.takeIdle(poolKey);
    let initDurationMs: number | undefined;
    if (sandbox === undefined) {
      const started = await this.coldStart(fn, input, log);
      if ("result" in started) return started.result;
      sandbox = started.sandbox;
      initDurationMs = started.initDurationMs;
    }
    return this.runOn(sandbox, fn, input, log, initDurationMs, poolKey);
  }

  private takeIdle(poolKey: string): Sandbox | undefined {
    const stack = this.idle.get(poolKey);
    for (let sandbox = stack?.pop(); sandbox !== undefined; sandbox = stack?.pop()) {
      if (sandbox.alive && !sandbox.retired) {
        sandbox.busy = true;
        return sandbox;
      }
    }
    return undefined;
  }

  private async coldStart(fn: ResolvedFunction, input: InvokeInput, log: InvocationLog): Promise<{ sandbox: Sandbox; initDurationMs: number } | { result: InvokeResult }> {
    const [taskRoot, optDirectory] = await Promise.all([this.codeCache.taskRoot(fn.code), this.codeCache.optDirectory(fn.layers)]);
    const id = `${++this.nextSandboxNumber}-${this.deps.random.bytes(4).toString("hex")}`;
    const sandboxDirectory = join(this.deps.options.sandboxRoot, "sandboxes", id);
    mkdirSync(sandboxDirectory, { recursive: true });
    const sandbox = new Sandbox(id, fn, { sandboxDirectory, taskRoot, optDirectory }, { clock: this.deps.clock, random: this.deps.random, runtimes: this.runtimes, endpointUrl: this.deps.endpointUrl });
    sandbox.busy = true;
    this.live.add(sandbox);
    const initLog = new InvocationLog(this.deps.clock);
    sandbox.onLine = (line) => initLog.add(line);
    const init = await sandbox.start((runtimeVersion) => initLog.add(initStartLine(runtimeVersion, runtimeVersionArn(fn.region, runtimeVersion))));
    this.logWriter.write(fn.accountId, fn.functionName, initLog.events);
    if (init.kind === "ready") {
      // A runtime that ends while idle (an uncaught exception after its answer) leaves the pool.
      void sandbox.exited().then(() => {
        if (!sandbox.busy) void this.retireSandbox(sandbox);
      });
      return { sandbox, initDurationMs: init.initDurationMs };
    }
    // The init phase failed: the invocation answers the init error, and the sandbox goes.
    const failure = this.initFailure(init, input.requestId);
    for (const event of initLog.events) if (event.message.startsWith("INIT_START") === false) log.events.push(event);
    log.add(initReportLine(init.initDurationMs, failure.errorType));
    this.live.delete(sandbox);
    await sandbox.stop("retired");
    log.add(startLine(input.requestId, fn.version));
    log.add(endLine(input.requestId));
    log.add(reportLine({ requestId: input.requestId, durationMs: 0, billedDurationMs: 0, memorySizeMB: fn.memorySizeMB, maxMemoryUsedMB: 0, initDurationMs: init.initDurationMs, status: { status: "error", errorType: failure.errorType } }));
    return { result: this.completed(fn, input, log, { payload: failure.payload, functionError: "Unhandled" }) };
  }

  private initFailure(init: Exclude<InitResult, { kind: "ready" }>, requestId: string): Failure {
    switch (init.kind) {
      case "initError":
        return { errorType: init.errorType, payload: init.payload };
      case "invalidEntrypoint":
        return { errorType: "Runtime.InvalidEntrypoint", payload: errorDocument("Runtime.InvalidEntrypoint", `RequestId: ${requestId} Error: ${init.message}`) };
      case "timeout":
        return { errorType: "Sandbox.Timedout", payload: errorDocument("Sandbox.Timedout", `RequestId: ${requestId} Error: Task timed out after ${(init.initDurationMs / 1000).toFixed(2)} seconds`) };
      case "exit": {
        const described = init.exit.code === 0 && init.exit.signal === null ? "Runtime exited without providing a reason" : `Runtime exited with error: ${exitDescription(init.exit)}`;
        return { errorType: "Runtime.ExitError", payload: errorDocument("Runtime.ExitError", `RequestId: ${requestId} Error: ${described}`) };
      }
    }
  }

  private async runOn(sandbox: Sandbox, fn: ResolvedFunction, input: InvokeInput, log: InvocationLog, initDurationMs: number | undefined, poolKey: string): Promise<InvokeResult> {
    const { requestId } = input;
    sandbox.onLine = (line) => log.add(line);
    log.add(startLine(requestId, fn.version));
    const startedAt = performance.now();
    const timeoutMs = fn.timeoutSeconds * 1000;
    this.watchMemory();
    const outcome = await sandbox.run(
      {
        requestId,
        payload: input.payload,
        deadlineMs: this.deps.clock.nowMs() + timeoutMs,
        invokedFunctionArn: fn.invokedArn,
        traceId: this.traceId(),
        ...(input.clientContext !== undefined ? { clientContext: input.clientContext } : {}),
      },
      timeoutMs,
    );
    // A timeout ran the whole timeout: libuv's timer fires on its cached loop time, up to a
    // millisecond before performance.now() says the timeout passed, and Lambda never reports less.
    const measuredMs = performance.now() - startedAt;
    const durationMs = outcome.kind === "timeout" ? Math.max(measuredMs, timeoutMs) : measuredMs;
    // Output written before the answer may still be in the pipe: one turn of the loop reads it.
    await new Promise((resolve) => setImmediate(resolve));
    const memory = sandbox.memoryMB();
    const failure = this.runFailure(outcome, requestId, fn, log);
    log.add(endLine(requestId));
    const provided = fn.runtime.startsWith("provided");
    log.add(
      reportLine({
        requestId,
        durationMs,
        billedDurationMs: Math.ceil(durationMs + (provided && initDurationMs !== undefined ? initDurationMs : 0)),
        memorySizeMB: fn.memorySizeMB,
        maxMemoryUsedMB: memory?.peakMB ?? sandbox.lastPeakMB,
        ...(initDurationMs !== undefined ? { initDurationMs } : {}),
        ...(failure?.status !== undefined ? { status: failure.status } : {}),
      }),
    );
    sandbox.onLine = (line) => this.logWriter.write(fn.accountId, fn.functionName, [{ timestampMs: this.deps.clock.nowMs(), message: line }]);
    this.release(sandbox, poolKey, failure === undefined || outcome.kind === "error");
    if (failure !== undefined) return this.completed(fn, input, log, { payload: failure.payload, functionError: "Unhandled" });
    return this.completed(fn, input, log, { payload: (outcome as { payload: Buffer }).payload });
  }

  private runFailure(outcome: RunResult, requestId: string, fn: ResolvedFunction, log: InvocationLog): Failure | undefined {
    switch (outcome.kind) {
      case "response":
        return undefined;
      case "error":
        return { errorType: outcome.errorType, payload: outcome.payload, status: { status: "error", errorType: outcome.errorType } };
      case "timeout":
        log.add(timedOutLine(this.deps.clock.nowMs(), requestId, fn.timeoutSeconds));
        return {
          errorType: "Sandbox.Timedout",
          payload: errorDocument("Sandbox.Timedout", `RequestId: ${requestId} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`),
          status: { status: "timeout" },
        };
      case "exit": {
        const errorType = outcome.killedBy === "memory" ? "Runtime.OutOfMemory" : "Runtime.ExitError";
        const described = outcome.exit.code === 0 && outcome.exit.signal === null ? "Runtime exited without providing a reason" : `Runtime exited with error: ${exitDescription(outcome.exit)}`;
        log.add(`RequestId: ${requestId} Error: ${described}\n${errorType}`);
        return { errorType, payload: errorDocument(errorType, `RequestId: ${requestId} Error: ${described}`), status: { status: "error", errorType } };
      }
    }
  }

  private completed(fn: ResolvedFunction, input: InvokeInput, log: InvocationLog, answer: { payload: Buffer; functionError?: "Unhandled" }): InvokeResult {
    this.logWriter.write(fn.accountId, fn.functionName, log.events);
    return {
      kind: "completed",
      payload: answer.payload,
      ...(answer.functionError !== undefined ? { functionError: answer.functionError } : {}),
      ...(input.logType === "Tail" ? { logResultBase64: tailOf(log.events) } : {}),
      executedVersion: fn.version,
    };
  }

  /** Back to the idle stack if it can run again; otherwise ended. */
  private release(sandbox: Sandbox, poolKey: string, reusable: boolean): void {
    sandbox.busy = false;
    if (!reusable || !sandbox.alive || sandbox.retired || this.stopped) {
      void this.retireSandbox(sandbox);
      return;
    }
    sandbox.idleSinceMs = this.deps.clock.nowMs();
    let stack = this.idle.get(poolKey);
    if (stack === undefined) {
      stack = [];
      this.idle.set(poolKey, stack);
    }
    stack.push(sandbox);
  }

  private retireWhere(matches: (sandbox: Sandbox) => boolean): Promise<void> {
    return Promise.all([...this.live].filter(matches).map((sandbox) => this.retireSandbox(sandbox))).then(() => undefined);
  }

  /** An idle sandbox ends now; a busy one is marked and ends when its invocation does. */
  private async retireSandbox(sandbox: Sandbox): Promise<void> {
    sandbox.retired = true;
    if (sandbox.busy && !this.stopped) return;
    if (!this.live.delete(sandbox)) return;
    for (const [key, stack] of this.idle) {
      const at = stack.indexOf(sandbox);
      if (at >= 0) stack.splice(at, 1);
      if (stack.length === 0) this.idle.delete(key);
    }
    await sandbox.stop("retired").catch((error: unknown) => this.deps.logger.warn({ err: error }, "sandbox did not stop cleanly"));
  }

  private reap(): void {
    const oldestMs = this.deps.clock.nowMs() - idleSandboxMs;
    void this.retireWhere((sandbox) => !sandbox.busy && sandbox.idleSinceMs < oldestMs);
  }

  /** Samples busy sandboxes' memory while any runs; the timer stops when none does. */
  private watchMemory(): void {
    if (this.memoryTimer !== undefined) return;
    this.memoryTimer = this.deps.clock.setInterval(
      () => {
        let busy = 0;
        for (const sandbox of this.live) {
          if (!sandbox.busy) continue;
          busy++;
          const memory = sandbox.memoryMB();
          if (memory === undefined) continue;
          sandbox.lastPeakMB = Math.max(sandbox.lastPeakMB, memory.peakMB);
          if (memory.residentMB > sandbox.fn.memorySizeMB) sandbox.killForMemory();
        }
        if (busy === 0) {
          this.deps.clock.clearTimer(this.memoryTimer);
          this.memoryTimer = undefined;
        }
      },
      memoryCheckIntervalMs,
      { unref: true },
    );
  }

  /** An X-Ray trace header: Root=1-<epoch seconds hex>-<96 bits hex>;Parent=<64 bits hex>;Sampled=0. */
  private traceId(): string {
    const bytes = this.deps.random.bytes(20);
    const seconds = Math.floor(this.deps.clock.nowMs() / 1000).toString(16).padStart(8, "0");
    return `Root=1-${seconds}-${bytes.subarray(0, 12).toString("hex")};Parent=${bytes.subarray(12).toString("hex")};Sampled=0`;
  }
}
