/**
 * One random cut tree of a Robust Random Cut Forest (Guha, Mishra, Roy, Schrijvers, "Robust Random
 * Cut Forest Based Anomaly Detection on Streams", ICML 2016), over the points its sampler keeps.
 *
 * Insertion is the paper's InsertPoint: at each node, draw a cut in the box of the node's points
 * merged with the new point (a dimension with probability proportional to its range, a value
 * uniform in it); a cut that separates the new point from the node's box makes a new internal node
 * above it, otherwise the point goes down the node's own cut. Deletion replaces the leaf's parent by
 * its sibling. A point equal to a leaf's point raises the leaf's mass instead.
 *
 * Scoring follows AWS's reference implementation (random-cut-forest-by-aws, AnomalyScoreVisitor and
 * AnomalyAttributionVisitor): walking from the leaf where the point would land up to the root, the
 * score is 1/(depth+1) at that leaf (or, for a point already in the tree, (1 - mass/2N) /
 * (depth + log2(mass+1))), and at each ancestor it becomes p/(depth+1) + (1-p)·score, where p is
 * the probability that a random cut of the node's box merged with the point separates the point —
 * the sum of the box's growth over the merged box's total range. The result is scaled by
 * log2(N+1) for a tree of N points. The attribution splits the same sum per dimension into the
 * growth above the box (HIGH) and below it (LOW); per tree the parts add up to the score.
 *
 * Storage is flat typed arrays over node ids (at most 2·capacity − 1 nodes): no allocation per point.
 */
import type { Sfc32 } from "../rng.js";

const none = -1;

export interface TreeState {
  root: number;
  freeTop: number;
  free: Int32Array;
  left: Int32Array;
  right: Int32Array;
  parent: Int32Array;
  cutDim: Int32Array;
  mass: Int32Array;
  cutValue: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
}

export class RandomCutTree {
  private root = none;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly parent: Int32Array;
  private readonly cutDim: Int32Array;
  private readonly mass: Int32Array;
  private readonly cutValue: Float64Array;
  /** Each node's bounding box, dim values per node; a leaf's box is its point. */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Scratch: the path of a search, and per-dimension attribution parts. */
  private readonly path: Int32Array;
  private readonly high: Float64Array;
  private readonly low: Float64Array;

  constructor(
    private readonly dim: number,
    capacity: number,
  ) {
    const nodes = 2 * capacity;
    this.left = new Int32Array(nodes).fill(none);
    this.right = new Int32Array(nodes).fill(none);
    this.parent = new Int32Array(nodes).fill(none);
    this.cutDim = new Int32Array(nodes);
    this.mass = new Int32Array(nodes);
    this.cutValue = new Float64Array(nodes);
    this.lo = new Float64Array(nodes * dim);
    this.hi = new Float64Array(nodes * dim);
    this.free = new Int32Array(nodes);
    for (let i = 0; i < nodes; i++) this.free[i] = nodes - 1 - i;
    this.freeTop = nodes;
    this.path = new Int32Array(nodes + 1);
    this.high = new Float64Array(dim);
    this.low = new Float64Array(dim);
  }

  /** Points in the tree, counting repeats. */
  get totalMass(): number {
    return this.root === none ? 0 : this.mass[this.root]!;
  }

  insert(point: Float64Array, at: number, rng: Sfc32): void {
    const dim = this.dim;
    if (this.root === none) {
      this.root = this.newLeaf(point, at);
      return;
    }
    let node = this.root;
    for (;;) {
      const base = node * dim;
      let range = 0;
      for (let i = 0; i < dim; i++) range += Math.max(this.hi[base + i]!, point[at + i]!) - Math.min(this.lo[base + i]!, point[at + i]!);
      if (range === 0) {
        // The merged box is a single point: `node` is a leaf holding this very point.
        this.growAncestors(node, point, at, true);
        return;
      }
      let breakPoint = rng.nextUnit() * range;
      let cutDim = -1;
      let cutValue = 0;
      for (let i = 0; i < dim; i++) {
        const min = Math.min(this.lo[base + i]!, point[at + i]!);
        const max = Math.max(this.hi[base + i]!, point[at + i]!);
        const gap = max - min;
        if (gap <= 0) continue;
        cutDim = i;
        if (breakPoint < gap) {
          cutValue = min + breakPoint;
          break;
        }
        breakPoint -= gap;
        // Rounding ran past the last range: cut at its top, kept inside [min, max).
        cutValue = max;
      }
      const boxMin = this.lo[base + cutDim]!;
      const boxMax = this.hi[base + cutDim]!;
      const value = point[at + cutDim]!;
      const mergedMax = Math.max(boxMax, value);
      if (cutValue >= mergedMax) cutValue = nextDown(mergedMax);
      if ((value <= cutValue && cutValue < boxMin) || (value > cutValue && cutValue >= boxMax)) {
        this.splitAbove(node, point, at, cutDim, cutValue);
        return;
      }
      node = point[at + this.cutDim[node]!]! <= this.cutValue[node]! ? this.left[node]! : this.right[node]!;
    }
  }

