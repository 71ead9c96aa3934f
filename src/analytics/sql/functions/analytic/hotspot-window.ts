/**
 * The last `windowSize` points of a stream and the dense regions among them, found as DBSCAN
 * (Ester, Kriegel, Sander, Xu 1996) finds clusters — the reference likens scanRadius to DBSCAN's
 * epsilon: a point with at least minimumNumberOfPointsInAHotspot points (itself included) within
 * scanRadius is a core point; core points within scanRadius of each other share a hotspot, and
 * points within scanRadius of a core point belong to it.
 *
 * Incremental: each point's neighbour count is kept as points enter and leave (neighbours found
 * through a grid of scanRadius-sized cells in up to three dimensions, by a scan beyond), and the
 * hotspots are recomputed only when a change touched a core point.
 */
import { decodeFloat64, decodeInt32, encodeFloat64, encodeInt32 } from "../aggregate/value-codec.js";

export interface Hotspot {
  count: number;
  min: number[];
  max: number[];
}

export interface HotspotWindowState {
  sequence: number;
  points: string;
  live: string;
}

/** Grids pay off while the 3^d neighbouring cells are few. */
const gridDimensionsMax = 3;

export class HotspotWindow {
  private readonly points: Float64Array;
  private readonly live: Int32Array;
  private readonly neighbours: Int32Array;
  private sequence = 0;
  private readonly grid = new Map<number, number[]>();
  private readonly offsets: number[][];
  private readonly radiusSquared: number;
  private dirty = true;
  private hotspots: Hotspot[] = [];
  /** Scratch for the clustering. */
  private readonly label: Int32Array;
  private readonly queue: Int32Array;
  private readonly visitedKeys: number[] = [];

  constructor(
    private readonly windowSize: number,
    private readonly dim: number,
    private readonly radius: number,
    private readonly minimumPoints: number,
  ) {
    this.points = new Float64Array(windowSize * dim);
    this.live = new Int32Array(windowSize);
    this.neighbours = new Int32Array(windowSize);
    this.label = new Int32Array(windowSize);
    this.queue = new Int32Array(windowSize);
    this.radiusSquared = radius * radius;
    this.offsets = dim <= gridDimensionsMax ? cellOffsets(dim) : [];
  }

  add(values: ArrayLike<number>): void {
    const slot = this.sequence % this.windowSize;
    this.sequence++;
    if (this.live[slot] === 1) this.evict(slot);
    this.points.set(values, slot * this.dim);
    this.live[slot] = 1;
    let count = 0;
    this.forEachNeighbour(slot, (other) => {
      count++;
      const before = this.neighbours[other]!;
      this.neighbours[other] = before + 1;
      if (before + 2 >= this.minimumPoints) this.dirty = true;
    });
    this.neighbours[slot] = count;
    if (count + 1 >= this.minimumPoints) this.dirty = true;
    if (this.offsets.length > 0) this.cellOf(slot, true).push(slot);
  }

  /** The current hotspots (recomputed only when something near a core point changed). */
  current(): Hotspot[] {
    if (this.dirty) {
      this.hotspots = this.cluster();
      this.dirty = false;
    }
    return this.hotspots;
  }

  snapshot(): HotspotWindowState {
    return { sequence: this.sequence, points: encodeFloat64(this.points), live: encodeInt32(this.live) };
  }

  restore(state: HotspotWindowState): void {
    this.sequence = state.sequence;
    this.points.set(decodeFloat64(state.points));
    this.live.set(decodeInt32(state.live));
    this.grid.clear();
    this.neighbours.fill(0);
    for (let slot = 0; slot < this.windowSize; slot++) {
      if (this.live[slot] !== 1) continue;
      if (this.offsets.length > 0) this.cellOf(slot, true).push(slot);
    }
    for (let slot = 0; slot < this.windowSize; slot++) {
      if (this.live[slot] !== 1) continue;
      let count = 0;
      this.forEachNeighbour(slot, () => count++);
      this.neighbours[slot] = count;
    }
    this.dirty = true;
  }

