/**
 * MIN and MAX over any ordered type (numbers, strings, date-times, intervals, booleans, binary):
 * the result has the argument's type; nulls are ignored; an empty group gives null; DISTINCT changes
 * nothing (the extreme of the distinct values is the extreme of the values).
 *
 * State is a monotonic deque — the values that can still become the extreme: for MAX, each value
 * newer than and at least as large as every value behind it, largest (the result) first. A new
 * value drops the ones it outranks from the back; a removal drops the front when it is the row
 * leaving. Sliding windows remove rows in arrival order (the engine's windows keep them in a FIFO),
 * so "the row leaving" is the oldest row not yet removed, and each value enters and leaves the
 * deque once: O(1) amortised per row. A GROUP BY window, which only adds, keeps just the running
 * candidates — about ln n of them for values in random order, not one entry per distinct value.
 * A removal that is not the oldest row is a programmer error and throws.
 */
import type { SqlValue } from "../../types.js";
import type { Accumulator, AggregateFunction } from "../contracts.js";
import { decodeValue, encodeValue, valueKey, type EncodedValue, type ValueKey } from "./value-codec.js";
import { cannotApply, isComparable, nullableCopy, wrongArity } from "./type-rules.js";

interface ExtremeState {
  entries: [EncodedValue, number][];
  added: number;
  removed: number;
}

class ExtremeAccumulator implements Accumulator {
  private values: SqlValue[] = [];
  private keys: ValueKey[] = [];
  /** The arrival number of each deque entry (counting non-null values). */
  private arrivals: number[] = [];
  /** The deque is entries head..size-1 of the arrays (which are reused, never shortened). */
  private head = 0;
  private size = 0;
  private added = 0;
  private removed = 0;

  constructor(private readonly largest: boolean) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0];
    if (value === null || value === undefined) return;
    const key = valueKey(value);
    const keys = this.keys;
    // Entries the new value outranks (or equals) can never be the extreme again.
    let end = this.size;
    if (this.largest) while (end > this.head && keys[end - 1]! <= key) end--;
    else while (end > this.head && keys[end - 1]! >= key) end--;
    if (end === keys.length) {
      keys.push(key);
      this.values.push(value);
      this.arrivals.push(this.added++);
    } else {
      keys[end] = key;
      this.values[end] = value;
      this.arrivals[end] = this.added++;
    }
    this.size = end + 1;
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0];
    if (value === null || value === undefined) return;
    const leaving = this.removed++;
    if (this.head >= this.size || this.arrivals[this.head] !== leaving) return; // already outranked
    if (this.keys[this.head] !== valueKey(value)) throw new Error("MIN/MAX: rows must leave a window in the order they arrived");
    this.head++;
    if (this.head === this.size) {
      this.head = 0;
      this.size = 0;
    } else if (this.head > 1024 && this.head * 2 > this.size) {
      this.values = this.values.slice(this.head, this.size);
      this.keys = this.keys.slice(this.head, this.size);
      this.arrivals = this.arrivals.slice(this.head, this.size);
      this.size -= this.head;
      this.head = 0;
    }
  }

  result(): SqlValue {
    return this.head < this.size ? this.values[this.head]! : null;
  }

  snapshot(): ExtremeState {
    const entries: [EncodedValue, number][] = [];
    for (let i = this.head; i < this.size; i++) entries.push([encodeValue(this.values[i]!), this.arrivals[i]!]);
    return { entries, added: this.added, removed: this.removed };
  }

  restore(state: unknown): void {
    const saved = state as ExtremeState;
    this.values = saved.entries.map(([encoded]) => decodeValue(encoded));
    this.keys = this.values.map((value) => valueKey(value as Exclude<SqlValue, null>));
    this.arrivals = saved.entries.map(([, arrival]) => arrival);
    this.head = 0;
    this.size = this.values.length;
    this.added = saved.added;
    this.removed = saved.removed;
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
