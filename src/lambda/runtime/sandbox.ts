/**
 * A sandbox: one runtime process and its Runtime API server, for one version of one function.
 * `start` spawns it and waits for the init phase to end (the runtime's first /next, an
 * /init/error, its exit, or Lambda's 10-second init bound); `run` gives it one invocation and
 * waits for its answer, its death or the function's Timeout. Output lines go to `onLine`, which
 * the executor points at the running invocation's log.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Clock, Timer } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { ResolvedFunction } from "../model.js";
import { RuntimeApiServer, type InvocationOutcome, type RuntimeApiListener, type RuntimeInvocation } from "./runtime-api.js";
import { logStreamNameOf, sandboxEnvironment } from "./sandbox-environment.js";
import { SandboxProcess, type ProcessExit } from "./sandbox-process.js";
import type { Runtimes } from "./runtimes.js";

/** Lambda ends an init phase that runs longer than this. */
export const initTimeoutMs = 10_000;

export interface SandboxDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly runtimes: Runtimes;
  readonly endpointUrl: () => string | undefined;
}

export interface SandboxStartPlaces {
  readonly sandboxDirectory: string;
  readonly taskRoot: string;
  readonly optDirectory: string;
}

export type InitResult =
  | { readonly kind: "ready"; readonly initDurationMs: number }
  | { readonly kind: "initError"; readonly errorType: string; readonly payload: Buffer; readonly initDurationMs: number }
  | { readonly kind: "exit"; readonly exit: ProcessExit; readonly initDurationMs: number }
  | { readonly kind: "timeout"; readonly initDurationMs: number }
  | { readonly kind: "invalidEntrypoint"; readonly message: string; readonly initDurationMs: number };

export type RunResult =
  | InvocationOutcome
  | { readonly kind: "timeout" }
  | { readonly kind: "exit"; readonly exit: ProcessExit; readonly killedBy: SandboxProcess["killedBy"] };

export class Sandbox implements RuntimeApiListener {
  onLine: (line: string) => void = () => {};
  busy = false;
  retired = false;
  idleSinceMs = 0;
  /** The highest resident memory seen by the executor's sampling (for REPORT once the process is gone). */
  lastPeakMB = 0;
  /** The runtime's version as INIT_START names it. */
  runtimeVersion = "";
  private process: SandboxProcess | undefined;
  private readonly api = new RuntimeApiServer(this);
  private initWaiter: ((result: InitResult) => void) | undefined;
  private runWaiter: ((result: RunResult) => void) | undefined;
  private runningRequestId: string | undefined;

  constructor(
    readonly id: string,
    readonly fn: ResolvedFunction,
    private readonly places: SandboxStartPlaces,
    private readonly deps: SandboxDeps,
  ) {}

  get pid(): number | undefined {
    return this.process?.pid;
  }

  get alive(): boolean {
    return this.process?.alive ?? false;
  }

  /** Resolves when the runtime process has ended (at once if it never started). */
  exited(): Promise<unknown> {
    return this.process?.exited ?? Promise.resolve();
  }

  memoryMB(): { residentMB: number; peakMB: number } | undefined {
    return this.process?.memoryMB();
  }

  /** Spawns the runtime; `announce` is called with the runtime version before it runs (INIT_START). */
  async start(announce: (runtimeVersion: string) => void): Promise<InitResult> {
    const startedAt = performance.now();
    const elapsed = () => performance.now() - startedAt;
    const runtimeDirectory = this.deps.runtimes.runtimeDirectory();
    const tmpDirectory = join(this.places.sandboxDirectory, "tmp");
    mkdirSync(tmpDirectory, { recursive: true });
    const launch = await this.deps.runtimes.launchOf(this.fn.runtime, { runtimeDirectory, taskRoot: this.places.taskRoot, optDirectory: this.places.optDirectory, memorySizeMB: this.fn.memorySizeMB });
    if ("invalidEntrypoint" in launch) return { kind: "invalidEntrypoint", message: launch.invalidEntrypoint, initDurationMs: elapsed() };
    this.runtimeVersion = launch.runtimeVersion;
    const runtimeApi = await this.api.listen();
    const env = sandboxEnvironment(
      this.fn,
      {
        runtimeApi,
        taskRoot: this.places.taskRoot,
        optDirectory: this.places.optDirectory,
        runtimeDirectory,
        tmpDirectory,
        logStreamName: logStreamNameOf(this.deps.clock.nowMs(), this.fn.version, this.deps.random),
        endpointUrl: this.deps.endpointUrl(),
        runtimeEnv: launch.env,
      },
      this.deps.random,
    );
    announce(launch.runtimeVersion);
    const result = new Promise<InitResult>((resolve) => (this.initWaiter = resolve));
    const process = new SandboxProcess({ command: launch.command, args: launch.args, env, cwd: this.places.taskRoot }, (line) => this.onLine(line));
    this.process = process;
    const timer = this.deps.clock.setTimeout(
      () => {
        process.kill("timeout");
        this.settleInit({ kind: "timeout", initDurationMs: elapsed() });
      },
      initTimeoutMs,
      { unref: true },
    );
    void process.exited.then((exit) => {
      if (process.spawnError !== undefined) this.settleInit({ kind: "invalidEntrypoint", message: process.spawnError, initDurationMs: elapsed() });
      else this.settleInit({ kind: "exit", exit, initDurationMs: elapsed() });
      this.settleRun({ kind: "exit", exit, killedBy: process.killedBy });
    });
    const outcome = await result;
    this.deps.clock.clearTimer(timer);
    return { ...outcome, initDurationMs: elapsed() };
  }

  /** Runs one invocation; the sandbox is dead afterwards unless the answer was a response or an error. */
  async run(invocation: RuntimeInvocation, timeoutMs: number): Promise<RunResult> {
    const process = this.process;
    if (process === undefined || !process.alive) return { kind: "exit", exit: { code: null, signal: "SIGKILL" }, killedBy: process?.killedBy };
    this.runningRequestId = invocation.requestId;
    const result = new Promise<RunResult>((resolve) => (this.runWaiter = resolve));
    let timer: Timer | undefined = this.deps.clock.setTimeout(
      () => {
        timer = undefined;
        process.kill("timeout");
        this.settleRun({ kind: "timeout" });
      },
      timeoutMs,
      { unref: true },
    );
    this.api.dispatch(invocation);
    const outcome = await result;
    this.deps.clock.clearTimer(timer);
    this.runningRequestId = undefined;
    if (outcome.kind !== "response" && outcome.kind !== "error") this.api.abandon();
    return outcome;
  }

  /** Ends the sandbox (its process group at once) and removes its working directory. */
  async stop(reason: "timeout" | "memory" | "retired"): Promise<void> {
    this.process?.kill(reason);
    this.api.close();
    if (this.process !== undefined) await this.process.exited;
    rmSync(this.places.sandboxDirectory, { recursive: true, force: true });
  }

  killForMemory(): void {
    this.process?.kill("memory");
  }

  initDone(): void {
    this.settleInit({ kind: "ready", initDurationMs: 0 });
  }

  initError(errorType: string, payload: Buffer): void {
    this.settleInit({ kind: "initError", errorType, payload, initDurationMs: 0 });
  }

  outcome(requestId: string, outcome: InvocationOutcome): void {
    if (requestId === this.runningRequestId) this.settleRun(outcome);
  }

  private settleInit(result: InitResult): void {
    const waiter = this.initWaiter;
    this.initWaiter = undefined;
    waiter?.(result);
  }

  private settleRun(result: RunResult): void {
    const waiter = this.runWaiter;
    this.runWaiter = undefined;
    waiter?.(result);
  }
}
