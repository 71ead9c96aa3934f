/**
 * EXP_AVG(expression, <time-interval>): the exponentially weighted average of the window's values,
 * a row's weight halving for every <time-interval> it is older — SQLstream's definition, which the
 * reference's example states (a 10-second half-life over a 30-second window weighs the newest
 * 10 seconds twice the middle ones and four times the oldest): SUM(x·w) / SUM(w) with
 * w = 2^(rowtime / halfLife). The ratio does not depend on "now", so the accumulator needs only each
 * row's own ROWTIME, which the planner appends to the arguments (`rowtimeArgument`).
 *
 * Weights are kept relative to a reference time that moves forward (rescaling both sums) once the
 * newest row is 60 half-lives past it, so they never overflow. DOUBLE; nulls ignored; null when empty.
 */
import { isInterval, type SqlValue } from "../../types.js";
import type { Accumulator, AggregateFunction } from "../contracts.js";
import { CompensatedSum, type CompensatedSumState } from "./compensated-sum.js";
import { cannotApply, isNumeric, wrongArity } from "./type-rules.js";

/** Half-lives between the reference time and the newest row before the reference moves. */
const rebaseHalfLives = 60;

interface ExpAvgState {
  n: number;
  ref: number;
  w: CompensatedSumState;
  wx: CompensatedSumState;
}

class ExpAvgAccumulator implements Accumulator {
  private count = 0;
  private referenceMs = Number.NaN;
  private readonly weights = new CompensatedSum();
  private readonly weighted = new CompensatedSum();

  constructor(private readonly halfLifeMs: number) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0] as number | null;
    if (value === null) return;
    const rowtimeMs = rowtimeOf(args);
    if (this.count === 0) this.referenceMs = rowtimeMs;
    else if ((rowtimeMs - this.referenceMs) / this.halfLifeMs > rebaseHalfLives) this.rebase(rowtimeMs);
    const weight = this.weightOf(rowtimeMs);
    this.count++;
    this.weights.add(weight);
    this.weighted.add(weight * value);
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0] as number | null;
    if (value === null) return;
    this.count--;
    if (this.count === 0) {
      this.weights.reset();
      this.weighted.reset();
      return;
    }
    const weight = this.weightOf(rowtimeOf(args));
    this.weights.subtract(weight);
    this.weighted.subtract(weight * value);
  }

  result(): SqlValue {
    if (this.count === 0) return null;
    return this.weighted.value() / this.weights.value();
  }

  snapshot(): ExpAvgState {
    return { n: this.count, ref: Number.isNaN(this.referenceMs) ? 0 : this.referenceMs, w: this.weights.snapshot(), wx: this.weighted.snapshot() };
  }

  restore(state: unknown): void {
    const saved = state as ExpAvgState;
    this.count = saved.n;
    this.referenceMs = saved.ref;
    this.weights.restore(saved.w);
    this.weighted.restore(saved.wx);
  }

  private weightOf(rowtimeMs: number): number {
    return 2 ** ((rowtimeMs - this.referenceMs) / this.halfLifeMs);
  }

  private rebase(newReferenceMs: number): void {
    const factor = 2 ** ((this.referenceMs - newReferenceMs) / this.halfLifeMs);
    this.weights.scale(factor);
    this.weighted.scale(factor);
    this.referenceMs = newReferenceMs;
  }
}

function rowtimeOf(args: readonly SqlValue[]): number {
  const rowtime = args[2];
  if (typeof rowtime !== "number") throw new Error("EXP_AVG: the planner must append ROWTIME to the arguments (rowtimeArgument)");
  return rowtime;
}

export const expAvgFunction: AggregateFunction = {
  name: "EXP_AVG",
  resolve(args, distinct, constants) {
    if (args.length !== 2) return wrongArity("EXP_AVG", 2);
    const [valueType, intervalType] = args as [(typeof args)[number], (typeof args)[number]];
    if (!isNumeric(valueType) || intervalType.name !== "INTERVAL_DAY_TIME") {
      return cannotApply("EXP_AVG", args, "EXP_AVG(<NUMERIC>, <INTERVAL_DAY_TIME>)");
    }
    if (distinct) return { ok: false, message: "DISTINCT is not allowed in EXP_AVG" };
    const halfLife = constants[1];
    if (halfLife === undefined || halfLife === null || !isInterval(halfLife) || halfLife.ms === undefined) {
      return { ok: false, message: "The time interval of EXP_AVG must be a constant" };
    }
    if (!(halfLife.ms > 0)) return { ok: false, message: "The time interval of EXP_AVG must be positive" };
    const halfLifeMs = halfLife.ms;
    return { ok: true, value: { type: { name: "DOUBLE", nullable: true }, rowtimeArgument: true, create: () => new ExpAvgAccumulator(halfLifeMs) } };
  },
};
