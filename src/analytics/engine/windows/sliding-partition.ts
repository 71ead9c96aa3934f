/**
 * The state of one partition of one sliding window: the rows inside the window (with the
 * arguments they were added with, so aggregates can remove them as the window slides), the
 * aggregates' accumulators, and for each window value function (LAG, FIRST_VALUE, LAST_VALUE,
 * NTH_VALUE) the values it may still read. Every list is bounded by the window; value functions
 * keep only what they can still answer from (LAG n: the last n values).
 */
import type { Accumulator } from "../../sql/functions/contracts.js";
import type { SqlValue } from "../../sql/types.js";
import { Deque } from "./deque.js";
import type { Frame } from "./frames.js";
import { decodeRow, decodeValue, encodeRow, encodeValue } from "./values.js";

export type ValueFunction =
  | { kind: "LAG"; offset: number; ignoreNulls: boolean }
  | { kind: "FIRST_VALUE"; ignoreNulls: boolean }
  | { kind: "LAST_VALUE"; ignoreNulls: boolean }
  | { kind: "NTH_VALUE"; n: number; fromLast: boolean; ignoreNulls: boolean };

interface Entry {
  rowtimeMs: number;
  seq: number;
  args: SqlValue[][];
}

interface ValueEntry {
  rowtimeMs: number;
  seq: number;
  value: SqlValue;
}

/** Whether an entry of row `seq` at `rowtimeMs` has left the window of the row `currentSeq` at `currentMs`. */
function outside(frame: Frame, seq: number, rowtimeMs: number, currentSeq: number, currentMs: number): boolean {
  if (frame.kind === "rows") return seq < currentSeq - frame.count;
  if (frame.kind === "range") return rowtimeMs < currentMs - frame.ms;
  return false;
}

/** How many values a function can still read, newest kept (undefined: every value in the window). */
function keepNewest(fn: ValueFunction): number | undefined {
  switch (fn.kind) {
    case "LAG":
      return fn.offset;
    case "LAST_VALUE":
      return 1;
    case "NTH_VALUE":
      return fn.fromLast ? fn.n : undefined;
    default:
      return undefined;
  }
}

export class PartitionState {
  seq = 0;
  lastRowtimeMs = Number.NEGATIVE_INFINITY;
  /** Rows in the window, for aggregates' remove(); empty for UNBOUNDED windows. */
  readonly entries = new Deque<Entry>();
  readonly values: Deque<ValueEntry>[];

  constructor(
    readonly keys: SqlValue[],
    readonly accumulators: Accumulator[],
    private readonly frame: Frame,
    private readonly functions: readonly ValueFunction[],
  ) {
    this.values = functions.map(() => new Deque<ValueEntry>());
  }

