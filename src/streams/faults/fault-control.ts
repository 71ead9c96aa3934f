/**
 * The service's fault injection switch: the installed rule set (none by default), replaced, read
 * and cleared at runtime through the admin endpoint, and the step that applies a call's faults
 * around its action. With no rules installed the service never calls in here (one null check).
 * In a cluster (`share`), what the admin endpoint installs or clears goes to every node through
 * the catalog (shared-fault-rules.ts).
 */
import type { StreamsAction } from "../action.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { parseFaultConfigText, type FaultConfig, type FaultConfigOutcome } from "./fault-config.js";
import { FaultInjector, type FaultCounters, type FaultDecision } from "./fault-injector.js";
import { requestStream, requestStreamName, throttleError } from "./fault-target.js";
import { putRecordsFaults } from "./put-records-faults.js";
import { countThrottleFault } from "../metrics/index.js";
import { systemClock, type Clock, type Timer } from "../../util/clock.js";
import { randomUUID } from "node:crypto";
import type { WriteOutcome } from "../../storage/types.js";
import type { SharedFaultRules } from "./shared-fault-rules.js";

export interface FaultSnapshot {
  /** The installed rules, as normalized when installed; null when none are. */
  config: FaultConfig | null;
  /** Per rule, in the rules' order. */
  counters: FaultCounters[];
}

interface Sleeper {
  timer: Timer;
  reject: (error: Error) => void;
}

export class FaultControl {
  /** The installed rules; undefined means no fault injection at all. */
  injector: FaultInjector | undefined;
  private readonly sleepers = new Set<Sleeper>();
  /** The cluster's rules, when the engine is shared; absent on one process. */
  private shared: SharedFaultRules | undefined;
  /** The id of the shared installation in force here: its own write, heard back, is not installed again. */
  private installId: string | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly knownActions: readonly string[],
    initial: FaultConfig | undefined,
    /**
     * What injected latency waits on: wall time the calling client feels, so the system clock even
     * when the service runs on a ManualClock (rule windows and rates read `clock`).
     */
    private readonly latencyClock: Clock = systemClock,
  ) {
    if (initial !== undefined) this.install(initial);
  }

  /** Checks a rules document (JSON text) against this service's actions. */
  parse(text: string): FaultConfigOutcome {
    return parseFaultConfigText(text, this.knownActions);
  }

  /** Replaces the rules: counters restart, the random is reseeded, time windows count from now. */
  install(config: FaultConfig): void {
    this.injector = new FaultInjector(config, this.clock.nowMs());
  }

  clear(): void {
    this.injector = undefined;
  }

  /**
   * Follows the cluster's rules from now on: installs those stored (if any, replacing rules given
   * at start) and every later change, whichever node made it. Resolves once the stored ones are in.
   */
  async share(shared: SharedFaultRules): Promise<void> {
    this.shared = shared;
    await shared.follow((change) => {
      if (change.config === null) {
        this.installId = undefined;
        this.injector = undefined;
      } else if (change.installId !== this.installId) {
        this.installId = change.installId;
        this.install(change.config);
      }
    });
  }

  /** Whether rules came from the cluster (they take the place of `--faults`). */
  hasSharedRules(): boolean {
    return this.installId !== undefined;
  }

  /** The admin endpoint's install: here at once and, in a cluster, on every node once stored. */
  async installEverywhere(config: FaultConfig): Promise<WriteOutcome> {
    if (this.shared === undefined) {
      this.install(config);
      return { ok: true };
    }
    const installId = randomUUID();
    this.installId = installId;
    this.install(config);
    return this.shared.put(config, installId);
  }

  /** The admin endpoint's clear: here at once and, in a cluster, on every node once stored. */
  async clearEverywhere(): Promise<WriteOutcome> {
    this.installId = undefined;
    this.clear();
    return this.shared === undefined ? { ok: true } : this.shared.clear();
  }

  snapshot(): FaultSnapshot {
    return { config: this.injector?.config ?? null, counters: this.injector?.counters() ?? [] };
  }

  /** Runs one checked call with whatever faults the rules give it; of the action, only its handler is needed. */
  async invoke(context: StreamsContext, name: string, action: Pick<StreamsAction, "run">, input: Readonly<Record<string, unknown>>): Promise<unknown> {
    const decision = this.decide(context, name, input);
    if (decision === undefined) return action.run(context, input);
    context.logger.debug({ action: name, delayMs: decision.delayMs, fault: decision.outcome?.kind }, "fault injected");
    if (decision.delayMs > 0) await this.sleep(decision.delayMs);
    const outcome = decision.outcome;
    switch (outcome?.kind) {
      case undefined:
        return action.run(context, input);
      case "throttle":
        countThrottleFault(context.metrics, name, requestStream(context, input), input);
        throw throttleError(context, name, input);
      case "internal-failure":
        throw streamsErrors.serverFailure();
      case "service-unavailable":
        throw streamsErrors.serviceUnavailable();
      case "partial-failure": {
        const faults = putRecordsFaults(context, outcome.errorCode, outcome.failedIndexes, (kept) => action.run(context, kept));
        return action.run({ ...context, putRecordsFaults: faults }, input);
      }
    }
  }

  /** Ends pending delays (their calls fail as ServiceUnavailable) and turns fault injection off. */
  stop(): void {
    for (const sleeper of this.sleepers) {
      this.latencyClock.clearTimer(sleeper.timer);
      sleeper.reject(streamsErrors.serviceUnavailable());
    }
    this.sleepers.clear();
    this.injector = undefined;
    this.shared?.stop();
  }

  private decide(context: StreamsContext, name: string, input: Readonly<Record<string, unknown>>): FaultDecision | undefined {
    const injector = this.injector;
    if (injector === undefined) return undefined;
    let streamName: { value: string | undefined } | undefined;
    return injector.decide(
      {
        action: name,
        streamName: () => (streamName ??= { value: requestStreamName(context, input) }).value,
        entryCount: () => (Array.isArray(input.Records) ? input.Records.length : 0),
      },
      context.clock.nowMs(),
    );
  }

  private sleep(delayMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        // A delayed call must not keep a stopping process alive (unref).
        timer: this.latencyClock.setTimeout(
          () => {
            this.sleepers.delete(sleeper);
            resolve();
          },
          delayMs,
          { unref: true },
        ),
        reject,
      };
      this.sleepers.add(sleeper);
    });
  }
}