  private evict(slot: number): void {
    this.live[slot] = 0;
    if (this.offsets.length > 0) {
      const cell = this.cellOf(slot, false);
      const at = cell.indexOf(slot);
      if (at >= 0) cell.splice(at, 1);
    }
    if (this.neighbours[slot]! + 1 >= this.minimumPoints) this.dirty = true;
    this.forEachNeighbour(slot, (other) => {
      const before = this.neighbours[other]!;
      this.neighbours[other] = before - 1;
      if (before + 1 >= this.minimumPoints) this.dirty = true;
    });
  }

  private cluster(): Hotspot[] {
    const label = this.label.fill(-1);
    const queue = this.queue;
    const dim = this.dim;
    const found: Hotspot[] = [];
    for (let seed = 0; seed < this.windowSize; seed++) {
      if (this.live[seed] !== 1 || label[seed] !== -1 || !this.isCore(seed)) continue;
      const id = found.length;
      const hotspot: Hotspot = { count: 0, min: new Array<number>(dim).fill(Infinity), max: new Array<number>(dim).fill(-Infinity) };
      found.push(hotspot);
      let head = 0;
      let tail = 0;
      label[seed] = id;
      queue[tail++] = seed;
      this.include(hotspot, seed);
      while (head < tail) {
        const core = queue[head++]!;
        this.forEachNeighbour(core, (other) => {
          if (label[other] !== -1) return;
          label[other] = id;
          this.include(hotspot, other);
          if (this.isCore(other)) queue[tail++] = other;
        });
      }
    }
    return found;
  }

  private include(hotspot: Hotspot, slot: number): void {
    hotspot.count++;
    const base = slot * this.dim;
    for (let i = 0; i < this.dim; i++) {
      const value = this.points[base + i]!;
      if (value < hotspot.min[i]!) hotspot.min[i] = value;
      if (value > hotspot.max[i]!) hotspot.max[i] = value;
    }
  }

  private isCore(slot: number): boolean {
    return this.neighbours[slot]! + 1 >= this.minimumPoints;
  }

  /** Calls `visit` for every other live point within the radius of `slot`'s point. */
  private forEachNeighbour(slot: number, visit: (other: number) => void): void {
    if (this.offsets.length === 0) {
      for (let other = 0; other < this.windowSize; other++) {
        if (other !== slot && this.live[other] === 1 && this.near(slot, other)) visit(other);
      }
      return;
    }
    const base = slot * this.dim;
    const visited = this.visitedKeys;
    visited.length = 0;
    for (const offset of this.offsets) {
      const key = this.cellKey(base, offset);
      // Two neighbouring cells whose hashes collide are one list: visit it once.
      if (visited.includes(key)) continue;
      visited.push(key);
      const cell = this.grid.get(key);
      if (cell === undefined) continue;
      for (const other of cell) if (other !== slot && this.live[other] === 1 && this.near(slot, other)) visit(other);
    }
  }

  private near(a: number, b: number): boolean {
    const dim = this.dim;
    const points = this.points;
    let sum = 0;
    for (let i = 0; i < dim; i++) {
      const delta = points[a * dim + i]! - points[b * dim + i]!;
      sum += delta * delta;
    }
    return sum <= this.radiusSquared;
  }

  private cellOf(slot: number, create: boolean): number[] {
    const key = this.cellKey(slot * this.dim, undefined);
    let cell = this.grid.get(key);
    if (cell === undefined) {
      cell = [];
      if (create) this.grid.set(key, cell);
    } else if (!create && cell.length === 1) {
      this.grid.delete(key);
    }
    return cell;
  }

  /** A hash of the cell holding the point at `base`, shifted by `offset` cells; collisions only add candidates. */
  private cellKey(base: number, offset: number[] | undefined): number {
    let key = 0;
    for (let i = 0; i < this.dim; i++) {
      const cell = Math.floor(this.points[base + i]! / this.radius) + (offset === undefined ? 0 : offset[i]!);
      key = (Math.imul(key, 0x01000193) ^ Math.imul(cell, 0x9e3779b1)) | 0;
    }
    return key;
  }
}

/** Every offset in {-1, 0, 1}^dim. */
function cellOffsets(dim: number): number[][] {
  let offsets: number[][] = [[]];
  for (let i = 0; i < dim; i++) offsets = offsets.flatMap((prefix) => [-1, 0, 1].map((step) => [...prefix, step]));
  return offsets;
}
