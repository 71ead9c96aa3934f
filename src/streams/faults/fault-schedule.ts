/**
 * When a rule fires. Every rule counts the calls it matches (1, 2, 3, …) and asks its `when`
 * whether this call is faulted: always, by a seeded coin (`rate`), or by call number (`schedule`).
 * Pure given the random, so a seed and a sequence of calls always give the same faults.
 */
import type { FaultRule } from "./fault-config.js";
import type { SeededRandom } from "../../util/random.js";

export type FaultWhen =
  | { kind: "always" }
  | { kind: "rate"; rate: number }
  | { kind: "every"; every: number }
  | { kind: "calls"; calls: ReadonlySet<number> }
  | { kind: "after"; after: number; countMax: number };

export function compileWhen(rule: FaultRule): FaultWhen {
  if (rule.rate !== undefined) return { kind: "rate", rate: rule.rate };
  const schedule = rule.schedule;
  if (schedule === undefined) return { kind: "always" };
  if ("every" in schedule) return { kind: "every", every: schedule.every };
  if ("calls" in schedule) return { kind: "calls", calls: new Set(schedule.calls) };
  return { kind: "after", after: schedule.after, countMax: schedule.count ?? Infinity };
}

/**
 * Whether the rule fires on its `callNumber`th matching call. A rate rule draws once per call,
 * whatever the rate, so the random sequence depends only on which calls matched.
 */
export function firesOn(when: FaultWhen, callNumber: number, random: SeededRandom): boolean {
  switch (when.kind) {
    case "always":
      return true;
    case "rate":
      return random.float() < when.rate;
    case "every":
      return callNumber % when.every === 0;
    case "calls":
      return when.calls.has(callNumber);
    case "after":
      return callNumber > when.after && callNumber - when.after <= when.countMax;
  }
}