  /**
   * Adds the current row and writes the window's results: aggregates then value functions, in
   * `results` from `offset`. `values[i]` is value function i's argument on this row, `defaults[i]`
   * LAG's default.
   */
  addRow(rowtimeMs: number, args: SqlValue[][], values: SqlValue[], defaults: SqlValue[], results: SqlValue[], offset: number): void {
    const seq = this.seq++;
    this.lastRowtimeMs = rowtimeMs;
    const frame = this.frame;
    const accumulators = this.accumulators;
    if (accumulators.length > 0) {
      const entries = this.entries;
      for (let first = entries.first(); first !== undefined && outside(frame, first.seq, first.rowtimeMs, seq, rowtimeMs); first = entries.first()) {
        entries.shift();
        for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).remove(first.args[i] as SqlValue[]);
      }
      for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).add(args[i] as SqlValue[]);
      if (frame.kind !== "unbounded") entries.push({ rowtimeMs, seq, args });
      for (let i = 0; i < accumulators.length; i++) results[offset + i] = (accumulators[i] as Accumulator).result();
    }
    const base = offset + accumulators.length;
    for (let i = 0; i < this.functions.length; i++) {
      results[base + i] = this.valueResult(i, seq, rowtimeMs, values[i] as SqlValue, defaults[i] as SqlValue);
    }
  }

  private valueResult(index: number, seq: number, rowtimeMs: number, value: SqlValue, fallback: SqlValue): SqlValue {
    const fn = this.functions[index] as ValueFunction;
    const deque = this.values[index] as Deque<ValueEntry>;
    for (let first = deque.first(); first !== undefined && outside(this.frame, first.seq, first.rowtimeMs, seq, rowtimeMs); first = deque.first()) deque.shift();
    // LAG reads the rows before the current one; the others read the window including it.
    let lagged: SqlValue = null;
    if (fn.kind === "LAG") lagged = fn.offset === 0 ? value : deque.length >= fn.offset ? (deque.at(deque.length - fn.offset) as ValueEntry).value : fallback;
    if ((value !== null || !fn.ignoreNulls) && this.needs(fn, deque)) deque.push({ rowtimeMs, seq, value });
    const newest = keepNewest(fn);
    if (newest !== undefined) while (deque.length > newest) deque.shift();
    switch (fn.kind) {
      case "LAG":
        return lagged;
      case "FIRST_VALUE":
        return deque.first()?.value ?? null;
      case "LAST_VALUE":
        return deque.last()?.value ?? null;
      case "NTH_VALUE":
        return (fn.fromLast ? deque.at(deque.length - fn.n) : deque.at(fn.n - 1))?.value ?? null;
    }
  }

  /** In an UNBOUNDED window nothing leaves: FIRST_VALUE needs its first value only, NTH_VALUE its first n. */
  private needs(fn: ValueFunction, deque: Deque<ValueEntry>): boolean {
    if (this.frame.kind !== "unbounded") return true;
    if (fn.kind === "FIRST_VALUE") return deque.length === 0;
    if (fn.kind === "NTH_VALUE" && !fn.fromLast) return deque.length < fn.n;
    return true;
  }

  /** Drops entries that left a RANGE window by `timeMs` (no row of this partition came since). */
  evictBefore(timeMs: number): void {
    const accumulators = this.accumulators;
    for (let first = this.entries.first(); first !== undefined && first.rowtimeMs < timeMs; first = this.entries.first()) {
      this.entries.shift();
      for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).remove(first.args[i] as SqlValue[]);
    }
    for (const deque of this.values) for (let first = deque.first(); first !== undefined && first.rowtimeMs < timeMs; first = deque.first()) deque.shift();
  }

  snapshot(): unknown {
    return {
      keys: encodeRow(this.keys),
      seq: this.seq,
      lastRowtimeMs: Number.isFinite(this.lastRowtimeMs) ? this.lastRowtimeMs : null,
      entries: this.entries.toArray().map((entry) => [entry.rowtimeMs, entry.seq, entry.args.map(encodeRow)]),
      accumulators: this.accumulators.map((accumulator) => accumulator.snapshot()),
      values: this.values.map((deque) => deque.toArray().map((entry) => [entry.rowtimeMs, entry.seq, encodeValue(entry.value)])),
    };
  }

  restore(state: unknown): void {
    const saved = state as SavedPartition;
    this.seq = saved.seq;
    this.lastRowtimeMs = saved.lastRowtimeMs ?? Number.NEGATIVE_INFINITY;
    for (const [rowtimeMs, seq, args] of saved.entries) this.entries.push({ rowtimeMs, seq, args: args.map(decodeRow) });
    saved.accumulators.forEach((accumulator, index) => (this.accumulators[index] as Accumulator).restore(accumulator));
    saved.values.forEach((entries, index) => {
      for (const [rowtimeMs, seq, value] of entries) (this.values[index] as Deque<ValueEntry>).push({ rowtimeMs, seq, value: decodeValue(value) });
    });
  }
}

export interface SavedPartition {
  keys: unknown;
  seq: number;
  lastRowtimeMs: number | null;
  entries: [number, number, unknown[]][];
  accumulators: unknown[];
  values: [number, number, unknown][][];
}
