/**
 * The values of a group with their counts, and the smallest (or largest) of them: what MIN and MAX
 * need to survive removals from a sliding window. Counts live in a Map (one entry per distinct
 * value), order in a binary heap of keys with lazy deletion: a key whose count reaches zero stays
 * in the heap until it surfaces at the top, and the heap is rebuilt from the Map when stale keys
 * outnumber live ones. Add, remove and extreme are O(log d) amortised for d distinct values.
 */
import type { SqlValue } from "../../types.js";
import { decodeValue, encodeValue, valueKey, type EncodedValue, type ValueKey } from "./value-codec.js";

interface Entry {
  value: SqlValue;
  count: number;
}

/** Rebuild once the heap holds this many more keys than there are live values, plus slack. */
const staleSlack = 32;

export class CountedMultiset {
  private readonly counts = new Map<ValueKey, Entry>();
  private heap: ValueKey[] = [];

  /** `largestFirst`: the extreme is the maximum (MAX) rather than the minimum (MIN). */
  constructor(private readonly largestFirst: boolean) {}

  get size(): number {
    return this.counts.size;
  }

  add(value: Exclude<SqlValue, null>): void {
    const key = valueKey(value);
    const entry = this.counts.get(key);
    if (entry !== undefined) {
      entry.count++;
      return;
    }
    this.counts.set(key, { value, count: 1 });
    this.push(key);
  }

  remove(value: Exclude<SqlValue, null>): void {
    const key = valueKey(value);
    const entry = this.counts.get(key);
    if (entry === undefined) return;
    if (--entry.count > 0) return;
    this.counts.delete(key);
    if (this.counts.size === 0) this.heap = [];
    else if (this.heap.length > 2 * this.counts.size + staleSlack) this.rebuild();
  }

  /** The minimum (or maximum) live value, or null when empty. */
  extreme(): SqlValue {
    const heap = this.heap;
    while (heap.length > 0) {
      const entry = this.counts.get(heap[0]!);
      if (entry !== undefined) return entry.value;
      this.popTop();
    }
    return null;
  }

  snapshot(): [EncodedValue, number][] {
    return [...this.counts.values()].map((entry) => [encodeValue(entry.value), entry.count]);
  }

  restore(entries: readonly [EncodedValue, number][]): void {
    this.counts.clear();
    for (const [encoded, count] of entries) {
      const value = decodeValue(encoded) as Exclude<SqlValue, null>;
      this.counts.set(valueKey(value), { value, count });
    }
    this.rebuild();
  }

  private before(a: ValueKey, b: ValueKey): boolean {
    return this.largestFirst ? a > b : a < b;
  }

  private push(key: ValueKey): void {
    const heap = this.heap;
    let at = heap.length;
    heap.push(key);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(key, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = key;
  }

  private popTop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    this.siftDown(0, last);
  }

  private siftDown(start: number, key: ValueKey): void {
    const heap = this.heap;
    const length = heap.length;
    let at = start;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= length) break;
      if (child + 1 < length && this.before(heap[child + 1]!, heap[child]!)) child++;
      if (!this.before(heap[child]!, key)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = key;
  }

  private rebuild(): void {
    this.heap = [...this.counts.keys()];
    for (let at = (this.heap.length >> 1) - 1; at >= 0; at--) this.siftDown(at, this.heap[at]!);
  }
}
