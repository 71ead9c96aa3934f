/**
 * RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION: the reference's parameters and columns,
 * and property checks on seeded streams — scores rise clearly on injected anomalies, a seed fixes
 * every score, a checkpoint changes nothing, the explanation blames the dimension that moved.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Row } from "../../../src/analytics/sql/types.js";
import { col, feed, resolveTable, resolveTableError, restored, uniform, type Output } from "./harness.js";

const bloodPressure = [col("Systolic", "INTEGER"), col("Diastolic", "INTEGER"), col("BloodPressureLevel", "VARCHAR", 20)];

/** The developer guide's blood-pressure generator, seeded: normal readings, and planted anomalies. */
function readings(count: number, seed: number, anomalyEvery: number, anomaly: (i: number) => Row): [Row, number][] {
  const random = uniform(seed);
  const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1));
  const rows: [Row, number][] = [];
  for (let i = 0; i < count; i++) {
    const row: Row = i > 0 && i % anomalyEvery === 0 ? anomaly(i) : [between(90, 120), between(60, 80), "NORMAL"];
    rows.push([row, 1_000_000 + i * 10]);
  }
  return rows;
}

const scoreOf = (output: Output) => output.row[3] as number;

describe("analytics > analytic > RANDOM_CUT_FOREST > resolution", () => {
  it("outputs the input's columns and ANOMALY_SCORE; all parameters may be omitted", () => {
    const implementation = resolveTable("RANDOM_CUT_FOREST", bloodPressure, []);
    assert.deepEqual(
      implementation.columns.map((column) => [column.name, column.type.name]),
      [
        ["Systolic", "INTEGER"],
        ["Diastolic", "INTEGER"],
        ["BloodPressureLevel", "VARCHAR"],
        ["ANOMALY_SCORE", "DOUBLE"],
      ],
    );
  });

  it("the explanation form adds ANOMALY_EXPLANATION", () => {
    const implementation = resolveTable("RANDOM_CUT_FOREST_WITH_EXPLANATION", bloodPressure, [100, 256, 100000, 1, true]);
    assert.deepEqual(implementation.columns.slice(3).map((column) => [column.name, column.type.name]), [
      ["ANOMALY_SCORE", "DOUBLE"],
      ["ANOMALY_EXPLANATION", "VARCHAR"],
    ]);
  });

  it("checks the reference's ranges and wants constants", () => {
    assert.match(resolveTableError("RANDOM_CUT_FOREST", bloodPressure, [0]), /numberOfTrees must be between 1 and 1000/);
    assert.match(resolveTableError("RANDOM_CUT_FOREST", bloodPressure, [100, 5]), /subSampleSize must be between 10 and 1000/);
    assert.match(resolveTableError("RANDOM_CUT_FOREST", bloodPressure, [100, 256, 100000, 31]), /shingleSize must be between 1 and 30/);
    assert.match(resolveTableError("RANDOM_CUT_FOREST", bloodPressure, [undefined]), /numberOfTrees must be a constant/);
    assert.match(resolveTableError("RANDOM_CUT_FOREST_WITH_EXPLANATION", bloodPressure, [100, 256, 100000, 1, 3]), /withDirectionality must be TRUE or FALSE/);
    assert.match(resolveTableError("RANDOM_CUT_FOREST", [col("level", "VARCHAR", 4), col("price", "DECIMAL")], []), /no numeric column/);
  });

  it("takes NULL as the parameter's default", () => {
    const implementation = resolveTable("RANDOM_CUT_FOREST", bloodPressure, [null, null, null, null]);
    const out = feed(implementation.create(), readings(80, 3, 1_000_000, () => []));
    // With the default sub-sample of 256 the forest learns for 64 points: the 65th is the first scored.
    assert.ok(out.slice(0, 64).every((output) => scoreOf(output) === 0));
    assert.ok(scoreOf(out[64]!) > 0);
  });
});

