/**
 * Aggregates under sliding windows: rows join and leave in arrival order, and every result must equal
 * the aggregate recomputed from scratch over the rows still in the window. Also the reference's
 * "Windowed Aggregation on Streams" example, and checkpoints (snapshot → JSON → restore) mid-stream.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { SqlType, SqlValue } from "../../../src/analytics/sql/types.js";
import { DECIMAL, DOUBLE, INTEGER, VARCHAR, resolveAggregate, roundTrip, seededInts } from "./harness.js";

/** Straightforward definitions over the live values, to check the incremental ones against. */
function recompute(name: string, values: (number | null)[], distinct: boolean): SqlValue {
  let present = values.filter((value): value is number => value !== null);
  if (distinct) present = [...new Set(present)];
  const n = present.length;
  const sum = present.reduce((total, value) => total + value, 0);
  switch (name) {
    case "COUNT":
      return n;
    case "SUM":
      return n === 0 ? null : sum;
    case "AVG":
      return n === 0 ? null : Math.trunc(sum / n) || 0;
    case "MIN":
      return n === 0 ? null : Math.min(...present);
    case "MAX":
      return n === 0 ? null : Math.max(...present);
    case "VAR_POP": {
      if (n === 0) return null;
      const s2 = present.reduce((total, value) => total + value * value, 0);
      return (s2 - (sum * sum) / n) / n;
    }
    default:
      throw new Error(name);
  }
}

describe("analytics > aggregate > sliding windows", () => {
  for (const name of ["COUNT", "SUM", "AVG", "MIN", "MAX", "VAR_POP"]) {
    for (const distinct of [false, true]) {
      it(`${name}${distinct ? " DISTINCT" : ""} equals a recomputation after every add and remove`, () => {
        const type: SqlType = name === "VAR_POP" ? DOUBLE : INTEGER;
        const implementation = resolveAggregate(name, [type], { distinct });
        let accumulator = implementation.create();
        const next = seededInts(name.length * 7919 + (distinct ? 1 : 0));
        const window: (number | null)[] = [];
        for (let step = 0; step < 3_000; step++) {
          // Windows that grow and shrink: a ROWS window whose length wanders between 0 and 40.
          const grow = window.length === 0 || (window.length < 40 && next(3) > 0);
          if (grow) {
            const value = next(10) === 0 ? null : next(25) - 12;
            window.push(value);
            accumulator.add([value]);
          } else {
            accumulator.remove([window.shift()!]);
          }
          if (step % 500 === 250) accumulator = roundTrip(implementation, accumulator);
          const expected = recompute(name, window, distinct);
          if (name === "VAR_POP" && expected !== null) assert.ok(Math.abs((accumulator.result() as number) - (expected as number)) < 1e-9, `step ${step}`);
          else assert.equal(accumulator.result(), expected, `step ${step}: ${JSON.stringify(window)}`);
        }
      });
    }
  }

  it("MIN and MAX of strings survive churn through a checkpoint", () => {
    const implementation = resolveAggregate("MAX", [VARCHAR(2)]);
    let accumulator = implementation.create();
    const next = seededInts(42);
    const window: string[] = [];
    for (let step = 0; step < 2_000; step++) {
      if (window.length < 20 && next(2) === 0) {
        const value = String.fromCharCode(97 + next(26)) + String.fromCharCode(97 + next(3));
        window.push(value);
        accumulator.add([value]);
      } else if (window.length > 0) {
        accumulator.remove([window.shift()!]);
      }
      if (step === 1_000) accumulator = roundTrip(implementation, accumulator);
      const expected = window.length === 0 ? null : [...window].sort().at(-1);
      assert.equal(accumulator.result(), expected);
    }
  });

  it("DECIMAL sums stay exact through removals and a checkpoint", () => {
    const implementation = resolveAggregate("SUM", [DECIMAL(12, 2)]);
    let accumulator = implementation.create();
    const window: number[] = [];
    const next = seededInts(7);
    let cents = 0;
    for (let step = 0; step < 1_000; step++) {
      const value = (next(2000) - 1000) / 100;
      window.push(value);
      cents += Math.round(value * 100);
      accumulator.add([value]);
      if (window.length > 30) {
        const gone = window.shift()!;
        cents -= Math.round(gone * 100);
        accumulator.remove([gone]);
      }
      if (step === 600) accumulator = roundTrip(implementation, accumulator);
      assert.equal(accumulator.result(), cents / 100);
    }
  });
});

