/**
 * TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING: exact results on small inputs, window
 * boundaries (epoch-aligned, closed by a later row or by time), output columns, checkpoints, and
 * the approximations' bounds on large inputs.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Row } from "../../../src/analytics/sql/types.js";
import { advance, col, feed, resolveTable, resolveTableError, restored, uniform } from "./harness.js";

const ticker = [col("TICKER_SYMBOL", "VARCHAR", 4), col("SECTOR", "VARCHAR", 16), col("PRICE", "REAL")];
const trade = (symbol: string | null, rowtimeMs: number): [Row, number] => [[symbol, "TECHNOLOGY", 10], rowtimeMs];

describe("analytics > analytic > TOP_K_ITEMS_TUMBLING", () => {
  it("outputs ITEM (the column's type) and ITEM_COUNT", () => {
    const implementation = resolveTable("TOP_K_ITEMS_TUMBLING", ticker, ["TICKER_SYMBOL", 3, 60]);
    assert.deepEqual(
      implementation.columns.map((column) => [column.name, column.type.name, column.type.precision]),
      [
        ["ITEM", "VARCHAR", 4],
        ["ITEM_COUNT", "BIGINT", undefined],
      ],
    );
  });

  it("emits each one-minute window's top K when the next window's first row arrives, stamped with the window's end", () => {
    const instance = resolveTable("TOP_K_ITEMS_TUMBLING", ticker, ["TICKER_SYMBOL", 2, 60]).create();
    const minute = 60_000;
    const out = feed(instance, [
      trade("AMZN", 0),
      trade("AAPL", 1_000),
      trade("AMZN", 2_000),
      trade("MSFT", 3_000),
      trade("AAPL", 4_000),
      trade("AMZN", 59_999),
      trade(null, 59_999),
      trade("MSFT", minute),
    ]);
    assert.deepEqual(out, [
      { row: ["AMZN", 3], rowtimeMs: minute },
      { row: ["AAPL", 2], rowtimeMs: minute },
    ]);
    assert.deepEqual(advance(instance, 2 * minute - 1), []);
    assert.deepEqual(advance(instance, 2 * minute), [{ row: ["MSFT", 1], rowtimeMs: 2 * minute }]);
    assert.deepEqual(advance(instance, 5 * minute), [], "a window with no row emits nothing");
  });

  it("aligns windows on the epoch and orders ties by first appearance", () => {
    const instance = resolveTable("TOP_K_ITEMS_TUMBLING", ticker, ["ticker_symbol", 10, 10]).create();
    const out = feed(instance, [trade("B", 25_000), trade("A", 26_000), trade("A", 27_000), trade("B", 28_000), trade("C", 29_999)]);
    assert.deepEqual(out, []);
    assert.deepEqual(advance(instance, 30_000), [
      { row: ["B", 2], rowtimeMs: 30_000 },
      { row: ["A", 2], rowtimeMs: 30_000 },
      { row: ["C", 1], rowtimeMs: 30_000 },
    ]);
  });

  it("carries an open window through a checkpoint", () => {
    const implementation = resolveTable("TOP_K_ITEMS_TUMBLING", ticker, ["TICKER_SYMBOL", 2, 60]);
    const original = implementation.create();
    feed(original, [trade("X", 1), trade("Y", 2), trade("Y", 3)]);
    const copy = restored(implementation, original);
    feed(copy, [trade("X", 4), trade("X", 5)]);
    assert.deepEqual(advance(copy, 60_000), [
      { row: ["X", 3], rowtimeMs: 60_000 },
      { row: ["Y", 2], rowtimeMs: 60_000 },
    ]);
  });

  it("finds the heavy hitters among more distinct items than it counts exactly", () => {
    const instance = resolveTable("TOP_K_ITEMS_TUMBLING", [col("id", "INTEGER")], ["id", 3, 3600]).create();
    const random = uniform(17);
    const rows: [Row, number][] = [];
    for (let i = 0; i < 120_000; i++) {
      // 30,000 rare ids (a few each) and three heavy ones at 2 % each.
      const pick = random();
      const id = pick < 0.02 ? -1 : pick < 0.04 ? -2 : pick < 0.06 ? -3 : Math.floor(random() * 30_000);
      rows.push([[id], i]);
    }
    feed(instance, rows);
    const top = advance(instance, 3_600_000).map((output) => output.row[0]);
    assert.deepEqual(new Set(top), new Set([-1, -2, -3]));
  });

  it("checks K and windowSize against the reference's bounds", () => {
    assert.match(resolveTableError("TOP_K_ITEMS_TUMBLING", ticker, ["TICKER_SYMBOL", 0, 60]), /K must be between 1 and 100000/);
    assert.match(resolveTableError("TOP_K_ITEMS_TUMBLING", ticker, ["TICKER_SYMBOL", 3, 3601]), /windowSize must be between 1 and 3600/);
    assert.match(resolveTableError("TOP_K_ITEMS_TUMBLING", ticker, ["NOPE", 3, 60]), /column 'NOPE' is not in the input stream/);
  });
});

describe("analytics > analytic > COUNT_DISTINCT_ITEMS_TUMBLING", () => {
  it("outputs NUMBER_OF_DISTINCT_ITEMS, exact on small windows", () => {
    const implementation = resolveTable("COUNT_DISTINCT_ITEMS_TUMBLING", ticker, ["TICKER_SYMBOL", 5]);
    assert.deepEqual(implementation.columns.map((column) => [column.name, column.type.name]), [["NUMBER_OF_DISTINCT_ITEMS", "BIGINT"]]);
    const instance = implementation.create();
    const out = feed(instance, [trade("A", 0), trade("B", 1_000), trade("A", 2_000), trade(null, 3_000), trade("C", 5_000)]);
    assert.deepEqual(out, [{ row: [2], rowtimeMs: 5_000 }]);
    assert.deepEqual(advance(instance, 10_000), [{ row: [1], rowtimeMs: 10_000 }]);
  });

  it("is exact up to 10,000 distinct items and within 2 % far beyond", () => {
    const instance = resolveTable("COUNT_DISTINCT_ITEMS_TUMBLING", [col("id", "BIGINT")], ["id", 60]).create();
    const rows: [Row, number][] = [];
    for (let i = 0; i < 20_000; i++) rows.push([[i % 10_000], i]);
    feed(instance, rows);
    assert.deepEqual(advance(instance, 60_000).map((o) => o.row), [[10_000]]);
    const many: [Row, number][] = [];
    for (let i = 0; i < 100_000; i++) many.push([[i * 7919], 60_000 + (i % 50_000)]);
    feed(instance, many);
    const counted = advance(instance, 120_000)[0]!.row[0] as number;
    assert.ok(Math.abs(counted - 100_000) < 2_000, String(counted));
  });

  it("carries an open window through a checkpoint, exact or sketched", () => {
    const implementation = resolveTable("COUNT_DISTINCT_ITEMS_TUMBLING", [col("id", "INTEGER")], ["id", 60]);
    for (const distinct of [50, 30_000]) {
      const original = implementation.create();
      const rows: [Row, number][] = [];
      for (let i = 0; i < distinct; i++) rows.push([[i], i % 1000]);
      feed(original, rows);
      const copy = restored(implementation, original);
      const more: [Row, number][] = [[[distinct + 1], 1_000], [[0], 1_001]];
      feed(original, more);
      feed(copy, more);
      assert.deepEqual(advance(copy, 60_000), advance(original, 60_000));
    }
  });
});
