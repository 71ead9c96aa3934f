/**
 * The guide's window examples as whole applications through the engine (compileApplication with
 * the real expression compiler, scalar functions and aggregates): rows pushed into
 * SOURCE_SQL_STREAM_001, the pump's output read from DESTINATION_SQL_STREAM, time advanced as the
 * runtime does, and a restart from a checkpoint mid-window.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { start, ts } from "../engine/helpers.js";

const tumbling = `
  CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), MIN_PRICE REAL, MAX_PRICE REAL);
  CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM TICKER, MIN(PRICE), MAX(PRICE)
          FROM "SOURCE_SQL_STREAM_001"
          GROUP BY TICKER,
              STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;

const ticks: [string, ...unknown[]][] = [
  ["2018-06-13 14:11:05.000", "TBV", 33.11],
  ["2018-06-13 14:11:20.000", "INTC", 62.04],
  ["2018-06-13 14:11:41.000", "TBV", 35.5],
  ["2018-06-13 14:12:01.000", "MSFT", 40.97],
  ["2018-06-13 14:12:30.000", "AMZN", 27.9],
];

describe("analytics > windows > application", () => {
  it("Example: Tumbling Window Using ROWTIME, windows closed by rows and by time", () => {
    const harness = start(tumbling, { inputs: { SOURCE_SQL_STREAM_001: "TICKER VARCHAR(4), PRICE REAL" } });
    harness.push("SOURCE_SQL_STREAM_001", ticks.slice(0, 4));
    assert.deepEqual(harness.rows("DESTINATION_SQL_STREAM"), [
      ["2018-06-13 14:12:00.000", "TBV", 33.11, 35.5],
      ["2018-06-13 14:12:00.000", "INTC", 62.04, 62.04],
    ]);
    harness.push("SOURCE_SQL_STREAM_001", ticks.slice(4));
    harness.app.advance(ts("2018-06-13 14:13:00.000"));
    assert.deepEqual(harness.rows("DESTINATION_SQL_STREAM").slice(2), [
      ["2018-06-13 14:13:00.000", "MSFT", 40.97, 40.97],
      ["2018-06-13 14:13:00.000", "AMZN", 27.9, 27.9],
    ]);
  });

  it("a restart from a checkpoint mid-window emits each window once", () => {
    const options = { inputs: { SOURCE_SQL_STREAM_001: "TICKER VARCHAR(4), PRICE REAL" } };
    const first = start(tumbling, options);
    first.push("SOURCE_SQL_STREAM_001", ticks.slice(0, 2));
    const checkpoint = JSON.parse(JSON.stringify(first.app.snapshot())) as unknown;
    const second = start(tumbling, options);
    second.app.restore(checkpoint);
    second.push("SOURCE_SQL_STREAM_001", ticks.slice(2));
    second.app.advance(Number.POSITIVE_INFINITY);
    const whole = start(tumbling, options);
    whole.push("SOURCE_SQL_STREAM_001", ticks);
    whole.app.advance(Number.POSITIVE_INFINITY);
    assert.deepEqual(first.rows("DESTINATION_SQL_STREAM"), []);
    assert.deepEqual(second.rows("DESTINATION_SQL_STREAM"), whole.rows("DESTINATION_SQL_STREAM"));
    assert.equal(whole.rows("DESTINATION_SQL_STREAM").length, 4);
  });

  it("Example: Stagger Window with the engine's FLOOR and COUNT", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count DOUBLE);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM TICKER_SYMBOL, FLOOR(EVENT_TIME TO MINUTE), COUNT(TICKER_SYMBOL) AS ticker_count
          FROM "SOURCE_SQL_STREAM_001"
          WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`;
    const harness = start(code, { inputs: { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), EVENT_TIME TIMESTAMP" } });
    harness.push("SOURCE_SQL_STREAM_001", [
      ["2018-08-01 11:00:20.000", "AMZN", ts("2018-08-01 11:00:10.000")],
      ["2018-08-01 11:00:30.000", "AMZN", ts("2018-08-01 11:00:20.000")],
      ["2018-08-01 11:01:05.000", "AMZN", ts("2018-08-01 11:00:55.000")],
      ["2018-08-01 11:01:15.000", "AMZN", ts("2018-08-01 11:01:05.000")],
    ]);
    harness.app.advance(Number.POSITIVE_INFINITY);
    assert.deepEqual(harness.rows("DESTINATION_SQL_STREAM"), [
      ["2018-08-01 11:01:20.000", "AMZN", ts("2018-08-01 11:00:00.000"), 3],
      ["2018-08-01 11:02:15.000", "AMZN", ts("2018-08-01 11:01:00.000"), 1],
    ]);
  });

  it("Sliding Windows example 1 with the engine's AVG", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(10), Min_Price double, Max_Price double, Avg_Price double);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS
         INSERT INTO "DESTINATION_SQL_STREAM"
           SELECT STREAM ticker_symbol,
                         MIN(Price) OVER W1 AS Min_Price,
                         MAX(Price) OVER W1 AS Max_Price,
                         AVG(Price) OVER W1 AS Avg_Price
           FROM   "SOURCE_SQL_STREAM_001"
           WINDOW W1 AS (
              PARTITION BY ticker_symbol
              RANGE INTERVAL '1' MINUTE PRECEDING);`;
    const harness = start(code, { inputs: { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL" } });
    harness.push("SOURCE_SQL_STREAM_001", [
      ["2018-06-13 10:00:00.000", "AMZN", "RETAIL", 1, 10],
      ["2018-06-13 10:00:30.000", "AMZN", "RETAIL", 1, 20],
      ["2018-06-13 10:00:45.000", "MSFT", "TECHNOLOGY", 1, 5],
      ["2018-06-13 10:01:00.000", "AMZN", "RETAIL", 1, 30],
      ["2018-06-13 10:01:00.001", "AMZN", "RETAIL", 1, 60],
    ]);
    assert.deepEqual(harness.rows("DESTINATION_SQL_STREAM"), [
      ["2018-06-13 10:00:00.000", "AMZN", 10, 10, 10],
      ["2018-06-13 10:00:30.000", "AMZN", 10, 20, 15],
      ["2018-06-13 10:00:45.000", "MSFT", 5, 5, 5],
      ["2018-06-13 10:01:00.000", "AMZN", 10, 30, 20],
      ["2018-06-13 10:01:00.001", "AMZN", 20, 60, 110 / 3],
    ]);
  });

  it("Stream Joins example: orders with the trades of the minute before them", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (orderId INTEGER, ticker VARCHAR(4), orderAmount DOUBLE, tradeAmount DOUBLE);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount
        FROM "OrderStream" AS o
        JOIN "TradeStream" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t
        ON o.orderId = t.orderId;`;
    const harness = start(code, {
      inputs: { OrderStream: "ORDERID INTEGER, TICKER VARCHAR(4), AMOUNT DOUBLE", TradeStream: "TRADEID INTEGER, ORDERID INTEGER, TICKER VARCHAR(4), AMOUNT DOUBLE" },
    });
    harness.push("TradeStream", [["2018-06-13 10:00:00.000", 100, 1, "AMZN", 10]]);
    harness.push("OrderStream", [["2018-06-13 10:00:40.000", 1, "AMZN", 11]]);
    harness.push("TradeStream", [["2018-06-13 10:01:00.000", 101, 2, "AMZN", 20]]);
    harness.push("OrderStream", [["2018-06-13 10:02:01.000", 2, "AMZN", 21]]);
    harness.app.advance(Number.POSITIVE_INFINITY);
    assert.deepEqual(harness.rows("DESTINATION_SQL_STREAM"), [["2018-06-13 10:00:40.000", 1, "AMZN", 11, 10]]);
  });

  it("the reference's exact distinct count: SELECT DISTINCT in a subquery, grouped by its ROWTIME column", () => {
    // COUNT_DISTINCT_ITEMS_TUMBLING's page: distinct rows per ticker in five-second tumbling windows.
    const code = `
      CREATE OR REPLACE STREAM output_stream (ticker_symbol VARCHAR(4), unique_count BIGINT);
      CREATE OR REPLACE PUMP stream_pump AS INSERT INTO output_stream
      SELECT STREAM TICKER_SYMBOL, COUNT(distinct_stream.price) AS unique_count
      FROM (
          SELECT STREAM DISTINCT rowtime as window_time, TICKER_SYMBOL, CHANGE, PRICE,
                 STEP((SOURCE_SQL_STREAM_001.rowtime) BY INTERVAL '5' SECOND)
          FROM SOURCE_SQL_STREAM_001) as distinct_stream
      GROUP BY TICKER_SYMBOL,
               STEP((distinct_stream.window_time) BY INTERVAL '5' SECOND);`;
    const harness = start(code, { inputs: { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL" } });
    harness.push("SOURCE_SQL_STREAM_001", [
      ["2018-06-13 10:00:00.500", "AMZN", "RETAIL", 1, 10],
      ["2018-06-13 10:00:01.000", "AMZN", "RETAIL", 1, 10],
      ["2018-06-13 10:00:02.000", "AMZN", "RETAIL", 1, 11],
      ["2018-06-13 10:00:03.000", "MSFT", "TECHNOLOGY", 0, 5],
      ["2018-06-13 10:00:06.000", "AMZN", "RETAIL", 1, 10],
    ]);
    harness.app.advance(ts("2018-06-13 10:00:10.000"));
    // The distinct rows of 10:00:00–10:00:05 carry ROWTIME 10:00:05 (their window's end), so the
    // outer window that counts them is the one of 10:00:05–10:00:10.
    assert.deepEqual(harness.rows("OUTPUT_STREAM"), [
      ["2018-06-13 10:00:10.000", "AMZN", 2],
      ["2018-06-13 10:00:10.000", "MSFT", 1],
    ]);
    harness.app.advance(Number.POSITIVE_INFINITY);
    assert.deepEqual(harness.rows("OUTPUT_STREAM").slice(2), [["2018-06-13 10:00:15.000", "AMZN", 1]]);
  });
});