  /** Removes one copy of `point`, which must be in the tree. */
  delete(point: Float64Array, at: number): void {
    const leaf = this.findLeaf(point, at);
    if (leaf === none) throw new Error("random cut tree: deleting a point that is not in the tree");
    if (this.mass[leaf]! > 1) {
      for (let node = leaf; node !== none; node = this.parent[node]!) this.mass[node]!--;
      return;
    }
    const parent = this.parent[leaf]!;
    this.release(leaf);
    if (parent === none) {
      this.root = none;
      return;
    }
    const sibling = this.left[parent] === leaf ? this.right[parent]! : this.left[parent]!;
    const grand = this.parent[parent]!;
    this.parent[sibling] = grand;
    if (grand === none) this.root = sibling;
    else if (this.left[grand] === parent) this.left[grand] = sibling;
    else this.right[grand] = sibling;
    this.release(parent);
    for (let node = grand; node !== none; node = this.parent[node]!) {
      this.mass[node]!--;
      this.unionChildren(node);
    }
  }

  /** The point's anomaly score in this tree (0 for an empty tree). */
  score(point: Float64Array, at: number): number {
    const depth = this.descend(point, at);
    if (depth < 0) return 0;
    const treeMass = this.mass[this.root]!;
    const path = this.path;
    const leaf = path[depth]!;
    let score: number;
    if (this.isSamePoint(leaf, point, at)) {
      const leafMass = this.mass[leaf]!;
      score = (1 - leafMass / (2 * treeMass)) / (depth + Math.log2(leafMass + 1));
    } else {
      score = 1 / (depth + 1);
      const dim = this.dim;
      const lo = this.lo;
      const hi = this.hi;
      for (let level = depth - 1; level >= 0; level--) {
        // The probability that a random cut of the node's box merged with the point separates it.
        const base = path[level]! * dim;
        let newRange = 0;
        let growth = 0;
        for (let i = 0; i < dim; i++) {
          const value = point[at + i]!;
          const min = lo[base + i]!;
          const max = hi[base + i]!;
          if (value > max) {
            newRange += value - min;
            growth += value - max;
          } else if (value < min) {
            newRange += max - value;
            growth += min - value;
          } else {
            newRange += max - min;
          }
        }
        if (growth <= 0) break;
        const p = growth / newRange;
        score = p / (level + 1) + (1 - p) * score;
      }
    }
    return score * Math.log2(treeMass + 1);
  }

  /**
   * Adds this tree's attribution of the point's score to `high` and `low` (one entry per dimension),
   * scaled by `weight`; the entries this call adds sum to weight × score.
   */
  addAttribution(point: Float64Array, at: number, weight: number, high: Float64Array, low: Float64Array): void {
    const depth = this.descend(point, at);
    if (depth < 0) return;
    const dim = this.dim;
    const treeMass = this.mass[this.root]!;
    const leaf = this.path[depth]!;
    const h = this.high;
    const l = this.low;
    if (this.isSamePoint(leaf, point, at)) {
      // A point already in the tree: no dimension stands out, so an equal split (as the reference does).
      const leafMass = this.mass[leaf]!;
      const share = (1 - leafMass / (2 * treeMass)) / (depth + Math.log2(leafMass + 1)) / (2 * dim);
      h.fill(share);
      l.fill(share);
    } else {
      const leafScore = 1 / (depth + 1);
      const base = leaf * dim;
      let total = 0;
      for (let i = 0; i < dim; i++) total += Math.abs(point[at + i]! - this.lo[base + i]!);
      for (let i = 0; i < dim; i++) {
        const gap = point[at + i]! - this.lo[base + i]!;
        h[i] = gap > 0 ? (leafScore * gap) / total : 0;
        l[i] = gap < 0 ? (-leafScore * gap) / total : 0;
      }
      const lo = this.lo;
      const hi = this.hi;
      const path = this.path;
      for (let level = depth - 1; level >= 0; level--) {
        const nodeBase = path[level]! * dim;
        let newRange = 0;
        let growth = 0;
        for (let i = 0; i < dim; i++) {
          const value = point[at + i]!;
          const min = lo[nodeBase + i]!;
          const max = hi[nodeBase + i]!;
          if (value > max) {
            newRange += value - min;
            growth += value - max;
          } else if (value < min) {
            newRange += max - value;
            growth += min - value;
          } else {
            newRange += max - min;
          }
        }
        if (growth <= 0) break;
        const keep = 1 - growth / newRange;
        const perUnit = 1 / ((level + 1) * newRange);
        for (let i = 0; i < dim; i++) {
          const value = point[at + i]!;
          const above = value - hi[nodeBase + i]!;
          const below = lo[nodeBase + i]! - value;
          h[i] = (above > 0 ? above * perUnit : 0) + keep * h[i]!;
          l[i] = (below > 0 ? below * perUnit : 0) + keep * l[i]!;
        }
      }
    }
    const scale = weight * Math.log2(treeMass + 1);
    for (let i = 0; i < dim; i++) {
      high[i] = high[i]! + h[i]! * scale;
      low[i] = low[i]! + l[i]! * scale;
    }
  }