describe("analytics > analytic > RANDOM_CUT_FOREST > scores", () => {
  const high = (): Row => [190, 140, "HIGH"];
  const rows = readings(3_000, 11, 250, high);

  it("rise clearly on injected anomalies", () => {
    const out = feed(resolveTable("RANDOM_CUT_FOREST", bloodPressure, [], 42).create(), rows);
    assert.equal(out.length, rows.length);
    const scored = out.slice(500);
    const anomalies = scored.filter((output) => output.row[2] === "HIGH").map(scoreOf);
    const normal = scored.filter((output) => output.row[2] === "NORMAL").map(scoreOf);
    const normalMean = normal.reduce((a, b) => a + b, 0) / normal.length;
    const normalMax = Math.max(...normal);
    assert.ok(anomalies.length >= 9);
    for (const score of anomalies) assert.ok(score > 2.5 * normalMean && score > normalMax, `anomaly ${score}, normal mean ${normalMean}, max ${normalMax}`);
  });

  it("are the same for the same seed and differ for another", () => {
    const first = feed(resolveTable("RANDOM_CUT_FOREST", bloodPressure, [], 42).create(), rows).map(scoreOf);
    const again = feed(resolveTable("RANDOM_CUT_FOREST", bloodPressure, [], 42).create(), rows).map(scoreOf);
    const other = feed(resolveTable("RANDOM_CUT_FOREST", bloodPressure, [], 43).create(), rows).map(scoreOf);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other, first);
  });

  it("continue identically after a checkpoint", () => {
    const implementation = resolveTable("RANDOM_CUT_FOREST", bloodPressure, [30, 64, 500, 1], 5);
    const original = implementation.create();
    feed(original, rows.slice(0, 1_500));
    const copy = restored(implementation, original);
    assert.deepEqual(feed(copy, rows.slice(1_500)).map(scoreOf), feed(original, rows.slice(1_500)).map(scoreOf));
  });

  it("pass a row with a null number through with a null score", () => {
    const out = feed(resolveTable("RANDOM_CUT_FOREST", bloodPressure, []).create(), [[[null, 70, "NORMAL"], 5]]);
    assert.deepEqual(out, [{ row: [null, 70, "NORMAL", null], rowtimeMs: 5 }]);
  });

  it("see a broken pattern through a shingle", () => {
    // A repeating ramp 0..9; at row 2000 one value jumps the pattern (a 9 where a 3 belongs): in
    // one dimension it is an ordinary value, only the shingle shows it out of place.
    const input = [col("v", "DOUBLE")];
    const series: [Row, number][] = [];
    for (let i = 0; i < 2_200; i++) series.push([[i === 2_003 ? 9 : i % 10], i]);
    const withShingle = feed(resolveTable("RANDOM_CUT_FOREST", input, [50, 256, 100000, 4], 9).create(), series).map((o) => o.row[1] as number);
    assert.ok(withShingle.slice(0, 3).every((score) => score === 0), "no score before the shingle fills");
    const baseline = Math.max(...withShingle.slice(1_000, 2_000));
    assert.ok(withShingle[2_003]! > 1.5 * baseline, `shingled ${withShingle[2_003]} vs ${baseline}`);
  });
});

describe("analytics > analytic > RANDOM_CUT_FOREST_WITH_EXPLANATION", () => {
  const input = bloodPressure;
  type Explanation = Record<string, { DIRECTION?: string; STRENGTH?: string; ATTRIBUTION_SCORE: string }>;

  function explained(anomaly: (i: number) => Row, directionality: boolean, seed = 21): { score: number; explanation: Explanation; level: string }[] {
    const rows = readings(2_500, seed, 200, anomaly);
    const out = feed(resolveTable("RANDOM_CUT_FOREST_WITH_EXPLANATION", input, [100, 256, 100000, 1, directionality], seed).create(), rows);
    return out.slice(400).map((output) => ({ score: output.row[3] as number, explanation: JSON.parse(output.row[4] as string) as Explanation, level: output.row[2] as string }));
  }

  it("attributes the score to the column that moved, in its direction", () => {
    // Diastolic far too high with a normal systolic, then far too low.
    const results = explained((i) => (i % 400 === 0 ? [105, 140, "HIGH"] : [105, 20, "LOW"]), true);
    for (const { explanation, level } of results.filter((result) => result.level !== "NORMAL")) {
      const diastolic = explanation.Diastolic!;
      const systolic = explanation.Systolic!;
      assert.ok(Number(diastolic.ATTRIBUTION_SCORE) > 3 * Number(systolic.ATTRIBUTION_SCORE), JSON.stringify(explanation));
      assert.equal(diastolic.DIRECTION, level === "HIGH" ? "HIGH" : "LOW");
      assert.ok(Number(diastolic.STRENGTH) > 1, JSON.stringify(explanation));
    }
  });

  it("has attributions that add up to the anomaly score, as strings of four decimals", () => {
    for (const { score, explanation } of explained(() => [190, 140, "HIGH"], false)) {
      const parts = Object.values(explanation).map((entry) => entry.ATTRIBUTION_SCORE);
      assert.deepEqual(Object.keys(explanation), ["Systolic", "Diastolic"]);
      for (const part of parts) assert.match(part, /^\d+\.\d{4}$/);
      const sum = parts.reduce((total, part) => total + Number(part), 0);
      assert.ok(Math.abs(sum - score) < 0.00011, `${sum} vs ${score}`);
      assert.equal(Object.values(explanation)[0]!.DIRECTION, undefined, "no DIRECTION without withDirectionality");
    }
  });

  it("scores as RANDOM_CUT_FOREST does for the same seed", () => {
    const rows = readings(600, 4, 97, () => [190, 140, "HIGH"]);
    const plain = feed(resolveTable("RANDOM_CUT_FOREST", input, [], 8).create(), rows).map((o) => o.row[3] as number);
    const explainedScores = feed(resolveTable("RANDOM_CUT_FOREST_WITH_EXPLANATION", input, [], 8).create(), rows).map((o) => o.row[3] as number);
    plain.forEach((score, i) => assert.ok(Math.abs(score - explainedScores[i]!) < 1e-9, `row ${i}`));
  });
});
