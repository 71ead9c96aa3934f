/**
 * FIRST_VALUE(x) and LAST_VALUE(x) as aggregates: the value of the first (last) row of the group or
 * window. The reference's default null treatment is RESPECT NULLS (a null first row gives null);
 * the IGNORE NULLS forms, exported apart for the planner to pick on `call.nulls`, skip null values.
 *
 * Sliding windows let rows go in arrival order, oldest first, so LAST_VALUE needs only the newest
 * value and how many rows are still in (the newest row is always the last to leave), while
 * FIRST_VALUE keeps the window's values in arrival order to know the next first. A removal that is
 * not the oldest row (never seen from the windows in this engine) is still honoured, by a search.
 */
import type { SqlValue } from "../../types.js";
import type { Accumulator, AggregateFunction } from "../contracts.js";
import { decodeValue, encodeValue, type EncodedValue } from "./value-codec.js";
import { cannotApply, isComparable, nullableCopy, wrongArity } from "./type-rules.js";

function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  return JSON.stringify(encodeValue(a)) === JSON.stringify(encodeValue(b));
}

/** Values in arrival order: an array with a moving head, compacted when half of it is dead. */
class FirstValueAccumulator implements Accumulator {
  private values: SqlValue[] = [];
  private head = 0;

  constructor(private readonly ignoreNulls: boolean) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0] ?? null;
    if (value === null && this.ignoreNulls) return;
    this.values.push(value);
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0] ?? null;
    if (value === null && this.ignoreNulls) return;
    if (this.head < this.values.length && sameValue(this.values[this.head]!, value)) {
      this.values[this.head++] = null;
    } else {
      const at = this.values.findIndex((candidate, index) => index >= this.head && sameValue(candidate, value));
      if (at < 0) return;
      this.values.splice(at, 1);
    }
    if (this.head === this.values.length) {
      this.values = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.values.length) {
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
  }

  result(): SqlValue {
    return this.head < this.values.length ? this.values[this.head]! : null;
  }

  snapshot(): EncodedValue[] {
    return this.values.slice(this.head).map(encodeValue);
  }

  restore(state: unknown): void {
    this.values = (state as EncodedValue[]).map(decodeValue);
    this.head = 0;
  }
}

class LastValueAccumulator implements Accumulator {
  private last: SqlValue = null;
  private count = 0;

  constructor(private readonly ignoreNulls: boolean) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0] ?? null;
    if (value === null && this.ignoreNulls) return;
    this.last = value;
    this.count++;
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0] ?? null;
    if (value === null && this.ignoreNulls) return;
    if (--this.count <= 0) {
      this.count = 0;
      this.last = null;
    }
  }

  result(): SqlValue {
    return this.count > 0 ? this.last : null;
  }

  snapshot(): { last: EncodedValue; n: number } {
    return { last: encodeValue(this.last), n: this.count };
  }

  restore(state: unknown): void {
    const saved = state as { last: EncodedValue; n: number };
    this.last = decodeValue(saved.last);
    this.count = saved.n;
  }
}

function positional(name: "FIRST_VALUE" | "LAST_VALUE", ignoreNulls: boolean): AggregateFunction {
  return {
    name,
    resolve(args, distinct) {
      if (args.length !== 1) return wrongArity(name, 1);
      const type = args[0]!;
      if (!isComparable(type) && type.name !== "ROW") return cannotApply(name, args, `${name}(<ANY>)`);
      if (distinct) return { ok: false, message: `DISTINCT is not allowed in ${name}` };
      const create = name === "FIRST_VALUE" ? () => new FirstValueAccumulator(ignoreNulls) : () => new LastValueAccumulator(ignoreNulls);
      return { ok: true, value: { type: nullableCopy(type), create } };
    },
  };
}

export const firstValueFunction = positional("FIRST_VALUE", false);
export const lastValueFunction = positional("LAST_VALUE", false);

/** FIRST_VALUE(x) IGNORE NULLS and LAST_VALUE(x) IGNORE NULLS, by name. */
export const ignoreNullsAggregates: ReadonlyMap<string, AggregateFunction> = new Map([
  ["FIRST_VALUE", positional("FIRST_VALUE", true)],
  ["LAST_VALUE", positional("LAST_VALUE", true)],
]);
