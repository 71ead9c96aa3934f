/**
 * A tree's sample of the stream: time-decayed reservoir sampling as in AWS's reference
 * implementation (CompactSampler). The point with sequence number t draws the weight
 * −λ·t + log(−log u), u uniform in (0, 1); the sampler keeps the `capacity` smallest weights, so
 * newer points are favoured with a memory of about 1/λ points (λ = 1/timeDecay). While not full it
 * takes every point. The sample's points live here (one slot each, packed 0..size−1) because
 * evicting a point means finding it in the tree again.
 */
import type { Sfc32 } from "../rng.js";

export interface SamplerState {
  size: number;
  weights: Float64Array;
  heap: Int32Array;
  points: Float64Array;
}

/** What offering a point decided: taken into `slot` (after evicting its old point, if `evicted`), or not. */
export interface Offer {
  accepted: boolean;
  evicted: boolean;
  slot: number;
}

export class TimeDecaySampler {
  private size = 0;
  /** Weight of the point in each slot. */
  private readonly weights: Float64Array;
  /** Slots as a max-heap by weight: the top is the next to go. */
  private readonly heap: Int32Array;
  readonly points: Float64Array;
  private readonly offer: Offer = { accepted: false, evicted: false, slot: 0 };

  constructor(
    private readonly capacity: number,
    private readonly dim: number,
    private readonly lambda: number,
  ) {
    this.weights = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.points = new Float64Array(capacity * dim);
  }

  /**
   * Decides on the point with sequence number `sequence`; when accepted, `slot` is where its
   * coordinates go (the caller copies them after deleting an evicted point from the tree).
   * The returned object is reused by the next call.
   */
  consider(sequence: number, rng: Sfc32): Offer {
    const weight = -this.lambda * sequence + Math.log(-Math.log(rng.nextOpenUnit()));
    const offer = this.offer;
    if (this.size < this.capacity) {
      const slot = this.size++;
      this.weights[slot] = weight;
      this.siftUp(this.size - 1, slot);
      offer.accepted = true;
      offer.evicted = false;
      offer.slot = slot;
      return offer;
    }
    const top = this.heap[0]!;
    if (weight >= this.weights[top]!) {
      offer.accepted = false;
      return offer;
    }
    this.weights[top] = weight;
    this.siftDown(0, top);
    offer.accepted = true;
    offer.evicted = true;
    offer.slot = top;
    return offer;
  }

  store(slot: number, point: Float64Array, at: number): void {
    this.points.set(point.subarray(at, at + this.dim), slot * this.dim);
  }

  snapshot(): SamplerState {
    return { size: this.size, weights: this.weights, heap: this.heap, points: this.points };
  }

  restore(state: SamplerState): void {
    this.size = state.size;
    this.weights.set(state.weights);
    this.heap.set(state.heap);
    this.points.set(state.points);
  }

  private siftUp(start: number, slot: number): void {
    const heap = this.heap;
    const weight = this.weights[slot]!;
    let at = start;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.weights[heap[parent]!]! >= weight) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = slot;
  }

  private siftDown(start: number, slot: number): void {
    const heap = this.heap;
    const weight = this.weights[slot]!;
    const size = this.size;
    let at = start;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && this.weights[heap[child + 1]!]! > this.weights[heap[child]!]!) child++;
      if (this.weights[heap[child]!]! <= weight) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = slot;
  }
}
