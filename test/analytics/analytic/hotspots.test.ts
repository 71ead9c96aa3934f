/**
 * HOTSPOTS on the developer guide's data: 20 % of the points in a 1×1 square of the 10×10 plane, the
 * rest uniform; HOTSPOTS(cursor, 1000, 0.2, 17) as the guide calls it. Exact results on tiny inputs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Row } from "../../../src/analytics/sql/types.js";
import { col, feed, resolveTable, resolveTableError, restored, uniform, type Output } from "./harness.js";

interface HotspotJson {
  hotspots: { density: number; minValues: number[]; maxValues: number[] }[];
}

const input = [col("x", "DOUBLE"), col("y", "DOUBLE"), col("is_hot", "VARCHAR", 4)];

/** The guide's generator: a hotspot square at (hx, hy) with side 1 takes a fifth of the points. */
function guideRows(count: number, seed: number, hx: number, hy: number, hotWeight = 0.2): [Row, number][] {
  const random = uniform(seed);
  const rows: [Row, number][] = [];
  for (let i = 0; i < count; i++) {
    const hot = random() < hotWeight;
    const row: Row = hot ? [hx + random(), hy + random(), "Y"] : [random() * 10, random() * 10, "N"];
    rows.push([row, i * 100]);
  }
  return rows;
}

const result = (output: Output) => JSON.parse(output.row[3] as string) as HotspotJson;

describe("analytics > analytic > HOTSPOTS", () => {
  it("outputs the input's columns and HOTSPOTS_RESULT", () => {
    const implementation = resolveTable("HOTSPOTS", input, [1000, 0.2, 17]);
    assert.deepEqual(implementation.columns.map((column) => column.name), ["x", "y", "is_hot", "HOTSPOTS_RESULT"]);
    assert.equal(implementation.columns[3]!.type.name, "VARCHAR");
  });

  it("finds the guide's dense square, dense enough for its viewer's threshold of 40", () => {
    const out = feed(resolveTable("HOTSPOTS", input, [1000, 0.2, 17]).create(), guideRows(3_000, 5, 3.2, 6.5));
    const last = result(out.at(-1)!);
    assert.ok(last.hotspots.length >= 1);
    const densest = last.hotspots[0]!;
    assert.ok(densest.density >= 40, `density ${densest.density}`);
    // The box lies around the square [3.2, 4.2] × [6.5, 7.5] (border points reach one radius out).
    assert.ok(densest.minValues[0]! >= 3.2 - 0.2 && densest.maxValues[0]! <= 4.2 + 0.2, JSON.stringify(densest));
    assert.ok(densest.minValues[1]! >= 6.5 - 0.2 && densest.maxValues[1]! <= 7.5 + 0.2, JSON.stringify(densest));
    assert.ok(densest.maxValues[0]! - densest.minValues[0]! > 0.6, "covers most of the square");
    for (const other of last.hotspots.slice(1)) assert.ok(other.density < 40, `a second dense region: ${JSON.stringify(other)}`);
  });

  it("finds nothing dense in uniform data", () => {
    const out = feed(resolveTable("HOTSPOTS", input, [1000, 0.2, 17]).create(), guideRows(1_500, 8, 0, 0, 0));
    assert.deepEqual(result(out.at(-1)!).hotspots, []);
  });

  it("forgets a hotspot once its points leave the window", () => {
    const instance = resolveTable("HOTSPOTS", input, [200, 0.2, 10]).create();
    const first = feed(instance, guideRows(400, 2, 1, 1, 0.5));
    assert.ok(result(first.at(-1)!).hotspots.some((h) => h.minValues[0]! > 0.7 && h.maxValues[0]! < 2.3));
    const moved = feed(instance, guideRows(400, 3, 7, 7, 0.5));
    const hotspots = result(moved.at(-1)!).hotspots;
    assert.ok(hotspots.length > 0);
    assert.ok(hotspots.every((h) => h.minValues[0]! > 5), JSON.stringify(hotspots));
  });

  it("counts exactly on a tiny window: density is points over the box's volume", () => {
    // Three points within 0.5 of each other, one far away; minimum 3 points, radius 0.5.
    const rows: [Row, number][] = [
      [[0, 0, "Y"], 1],
      [[0.4, 0, "Y"], 2],
      [[0.4, 0.3, "Y"], 3],
      [[5, 5, "N"], 4],
    ];
    const out = feed(resolveTable("HOTSPOTS", input, [100, 0.5, 3]).create(), rows);
    assert.deepEqual(result(out[1]!).hotspots, []);
    // 3 points in a 0.4 × 0.3 box, each side at least the 0.5 radius: 3 / (0.5 × 0.5).
    assert.deepEqual(result(out[2]!), { hotspots: [{ density: 12, minValues: [0, 0], maxValues: [0.4, 0.3] }] });
    assert.deepEqual(out[3]!.row.slice(0, 3), [5, 5, "N"]);
    assert.deepEqual(result(out[3]!), result(out[2]!));
  });

  it("continues identically after a checkpoint", () => {
    const implementation = resolveTable("HOTSPOTS", input, [300, 0.3, 8]);
    const rows = guideRows(1_000, 13, 4, 4);
    const original = implementation.create();
    feed(original, rows.slice(0, 500));
    const copy = restored(implementation, original);
    assert.deepEqual(feed(copy, rows.slice(500)).map((o) => o.row[3]), feed(original, rows.slice(500)).map((o) => o.row[3]));
  });

  it("needs its three parameters, within range", () => {
    assert.match(resolveTableError("HOTSPOTS", input, [1000, 0.2]), /minimumNumberOfPointsInAHotspot is required/);
    assert.match(resolveTableError("HOTSPOTS", input, [1000, 0, 17]), /scanRadius must be a positive number/);
    assert.match(resolveTableError("HOTSPOTS", input, [10, 0.2, 17]), /minimumNumberOfPointsInAHotspot must be between 2 and 10/);
  });
});
