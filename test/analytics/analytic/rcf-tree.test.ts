/**
 * The random cut tree's structure under churn: after every insertion and deletion each internal
 * node's mass is its children's, its box is the union of theirs, its cut separates them, parents
 * point back, and the tree holds exactly the live points (duplicates as mass).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RandomCutTree, type TreeState } from "../../../src/analytics/sql/functions/analytic/rcf/tree.js";
import { Sfc32 } from "../../../src/analytics/sql/functions/analytic/rng.js";
import { uniform } from "./harness.js";

const dim = 3;

function checkNode(state: TreeState, node: number): { mass: number; lo: number[]; hi: number[] } {
  const lo = Array.from(state.lo.subarray(node * dim, node * dim + dim));
  const hi = Array.from(state.hi.subarray(node * dim, node * dim + dim));
  const left = state.left[node]!;
  if (left === -1) {
    assert.deepEqual(lo, hi, "a leaf's box is its point");
    assert.ok(state.mass[node]! >= 1);
    return { mass: state.mass[node]!, lo, hi };
  }
  const right = state.right[node]!;
  assert.equal(state.parent[left], node);
  assert.equal(state.parent[right], node);
  const a = checkNode(state, left);
  const b = checkNode(state, right);
  const cutDim = state.cutDim[node]!;
  const cut = state.cutValue[node]!;
  assert.ok(a.hi[cutDim]! <= cut && cut < b.lo[cutDim]!, `cut ${cut} separates ${a.hi[cutDim]} and ${b.lo[cutDim]}`);
  assert.equal(state.mass[node], a.mass + b.mass);
  assert.deepEqual(lo, a.lo.map((value, i) => Math.min(value, b.lo[i]!)));
  assert.deepEqual(hi, a.hi.map((value, i) => Math.max(value, b.hi[i]!)));
  return { mass: a.mass + b.mass, lo, hi };
}

describe("analytics > analytic > random cut tree", () => {
  it("keeps its invariants through random insertions and deletions, duplicates included", () => {
    const capacity = 64;
    const tree = new RandomCutTree(dim, capacity);
    const rng = new Sfc32(3);
    const random = uniform(99);
    const live: Float64Array[] = [];
    for (let step = 0; step < 3_000; step++) {
      if (live.length < capacity && (live.length === 0 || random() < 0.55)) {
        // Coarse values make repeats common.
        const point = Float64Array.from({ length: dim }, () => Math.floor(random() * 6));
        tree.insert(point, 0, rng);
        live.push(point);
      } else {
        const [point] = live.splice(Math.floor(random() * live.length), 1);
        tree.delete(point!, 0);
      }
      assert.equal(tree.totalMass, live.length);
      const state = tree.snapshot();
      if (state.root !== -1) {
        assert.equal(state.parent[state.root], -1);
        checkNode(state, state.root);
      }
    }
  });

  it("scores a far point higher than a point inside the cloud, and attributes it to the dimension that is out", () => {
    const tree = new RandomCutTree(2, 256);
    const rng = new Sfc32(1);
    const random = uniform(4);
    for (let i = 0; i < 256; i++) tree.insert(Float64Array.of(random(), random()), 0, rng);
    const inside = tree.score(Float64Array.of(0.5, 0.5), 0);
    const far = tree.score(Float64Array.of(5, 5), 0);
    assert.ok(far > 2 * inside, `${far} vs ${inside}`);
    const high = new Float64Array(2);
    const low = new Float64Array(2);
    tree.addAttribution(Float64Array.of(5, 0.5), 0, 1, high, low);
    assert.ok(high[0]! > 10 * (high[1]! + low[1]!), "the attribution goes to the dimension that is out");
    assert.ok(Math.abs(high[0]! + low[0]! + high[1]! + low[1]! - tree.score(Float64Array.of(5, 0.5), 0)) < 1e-12);
  });

  it("refuses to delete a point it does not hold", () => {
    const tree = new RandomCutTree(2, 4);
    tree.insert(Float64Array.of(1, 1), 0, new Sfc32(1));
    assert.throws(() => tree.delete(Float64Array.of(2, 2), 0), /not in the tree/);
  });
});