  snapshot(): TreeState {
    return {
      root: this.root,
      freeTop: this.freeTop,
      free: this.free,
      left: this.left,
      right: this.right,
      parent: this.parent,
      cutDim: this.cutDim,
      mass: this.mass,
      cutValue: this.cutValue,
      lo: this.lo,
      hi: this.hi,
    };
  }

  restore(state: TreeState): void {
    this.root = state.root;
    this.freeTop = state.freeTop;
    this.free.set(state.free);
    this.left.set(state.left);
    this.right.set(state.right);
    this.parent.set(state.parent);
    this.cutDim.set(state.cutDim);
    this.mass.set(state.mass);
    this.cutValue.set(state.cutValue);
    this.lo.set(state.lo);
    this.hi.set(state.hi);
  }

  /** Fills `path` root → leaf for the point; answers the leaf's depth, or -1 for an empty tree. */
  private descend(point: Float64Array, at: number): number {
    let node = this.root;
    if (node === none) return -1;
    const left = this.left;
    const right = this.right;
    const cutDim = this.cutDim;
    const cutValue = this.cutValue;
    const path = this.path;
    let depth = 0;
    path[0] = node;
    let next = left[node]!;
    while (next !== none) {
      node = point[at + cutDim[node]!]! <= cutValue[node]! ? next : right[node]!;
      path[++depth] = node;
      next = left[node]!;
    }
    return depth;
  }

  private findLeaf(point: Float64Array, at: number): number {
    const depth = this.descend(point, at);
    if (depth < 0) return none;
    const leaf = this.path[depth]!;
    return this.isSamePoint(leaf, point, at) ? leaf : none;
  }

  private isSamePoint(leaf: number, point: Float64Array, at: number): boolean {
    const base = leaf * this.dim;
    for (let i = 0; i < this.dim; i++) if (this.lo[base + i] !== point[at + i]) return false;
    return true;
  }

  /** A new internal node above `node`, cutting the new point's leaf off from it. */
  private splitAbove(node: number, point: Float64Array, at: number, cutDim: number, cutValue: number): void {
    const leaf = this.newLeaf(point, at);
    const internal = this.allocate();
    const above = this.parent[node]!;
    this.cutDim[internal] = cutDim;
    this.cutValue[internal] = cutValue;
    if (point[at + cutDim]! <= cutValue) {
      this.left[internal] = leaf;
      this.right[internal] = node;
    } else {
      this.left[internal] = node;
      this.right[internal] = leaf;
    }
    this.parent[internal] = above;
    this.parent[node] = internal;
    this.parent[leaf] = internal;
    if (above === none) this.root = internal;
    else if (this.left[above] === node) this.left[above] = internal;
    else this.right[above] = internal;
    this.mass[internal] = this.mass[node]!;
    const dim = this.dim;
    this.lo.copyWithin(internal * dim, node * dim, node * dim + dim);
    this.hi.copyWithin(internal * dim, node * dim, node * dim + dim);
    this.growAncestors(internal, point, at, true);
  }

  /** From `node` up to the root: one more point, boxes grown to hold it. */
  private growAncestors(node: number, point: Float64Array, at: number, countSelf: boolean): void {
    const dim = this.dim;
    for (let current = countSelf ? node : this.parent[node]!; current !== none; current = this.parent[current]!) {
      this.mass[current]!++;
      const base = current * dim;
      for (let i = 0; i < dim; i++) {
        const value = point[at + i]!;
        if (value < this.lo[base + i]!) this.lo[base + i] = value;
        if (value > this.hi[base + i]!) this.hi[base + i] = value;
      }
    }
  }

  private unionChildren(node: number): void {
    const dim = this.dim;
    const base = node * dim;
    const a = this.left[node]! * dim;
    const b = this.right[node]! * dim;
    for (let i = 0; i < dim; i++) {
      this.lo[base + i] = Math.min(this.lo[a + i]!, this.lo[b + i]!);
      this.hi[base + i] = Math.max(this.hi[a + i]!, this.hi[b + i]!);
    }
  }

  private newLeaf(point: Float64Array, at: number): number {
    const leaf = this.allocate();
    this.left[leaf] = none;
    this.right[leaf] = none;
    this.parent[leaf] = none;
    this.mass[leaf] = 1;
    const base = leaf * this.dim;
    for (let i = 0; i < this.dim; i++) {
      this.lo[base + i] = point[at + i]!;
      this.hi[base + i] = point[at + i]!;
    }
    return leaf;
  }

  private allocate(): number {
    if (this.freeTop === 0) throw new Error("random cut tree: out of nodes");
    return this.free[--this.freeTop]!;
  }

  private release(node: number): void {
    this.left[node] = none;
    this.right[node] = none;
    this.parent[node] = none;
    this.mass[node] = 0;
    this.free[this.freeTop++] = node;
  }
}

/** The largest double below `value`. */
function nextDown(value: number): number {
  if (value === 0) return -Number.MIN_VALUE;
  const buffer = new Float64Array([value]);
  const bits = new BigInt64Array(buffer.buffer);
  bits[0] = bits[0]! + (value > 0 ? -1n : 1n);
  return buffer[0]!;
}
