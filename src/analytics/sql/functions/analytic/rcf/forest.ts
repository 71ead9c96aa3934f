/**
 * A Robust Random Cut Forest over a stream of numeric vectors: `numberOfTrees` trees, each over its
 * own time-decayed sample of `sampleSize` points, with optional shingling (the last `shingleSize`
 * vectors, oldest first, make one point). Each point is first scored against the forest (the mean of
 * the trees' scores, and on request the mean attribution per dimension), then offered to every
 * tree's sampler. Until `outputAfter` points have gone in — a quarter of the sample size, as in AWS's
 * reference implementation — the score is 0: the learning phase the developer guide describes.
 *
 * Deterministic for a seed: one random stream (sfc32) feeds every draw in a fixed order, and a
 * snapshot carries it, so a restored forest continues exactly as the original would have.
 */
import { Sfc32 } from "../rng.js";
import { decodeFloat64, decodeInt32, encodeFloat64, encodeInt32 } from "../../aggregate/value-codec.js";
import { RandomCutTree } from "./tree.js";
import { TimeDecaySampler } from "./sampler.js";

export interface ForestOptions {
  numberOfTrees: number;
  sampleSize: number;
  /** The reference's timeDecay: the sampler's λ is its inverse. */
  timeDecay: number;
  shingleSize: number;
  /** Values per input vector (the numeric columns). */
  inputDim: number;
  seed: number;
}

interface EncodedTree {
  root: number;
  freeTop: number;
  ints: string[];
  cut: string;
  lo: string;
  hi: string;
  size: number;
  weights: string;
  heap: string;
  points: string;
}

export interface ForestState {
  v: 1;
  sequence: number;
  filled: number;
  rng: [number, number, number, number];
  shingle: string;
  trees: EncodedTree[];
}

export class RandomCutForest {
  readonly dim: number;
  private readonly trees: RandomCutTree[] = [];
  private readonly samplers: TimeDecaySampler[] = [];
  private readonly rng: Sfc32;
  private readonly outputAfter: number;
  /** Points that went into the forest. */
  private sequence = 0;
  /** The shingle: the last shingleSize input vectors, oldest first, and how many have arrived. */
  private readonly point: Float64Array;
  private filled = 0;
  /** Per-dimension attribution of the last score (when asked for). */
  readonly high: Float64Array;
  readonly low: Float64Array;

  constructor(private readonly options: ForestOptions) {
    this.dim = options.inputDim * options.shingleSize;
    this.rng = new Sfc32(options.seed);
    this.outputAfter = Math.max(1, Math.floor(options.sampleSize / 4));
    const lambda = 1 / options.timeDecay;
    for (let i = 0; i < options.numberOfTrees; i++) {
      this.trees.push(new RandomCutTree(this.dim, options.sampleSize));
      this.samplers.push(new TimeDecaySampler(options.sampleSize, this.dim, lambda));
    }
    this.point = new Float64Array(this.dim);
    this.high = new Float64Array(this.dim);
    this.low = new Float64Array(this.dim);
  }

  /**
   * Takes the next input vector: answers the anomaly score of the point it completes (0 while the
   * shingle fills or the forest learns), with `high`/`low` holding the attribution when `explain`.
   */
  process(values: ArrayLike<number>, explain: boolean): number {
    const inputDim = this.options.inputDim;
    // Shift the shingle left by one vector and append the new one.
    this.point.copyWithin(0, inputDim);
    this.point.set(values, this.dim - inputDim);
    this.high.fill(0);
    this.low.fill(0);
    if (this.filled < this.options.shingleSize) this.filled++;
    if (this.filled < this.options.shingleSize) return 0;
    const score = this.sequence >= this.outputAfter ? this.score(explain) : 0;
    this.update();
    return score;
  }

  private score(explain: boolean): number {
    const trees = this.trees;
    const count = trees.length;
    let total = 0;
    if (explain) {
      for (const tree of trees) tree.addAttribution(this.point, 0, 1 / count, this.high, this.low);
      for (let i = 0; i < this.dim; i++) total += this.high[i]! + this.low[i]!;
      return total;
    }
    for (const tree of trees) total += tree.score(this.point, 0);
    return total / count;
  }

  private update(): void {
    const sequence = ++this.sequence;
    const dim = this.dim;
    for (let i = 0; i < this.trees.length; i++) {
      const sampler = this.samplers[i]!;
      const offer = sampler.consider(sequence, this.rng);
      if (!offer.accepted) continue;
      const tree = this.trees[i]!;
      if (offer.evicted) tree.delete(sampler.points, offer.slot * dim);
      sampler.store(offer.slot, this.point, 0);
      tree.insert(sampler.points, offer.slot * dim, this.rng);
    }
  }

  snapshot(): ForestState {
    return {
      v: 1,
      sequence: this.sequence,
      filled: this.filled,
      rng: this.rng.state(),
      shingle: encodeFloat64(this.point),
      trees: this.trees.map((tree, i) => {
        const t = tree.snapshot();
        const s = this.samplers[i]!.snapshot();
        return {
          root: t.root,
          freeTop: t.freeTop,
          ints: [t.free, t.left, t.right, t.parent, t.cutDim, t.mass].map(encodeInt32),
          cut: encodeFloat64(t.cutValue),
          lo: encodeFloat64(t.lo),
          hi: encodeFloat64(t.hi),
          size: s.size,
          weights: encodeFloat64(s.weights),
          heap: encodeInt32(s.heap),
          points: encodeFloat64(s.points),
        };
      }),
    };
  }

  restore(state: ForestState): void {
    if (state.v !== 1 || state.trees.length !== this.trees.length) throw new Error("random cut forest: snapshot does not fit this forest");
    this.sequence = state.sequence;
    this.filled = state.filled;
    this.rng.setState(state.rng);
    this.point.set(decodeFloat64(state.shingle));
    state.trees.forEach((saved, i) => {
      const [free, left, right, parent, cutDim, mass] = saved.ints.map(decodeInt32) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
      this.trees[i]!.restore({
        root: saved.root,
        freeTop: saved.freeTop,
        free,
        left,
        right,
        parent,
        cutDim,
        mass,
        cutValue: decodeFloat64(saved.cut),
        lo: decodeFloat64(saved.lo),
        hi: decodeFloat64(saved.hi),
      });
      this.samplers[i]!.restore({ size: saved.size, weights: decodeFloat64(saved.weights), heap: decodeInt32(saved.heap), points: decodeFloat64(saved.points) });
    });
  }
}
