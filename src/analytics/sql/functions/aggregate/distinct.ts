/**
 * The DISTINCT form of any one-argument aggregate (SUM(DISTINCT x), AVG(DISTINCT x) OVER w, …): each
 * distinct non-null value is counted, and the inner accumulator sees a value when its count goes
 * from 0 to 1 and loses it when the count returns to 0, so sliding windows stay exact. Nulls are
 * ignored, as every aggregate ignores them. State: one entry per distinct value in the group.
 */
import type { SqlValue } from "../../types.js";
import type { Accumulator } from "../contracts.js";
import { decodeValue, encodeValue, valueKey, type EncodedValue, type ValueKey } from "./value-codec.js";

interface DistinctEntry {
  value: SqlValue;
  count: number;
}

interface DistinctState {
  entries: [EncodedValue, number][];
  inner: unknown;
}

class DistinctAccumulator implements Accumulator {
  private readonly counts = new Map<ValueKey, DistinctEntry>();

  constructor(private readonly inner: Accumulator) {}

  add(args: readonly SqlValue[]): void {
    const value = args[0];
    if (value === null || value === undefined) return;
    const key = valueKey(value);
    const entry = this.counts.get(key);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    this.counts.set(key, { value, count: 1 });
    this.inner.add(args);
  }

  remove(args: readonly SqlValue[]): void {
    const value = args[0];
    if (value === null || value === undefined) return;
    const key = valueKey(value);
    const entry = this.counts.get(key);
    if (entry === undefined) return;
    if (--entry.count > 0) return;
    this.counts.delete(key);
    this.inner.remove([entry.value, ...args.slice(1)]);
  }

  result(): SqlValue {
    return this.inner.result();
  }

  snapshot(): DistinctState {
    return { entries: [...this.counts.values()].map((entry) => [encodeValue(entry.value), entry.count]), inner: this.inner.snapshot() };
  }

  restore(state: unknown): void {
    const saved = state as DistinctState;
    this.counts.clear();
    for (const [encoded, count] of saved.entries) {
      const value = decodeValue(encoded);
      this.counts.set(valueKey(value as Exclude<SqlValue, null>), { value, count });
    }
    this.inner.restore(saved.inner);
  }
}

export function withDistinct(inner: Accumulator): Accumulator {
  return new DistinctAccumulator(inner);
}
