/**
 * A first-in first-out list for window contents: rows enter at the back in ROWTIME order and
 * leave at the front as the window slides. An array with a moving head, compacted once the
 * leading dead part outweighs the live part, so both ends are O(1) amortised.
 */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The i-th live item from the front (0 = oldest). */
  at(index: number): T | undefined {
    return index < 0 ? undefined : this.items[this.head + index];
  }

  first(): T | undefined {
    return this.items[this.head];
  }

  last(): T | undefined {
    return this.items.length > this.head ? this.items[this.items.length - 1] : undefined;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 64 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  toArray(): T[] {
    return this.items.slice(this.head);
  }
}
