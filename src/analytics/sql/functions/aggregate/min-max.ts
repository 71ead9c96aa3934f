/**
 * MIN and MAX over any ordered type (numbers, strings, date-times, intervals, booleans, binary):
 * the result has the argument's type; nulls are ignored; an empty group gives null. The values live
 * in a counted multiset, so a value leaving a sliding window is an O(log d) removal, and DISTINCT
 * changes nothing (the extreme of the distinct values is the extreme of the values).
 */
import type { SqlValue } from "../../types.js";
import type { Accumulator, AggregateFunction } from "../contracts.js";
import { CountedMultiset } from "./counted-multiset.js";
import type { EncodedValue } from "./value-codec.js";
import { cannotApply, isComparable, nullableCopy, wrongArity } from "./type-rules.js";

class ExtremeAccumulator implements Accumulator {
  private readonly values: CountedMultiset;

  constructor(largest: boolean) {
    this.values = new CountedMultiset(largest);
  }

  add(args: readonly SqlValue[]): void {
    const value = args[0];
    if (value !== null && value !== undefined) this.values.add(value);
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0];
    if (value !== null && value !== undefined) this.values.remove(value);
  }

  result(): SqlValue {
    return this.values.extreme();
  }

  snapshot(): [EncodedValue, number][] {
    return this.values.snapshot();
  }

  restore(state: unknown): void {
    this.values.restore(state as [EncodedValue, number][]);
  }
}

function extremeFunction(name: "MIN" | "MAX"): AggregateFunction {
  const largest = name === "MAX";
  return {
    name,
    resolve(args) {
      if (args.length !== 1) return wrongArity(name, 1);
      const type = args[0]!;
      if (!isComparable(type)) return cannotApply(name, args, `${name}(<COMPARABLE_TYPE>)`);
      return { ok: true, value: { type: nullableCopy(type), create: () => new ExtremeAccumulator(largest) } };
    },
  };
}

export const minFunction = extremeFunction("MIN");
export const maxFunction = extremeFunction("MAX");
