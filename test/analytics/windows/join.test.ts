/**
 * Stream-to-stream joins, from the developer guide's "Streaming Data Operations: Stream Joins"
 * (orders joined with the trades of the minute before them, inner and outer), with data of ours:
 * pairs match within the windows, each pair once at the later ROWTIME; an unmatched order of an
 * outer join is emitted once no trade can match it any more; state ends when the windows pass.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOUBLE, INTEGER, VARCHAR, plan, run, ts, type InputRow } from "./helpers/harness.js";

const streams = [
  { name: "OrderStream", columns: [{ name: "ORDERID", type: INTEGER }, { name: "TICKER", type: VARCHAR(4) }, { name: "AMOUNT", type: DOUBLE }] },
  { name: "TradeStream", columns: [{ name: "TRADEID", type: INTEGER }, { name: "ORDERID", type: INTEGER }, { name: "TICKER", type: VARCHAR(4) }, { name: "AMOUNT", type: DOUBLE }] },
];

const order = (rowtime: string, orderId: number, amount: number): InputRow => ({ stream: "OrderStream", rowtime: `2018-06-13 ${rowtime}`, row: [orderId, "AMZN", amount] });
const trade = (rowtime: string, tradeId: number, orderId: number, amount: number): InputRow => ({
  stream: "TradeStream",
  rowtime: `2018-06-13 ${rowtime}`,
  row: [tradeId, orderId, "AMZN", amount],
});

const events: InputRow[] = [
  trade("10:00:00", 100, 1, 10),
  trade("10:00:30", 101, 2, 20),
  order("10:00:40", 1, 11),
  order("10:01:31", 2, 21),
  order("10:02:00", 3, 31),
  trade("10:02:00", 102, 3, 30),
  trade("10:02:30", 103, 1, 12),
];

const select = (joinType: string) => `
  SELECT STREAM
      ROWTIME,
      o.orderId, o.ticker, o.amount AS orderAmount,
      t.amount AS tradeAmount
  FROM "OrderStream" AS o
  ${joinType} "TradeStream" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
  ON   o.orderId = t.orderId`;

describe("analytics > windows > join > guide's Stream Joins", () => {
  it("an inner join matches an order with the trades of the minute before it, or of its own ROWTIME", () => {
    assert.deepEqual(run(select("JOIN"), streams, events).rows, [
      ["2018-06-13 10:00:40.000", "2018-06-13 10:00:40.000", 1, "AMZN", 11, 10],
      ["2018-06-13 10:02:00.000", "2018-06-13 10:02:00.000", 3, "AMZN", 31, 30],
    ]);
  });

  it("a left outer join also emits an order no trade matched, once no later trade can", () => {
    assert.deepEqual(run(select("LEFT OUTER JOIN"), streams, events).rows, [
      ["2018-06-13 10:00:40.000", "2018-06-13 10:00:40.000", 1, "AMZN", 11, 10],
      ["2018-06-13 10:01:31.000", "2018-06-13 10:01:31.000", 2, "AMZN", 21, null],
      ["2018-06-13 10:02:00.000", "2018-06-13 10:02:00.000", 3, "AMZN", 31, 30],
    ]);
  });

  it("a full outer join also emits trades no order matched, when they leave the trade window", () => {
    const rows = run(select("FULL OUTER JOIN"), streams, events).rows;
    assert.deepEqual(rows, [
      ["2018-06-13 10:00:40.000", "2018-06-13 10:00:40.000", 1, "AMZN", 11, 10],
      // Trade 101 (10:00:30) could match orders up to 10:01:30; order 2 came at 10:01:31.
      ["2018-06-13 10:01:30.000", "2018-06-13 10:01:30.000", null, null, null, 20],
      ["2018-06-13 10:01:31.000", "2018-06-13 10:01:31.000", 2, "AMZN", 21, null],
      ["2018-06-13 10:02:00.000", "2018-06-13 10:02:00.000", 3, "AMZN", 31, 30],
      ["2018-06-13 10:03:30.000", "2018-06-13 10:03:30.000", null, null, null, 12],
    ]);
  });

  it("the window may be on the left side: s1 OVER (…) AS a JOIN s2 AS b", () => {
    const code = `
      SELECT STREAM o.orderId, t.tradeId
      FROM "OrderStream" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS o
      JOIN "TradeStream" AS t ON o.orderId = t.orderId`;
    // Trade 103 (10:02:30) is for order 1 (10:00:40): outside the orders' minute. Trade 102 matches order 3.
    assert.deepEqual(run(code, streams, events).rows.map((row) => row.slice(1)), [[3, 102]]);
  });

  it("a named window in the WINDOW clause", () => {
    const code = `
      SELECT STREAM ROWTIME, o.orderId, t.amount AS tradeAmount
      FROM "OrderStream" AS o
      JOIN "TradeStream" OVER lastMinute AS t ON o.orderId = t.orderId
      WINDOW lastMinute AS (RANGE INTERVAL '1' MINUTE PRECEDING)`;
    assert.deepEqual(run(code, streams, events).rows.map((row) => row.slice(2)), [[1, 10], [3, 30]]);
  });

  it("a condition that is no equality still joins (every pair within the windows is tested)", () => {
    const code = `
      SELECT STREAM o.orderId, t.tradeId FROM "OrderStream" AS o
      JOIN "TradeStream" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON t.amount < o.amount`;
    assert.deepEqual(run(code, streams, events).rows.map((row) => row.slice(1)), [[1, 100], [3, 102]]);
  });

  it("a restart from a snapshot gives the same rows", () => {
    const uninterrupted = run(select("FULL OUTER JOIN"), streams, events).rows;
    for (let restartAfter = 1; restartAfter < events.length; restartAfter++) {
      assert.deepEqual(run(select("FULL OUTER JOIN"), streams, events, { restartAfter }).rows, uninterrupted, `restart after ${restartAfter}`);
    }
  });

  it("state holds only rows that may still match", () => {
    const { start } = plan(select("JOIN"), streams);
    const running = start(() => {}, []);
    for (const event of events) running.push(event.stream, event.row, ts(event.rowtime as string));
    const rowsHeld = () => {
      const saved = running.operator.snapshot() as { join: { left: { rows: unknown[] }; right: { rows: unknown[] } } };
      return saved.join.left.rows.length + saved.join.right.rows.length;
    };
    assert.ok(rowsHeld() > 0);
    running.operator.advance(ts("2018-06-13 10:03:30.001"));
    assert.equal(rowsHeld(), 0);
  });

  it("a ROWS window joins the latest n + 1 rows of its side, whatever their age (the JOIN clause's OVER (ROWS 10 PRECEDING))", () => {
    // Trades 100 and 101 are the trades' window for orders 1 and 2; order 3 (10:02:00) arrives
    // before trade 102 of the same ROWTIME, which then meets it (the orders' side is unwindowed:
    // its current ROWTIME).
    const code = `
      SELECT STREAM o.orderId, t.tradeId
      FROM "OrderStream" AS o
      JOIN "TradeStream" OVER (ROWS 1 PRECEDING) AS t ON o.orderId = t.orderId`;
    // Order 2 at 10:01:31 still meets trade 101 of 10:00:30, past a minute: rows, not time.
    assert.deepEqual(run(code, streams, events).rows.map((row) => row.slice(1)), [
      [1, 100],
      [2, 101],
      [3, 102],
    ]);
    const zero = run(code.replace("ROWS 1 PRECEDING", "ROWS CURRENT ROW"), streams, events).rows.map((row) => row.slice(1));
    // With one trade kept, order 1 (10:00:40) only sees trade 101: no match; order 2 does.
    assert.deepEqual(zero, [
      [2, 101],
      [3, 102],
    ]);
  });

  it("a ROWS window's outer join emits a row it drops unmatched, at the ROWTIME of the row that pushed it out", () => {
    const code = `
      SELECT STREAM o.orderId, t.tradeId
      FROM "OrderStream" AS o
      RIGHT JOIN "TradeStream" OVER (ROWS CURRENT ROW) AS t ON o.orderId = t.orderId`;
    assert.deepEqual(run(code, streams, events).rows, [
      // Trade 100 leaves when trade 101 arrives; order 1 came after: unmatched. Trade 103 is
      // still in the window when the input ends, so it is not emitted.
      ["2018-06-13 10:00:30.000", null, 100],
      ["2018-06-13 10:01:31.000", 2, 101],
      ["2018-06-13 10:02:00.000", 3, 102],
    ]);
    const uninterrupted = run(code, streams, events).rows;
    for (let restartAfter = 1; restartAfter < events.length; restartAfter++) {
      assert.deepEqual(run(code, streams, events, { restartAfter }).rows, uninterrupted, `restart after ${restartAfter}`);
    }
  });

  it("a partitioned join window is refused", () => {
    const code = `SELECT STREAM o.orderId FROM "OrderStream" AS o JOIN "TradeStream" OVER (PARTITION BY ticker RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.orderId = t.orderId`;
    assert.throws(() => run(code, streams, events), /cannot be partitioned/);
  });
});
