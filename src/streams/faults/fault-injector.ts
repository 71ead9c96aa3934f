/**
 * One installed rule set and its state: per-rule call counters and the seeded random. `decide`
 * runs synchronously when a call arrives, before anything awaits, so the faults follow the order
 * calls arrive in and a seed replays the same faults for the same sequence of calls.
 *
 * Every rule whose action, stream and time window match a call counts it and asks its schedule
 * whether to fire. Latency rules that fire add up; of the other rules that fire, the first in the
 * list decides the call's outcome.
 */
import type { EntryErrorCode, FaultConfig, FaultKind, FaultRule } from "./fault-config.js";
import { compileWhen, firesOn, type FaultWhen } from "./fault-schedule.js";
import { SeededRandom } from "../../util/random.js";

/** What a rule set needs to know about a call; the stream and entry count are read only if a rule asks. */
export interface FaultRequest {
  action: string;
  streamName(): string | undefined;
  entryCount(): number;
}

export type FaultOutcome =
  | { kind: "throttle" | "internal-failure" | "service-unavailable" }
  | { kind: "partial-failure"; errorCode: EntryErrorCode; failedIndexes: readonly number[] };

export interface FaultDecision {
  delayMs: number;
  /** Undefined when only latency fired: the call then runs normally after the delay. */
  outcome: FaultOutcome | undefined;
}

export interface FaultCounters {
  /** Calls the rule matched (its call numbers so far). */
  matchedCalls: number;
  /** Calls the rule faulted. */
  injectedCalls: number;
}

interface CompiledRule {
  rule: FaultRule;
  when: FaultWhen;
  fromMs: number;
  untilMs: number;
  counters: FaultCounters;
}

export class FaultInjector {
  private readonly rules: CompiledRule[];
  private readonly random: SeededRandom;
  /** The actions some rule names; undefined when a rule matches every action. */
  private readonly actions: ReadonlySet<string> | undefined;

  constructor(
    readonly config: FaultConfig,
    /** The rules' time zero: server start for the file's rules, install time for the admin endpoint's. */
    private readonly startMs: number,
  ) {
    this.random = new SeededRandom(config.seed);
    this.rules = config.rules.map((rule) => ({
      rule,
      when: compileWhen(rule),
      fromMs: rule.fromMs ?? 0,
      untilMs: rule.untilMs ?? Infinity,
      counters: { matchedCalls: 0, injectedCalls: 0 },
    }));
    this.actions = config.rules.some((rule) => rule.action === "*") ? undefined : new Set(config.rules.map((rule) => rule.action));
  }

  /** The faults for one call, or undefined when none fires. */
  decide(request: FaultRequest, nowMs: number): FaultDecision | undefined {
    if (this.actions !== undefined && !this.actions.has(request.action)) return undefined;
    const elapsedMs = nowMs - this.startMs;
    let delayMs = 0;
    let outcome: FaultOutcome | undefined;
    for (const compiled of this.rules) {
      if (!this.matches(compiled, request, elapsedMs)) continue;
      compiled.counters.matchedCalls++;
      if (!firesOn(compiled.when, compiled.counters.matchedCalls, this.random)) continue;
      if (compiled.rule.fault === "latency") {
        delayMs += this.latencyMs(compiled.rule);
      } else if (outcome === undefined) {
        outcome = this.outcome(compiled.rule.fault, compiled.rule, request);
      } else {
        continue;
      }
      compiled.counters.injectedCalls++;
    }
    return delayMs > 0 || outcome !== undefined ? { delayMs, outcome } : undefined;
  }

  counters(): FaultCounters[] {
    return this.rules.map((compiled) => ({ ...compiled.counters }));
  }

  private matches(compiled: CompiledRule, request: FaultRequest, elapsedMs: number): boolean {
    const rule = compiled.rule;
    if (rule.action !== "*" && rule.action !== request.action) return false;
    if (elapsedMs < compiled.fromMs || elapsedMs >= compiled.untilMs) return false;
    return rule.stream === undefined || rule.stream === request.streamName();
  }

  private latencyMs(rule: FaultRule): number {
    if (rule.latencyMs !== undefined) return rule.latencyMs;
    const min = rule.latencyMsMin!;
    return min + this.random.int(rule.latencyMsMax! - min + 1);
  }

  private outcome(kind: Exclude<FaultKind, "latency">, rule: FaultRule, request: FaultRequest): FaultOutcome {
    if (kind !== "partial-failure") return { kind };
    return { kind, errorCode: rule.errorCode!, failedIndexes: this.pickEntries(request.entryCount(), rule.fraction!) };
  }

  /** `fraction` of `count` entries (rounded, at least one), picked by a partial Fisher–Yates shuffle; ascending. */
  private pickEntries(count: number, fraction: number): number[] {
    const picked = Math.min(count, Math.max(1, Math.round(fraction * count)));
    const indexes = Array.from({ length: count }, (_, index) => index);
    for (let position = 0; position < picked; position++) {
      const swap = position + this.random.int(count - position);
      [indexes[position], indexes[swap]] = [indexes[swap]!, indexes[position]!];
    }
    return indexes.slice(0, picked).sort((a, b) => a - b);
  }
}