describe("analytics > aggregate > the reference's windowed aggregation example", () => {
  // "Windowed Aggregation on Streams": MIN(TEMP) and MAX(TEMP) OVER (RANGE INTERVAL '1' DAY PRECEDING)
  // over WEATHERSTREAM; the reference's results for the first nine rows.
  const hour = 3_600_000;
  const rows: [number, string, number][] = [
    [1, "Denver", 29],
    [1, "Anchorage", 2],
    [6, "Miami", 65],
    [7, "Denver", 32],
    [9, "Anchorage", 9],
    [13, "Denver", 50],
    [17, "Anchorage", 10],
    [18, "Miami", 71],
    [19, "Denver", 43],
  ];
  const expected: [number, number][] = [
    [29, 29],
    [2, 29],
    [2, 65],
    [2, 65],
    [2, 65],
    [2, 65],
    [2, 65],
    [2, 71],
    [2, 71],
  ];

  it("MIN and MAX over a one-day RANGE window give the reference's rows", () => {
    const min = resolveAggregate("MIN", [INTEGER]).create();
    const max = resolveAggregate("MAX", [INTEGER]).create();
    const live: [number, number][] = [];
    const results: [SqlValue, SqlValue][] = [];
    for (const [hours, , temp] of rows) {
      const rowtime = hours * hour;
      while (live.length > 0 && live[0]![0] < rowtime - 24 * hour) {
        const [, gone] = live.shift()!;
        min.remove([gone]);
        max.remove([gone]);
      }
      live.push([rowtime, temp]);
      min.add([temp]);
      max.add([temp]);
      results.push([min.result(), max.result()]);
    }
    assert.deepEqual(results, expected);
  });
});

describe("analytics > aggregate > checkpoints", () => {
  it("every aggregate's snapshot survives JSON and carries on", () => {
    const cases: [string, SqlType[], SqlValue[][], boolean][] = [
      ["COUNT", [], [[], [], []], false],
      ["COUNT", [VARCHAR(3)], [["a"], ["b"], ["a"]], true],
      ["SUM", [DOUBLE], [[0.1], [0.2], [Number.NaN]], false],
      ["AVG", [DECIMAL(8, 3)], [[1.001], [2.002]], false],
      ["MIN", [{ name: "VARBINARY", precision: 2 }], [[new Uint8Array([3])], [new Uint8Array([1, 2])]], false],
      ["MAX", [{ name: "INTERVAL_DAY_TIME" }], [[{ kind: "interval", ms: 5 }], [{ kind: "interval", ms: 9 }]], false],
      ["STDDEV_SAMP", [DOUBLE], [[1], [2], [4]], true],
      ["FIRST_VALUE", [VARCHAR(3)], [[null], ["x"]], false],
      ["LAST_VALUE", [INTEGER], [[1], [null], [3]], false],
    ];
    for (const [name, types, adds, distinct] of cases) {
      const implementation = resolveAggregate(name, types, { distinct });
      const original = implementation.create();
      for (const args of adds) original.add(args);
      const copy = roundTrip(implementation, original);
      assert.deepEqual(copy.result(), original.result(), name);
      original.remove(adds[0]!);
      copy.remove(adds[0]!);
      assert.deepEqual(copy.result(), original.result(), `${name} after a removal`);
    }
  });

  it("EXP_AVG restores its reference time", () => {
    const halfLife = { kind: "interval" as const, ms: 1_000 };
    const implementation = resolveAggregate("EXP_AVG", [DOUBLE, { name: "INTERVAL_DAY_TIME" }], { constants: [undefined, halfLife] });
    const original = implementation.create();
    original.add([1, halfLife, 100_000]);
    original.add([3, halfLife, 101_000]);
    const copy = roundTrip(implementation, original);
    copy.add([5, halfLife, 102_000]);
    original.add([5, halfLife, 102_000]);
    assert.equal(copy.result(), original.result());
    assert.equal(copy.result(), (1 + 6 + 20) / 7);
  });
});
