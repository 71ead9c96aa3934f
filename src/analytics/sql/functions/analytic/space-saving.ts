/**
 * Frequent items in bounded memory: Metwally, Agrawal and El Abbadi's Space-Saving (2005). Up to
 * `capacity` items are counted exactly; past that, a new item takes over the least-counted slot and
 * inherits its count (plus one), so counts are over-estimates by at most the smallest count and any
 * item more frequent than N/capacity is always kept. With at most `capacity` distinct items in a
 * window every count is exact. Slots sit in a min-heap by count (O(log capacity) per item).
 */
import type { SqlValue } from "../../types.js";
import { decodeValue, encodeValue, valueKey, type EncodedValue, type ValueKey } from "../aggregate/value-codec.js";

export type SpaceSavingState = [EncodedValue, number, number][];

export class SpaceSaving {
  private readonly slotOf = new Map<ValueKey, number>();
  private keys: ValueKey[] = [];
  private values: SqlValue[] = [];
  private counts: number[] = [];
  /** When each slot's item arrived, to order ties by first appearance. */
  private arrivals: number[] = [];
  private heap: number[] = [];
  private position: number[] = [];
  private arrivalCount = 0;

  constructor(private readonly capacity: number) {}

  add(value: Exclude<SqlValue, null>): void {
    const key = valueKey(value);
    const slot = this.slotOf.get(key);
    if (slot !== undefined) {
      this.counts[slot]!++;
      this.siftDown(this.position[slot]!);
      return;
    }
    if (this.keys.length < this.capacity) {
      const fresh = this.keys.length;
      this.keys.push(key);
      this.values.push(value);
      this.counts.push(1);
      this.arrivals.push(this.arrivalCount++);
      this.position.push(this.heap.length);
      this.heap.push(fresh);
      this.slotOf.set(key, fresh);
      this.siftUp(this.heap.length - 1);
      return;
    }
    const victim = this.heap[0]!;
    this.slotOf.delete(this.keys[victim]!);
    this.keys[victim] = key;
    this.values[victim] = value;
    this.counts[victim]!++;
    this.arrivals[victim] = this.arrivalCount++;
    this.slotOf.set(key, victim);
    this.siftDown(0);
  }

  /** The k most counted items, most counted first (ties: first seen first). */
  top(k: number): { value: SqlValue; count: number }[] {
    const slots = [...this.keys.keys()];
    slots.sort((a, b) => this.counts[b]! - this.counts[a]! || this.arrivals[a]! - this.arrivals[b]!);
    return slots.slice(0, k).map((slot) => ({ value: this.values[slot]!, count: this.counts[slot]! }));
  }

  snapshot(): SpaceSavingState {
    return this.keys.map((_, slot) => [encodeValue(this.values[slot]!), this.counts[slot]!, this.arrivals[slot]!]);
  }

  restore(state: SpaceSavingState): void {
    this.slotOf.clear();
    this.keys = [];
    this.values = [];
    this.counts = [];
    this.arrivals = [];
    this.heap = [];
    this.position = [];
    this.arrivalCount = 0;
    for (const [encoded, count, arrival] of state) {
      const value = decodeValue(encoded);
      const slot = this.keys.length;
      this.keys.push(valueKey(value as Exclude<SqlValue, null>));
      this.values.push(value);
      this.counts.push(count);
      this.arrivals.push(arrival);
      this.slotOf.set(this.keys[slot]!, slot);
      this.position.push(slot);
      this.heap.push(slot);
      this.arrivalCount = Math.max(this.arrivalCount, arrival + 1);
    }
    for (let at = (this.heap.length >> 1) - 1; at >= 0; at--) this.siftDown(at);
  }

  private less(a: number, b: number): boolean {
    return this.counts[a]! < this.counts[b]! || (this.counts[a] === this.counts[b] && this.arrivals[a]! > this.arrivals[b]!);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    this.position[b] = i;
    this.position[a] = j;
  }

  private siftUp(start: number): void {
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(this.heap[at]!, this.heap[parent]!)) break;
      this.swap(at, parent);
      at = parent;
    }
  }

  private siftDown(start: number): void {
    let at = start;
    const length = this.heap.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= length) break;
      if (child + 1 < length && this.less(this.heap[child + 1]!, this.heap[child]!)) child++;
      if (!this.less(this.heap[child]!, this.heap[at]!)) break;
      this.swap(at, child);
      at = child;
    }
  }
}
