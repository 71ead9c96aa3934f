/**
 * SUM, AVG and the variance family (VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP and its alias
 * STD_DEV): each keeps the count of non-null values and running sums, so a value leaving a sliding
 * window is one subtraction. Nulls are ignored; with no non-null value the result is null (VAR_SAMP
 * and STDDEV_SAMP also for a single value). The variance is the reference's own formula,
 * (S2 - S1*S1/N) / N (or N-1), with S1 the sum and S2 the sum of squares.
 *
 * Exactness: integer arguments sum exactly (below 2^53); DECIMAL arguments sum as integer units of
 * their scale, so 0.1 + 0.2 is 0.3; REAL and DOUBLE use compensated sums.
 */
import type { SqlType, SqlValue } from "../../types.js";
import type { Accumulator, AggregateFunction, AggregateImplementation } from "../contracts.js";
import { CompensatedSum, type CompensatedSumState } from "./compensated-sum.js";
import { cannotApply, decimalUnits, isExactInteger, isNumeric, nullableCopy, toResultType, wrongArity } from "./type-rules.js";
import { withDistinct } from "./distinct.js";

type SumMode = "exact" | "decimal" | "float";

function sumMode(type: SqlType): SumMode {
  if (isExactInteger(type)) return "exact";
  return type.name === "DECIMAL" ? "decimal" : "float";
}

interface SumState {
  n: number;
  s: CompensatedSumState;
}

/** SUM and AVG: the count and the sum (in units of the scale for DECIMAL). */
class SumAccumulator implements Accumulator {
  private count = 0;
  private readonly sum = new CompensatedSum();
  private readonly unitsPerOne: number;

  constructor(
    private readonly resultType: SqlType,
    private readonly mode: SumMode,
    private readonly scale: number,
    private readonly average: boolean,
  ) {
    this.unitsPerOne = 10 ** scale;
  }

  add(args: readonly SqlValue[]): void {
    const value = args[0] as number | null;
    if (value === null) return;
    this.count++;
    this.sum.add(this.mode === "decimal" ? decimalUnits(value, this.scale) : value);
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0] as number | null;
    if (value === null) return;
    this.count--;
    if (this.count === 0) this.sum.reset();
    else this.sum.subtract(this.mode === "decimal" ? decimalUnits(value, this.scale) : value);
  }

  result(): SqlValue {
    if (this.count === 0) return null;
    const total = this.sum.value();
    if (this.mode === "decimal") {
      if (!this.average) return toResultType(total / this.unitsPerOne, this.resultType);
      // Round in units first: the quotient of two integers is exact when it is a half.
      const units = total / this.count;
      const rounded = Math.sign(units) * Math.round(Math.abs(units));
      return toResultType(rounded / this.unitsPerOne, this.resultType);
    }
    return toResultType(this.average ? total / this.count : total, this.resultType);
  }

  snapshot(): SumState {
    return { n: this.count, s: this.sum.snapshot() };
  }

  restore(state: unknown): void {
    const saved = state as SumState;
    this.count = saved.n;
    this.sum.restore(saved.s);
  }
}

type VarianceKind = "VAR_POP" | "VAR_SAMP" | "STDDEV_POP" | "STDDEV_SAMP";

interface VarianceState {
  n: number;
  s1: CompensatedSumState;
  s2: CompensatedSumState;
}

class VarianceAccumulator implements Accumulator {
  private count = 0;
  private readonly s1 = new CompensatedSum();
  private readonly s2 = new CompensatedSum();

  constructor(
    private readonly resultType: SqlType,
    private readonly kind: VarianceKind,
  ) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0] as number | null;
    if (value === null) return;
    this.count++;
    this.s1.add(value);
    this.s2.add(value * value);
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0] as number | null;
    if (value === null) return;
    this.count--;
    if (this.count === 0) {
      this.s1.reset();
      this.s2.reset();
      return;
    }
    this.s1.subtract(value);
    this.s2.subtract(value * value);
  }

  result(): SqlValue {
    const sample = this.kind === "VAR_SAMP" || this.kind === "STDDEV_SAMP";
    if (this.count === 0 || (sample && this.count < 2)) return null;
    const s1 = this.s1.value();
    const s2 = this.s2.value();
    // Rounding can leave a hair below zero for equal values; a variance is never negative.
    const variance = Math.max(0, (s2 - (s1 * s1) / this.count) / (sample ? this.count - 1 : this.count));
    const value = this.kind === "STDDEV_POP" || this.kind === "STDDEV_SAMP" ? Math.sqrt(variance) : variance;
    return toResultType(value, this.resultType);
  }

  snapshot(): VarianceState {
    return { n: this.count, s1: this.s1.snapshot(), s2: this.s2.snapshot() };
  }

  restore(state: unknown): void {
    const saved = state as VarianceState;
    this.count = saved.n;
    this.s1.restore(saved.s1);
    this.s2.restore(saved.s2);
  }
}

function numericAggregate(name: string, build: (type: SqlType) => () => Accumulator, widenIntegers = false): AggregateFunction {
  return {
    name,
    resolve(args, distinct) {
      if (args.length !== 1) return wrongArity(name, 1);
      const [type] = args as [SqlType];
      if (!isNumeric(type)) return cannotApply(name, args, `${name}(<NUMERIC>)`);
      const resultType: SqlType = widenIntegers && isExactInteger(type) ? { name: "BIGINT", nullable: true } : nullableCopy(type);
      const create = build(resultType);
      const implementation: AggregateImplementation = { type: resultType, create: distinct ? () => withDistinct(create()) : create };
      return { ok: true, value: implementation };
    },
  };
}

// SUM of TINYINT, SMALLINT and INTEGER is a BIGINT: a window of small integers must not overflow
// its column's type (DiscoverInputSchema types small counts TINYINT).
export const sumFunction = numericAggregate("SUM", (type) => () => new SumAccumulator(type, sumMode(type), type.scale ?? 0, false), true);
export const avgFunction = numericAggregate("AVG", (type) => () => new SumAccumulator(type, sumMode(type), type.scale ?? 0, true));

export const varianceFunctions: AggregateFunction[] = [
  ...(["VAR_POP", "VAR_SAMP", "STDDEV_POP", "STDDEV_SAMP"] as const).map((kind) =>
    numericAggregate(kind, (type) => () => new VarianceAccumulator(type, kind)),
  ),
  // The reference: "STD_DEV is an alias of STDDEV_SAMP".
  numericAggregate("STD_DEV", (type) => () => new VarianceAccumulator(type, "STDDEV_SAMP")),
];
