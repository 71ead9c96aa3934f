/**
 * Golden tests of tumbling windows (GROUP BY) from the developer guide's examples: "Tumbling
 * Windows (Aggregations Using GROUP BY)", "Example: Tumbling Window Using ROWTIME", "Example:
 * Tumbling Window Using an Event Timestamp", "Timestamps and the ROWTIME Column" (a late record in
 * the next ROWTIME window) and "Example: Aggregating Partial Results from a Query" (two pumps).
 * Inputs follow the guide's schemas and sample records; ROWTIMEs are ours where the guide gives none.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOUBLE, REAL, TIMESTAMP, VARCHAR, run, ts, type InputRow } from "./helpers/harness.js";

const demo = [
  {
    name: "SOURCE_SQL_STREAM_001",
    columns: [
      { name: "TICKER_SYMBOL", type: VARCHAR(4) },
      { name: "SECTOR", type: VARCHAR(16) },
      { name: "CHANGE", type: REAL },
      { name: "PRICE", type: REAL },
    ],
  },
];

const trades: InputRow[] = [
  { rowtime: "2018-06-13 14:11:05.500", row: ["TBV", "FINANCIAL", 1, 33.11] },
  { rowtime: "2018-06-13 14:11:20.000", row: ["INTC", "TECHNOLOGY", -1, 62.04] },
  { rowtime: "2018-06-13 14:11:41.000", row: ["TBV", "FINANCIAL", 2, 35.5] },
  { rowtime: "2018-06-13 14:11:59.999", row: ["INTC", "TECHNOLOGY", 0, 60.0] },
  { rowtime: "2018-06-13 14:12:00.000", row: ["MSFT", "TECHNOLOGY", 1, 40.97] },
  { rowtime: "2018-06-13 14:12:30.000", row: ["TBV", "FINANCIAL", 1, 30.0] },
  { rowtime: "2018-06-13 14:14:10.000", row: ["AMZN", "RETAIL", 3, 27.9] },
];

describe("analytics > windows > tumbling > guide's GROUP BY examples", () => {
  it("min and max price per ticker per minute, emitted at each minute's end", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), Min_Price DOUBLE, Max_Price DOUBLE);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM Ticker_Symbol,
                        MIN(Price) AS Min_Price,
                        MAX(Price) AS Max_Price
          FROM    "SOURCE_SQL_STREAM_001"
          GROUP BY Ticker_Symbol,
                   STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;
    const result = run(code, demo, trades);
    assert.deepEqual(result.rows, [
      ["2018-06-13 14:12:00.000", "TBV", 33.11, 35.5],
      ["2018-06-13 14:12:00.000", "INTC", 60.0, 62.04],
      ["2018-06-13 14:13:00.000", "MSFT", 40.97, 40.97],
      ["2018-06-13 14:13:00.000", "TBV", 30.0, 30.0],
      ["2018-06-13 14:15:00.000", "AMZN", 27.9, 27.9],
    ]);
    assert.deepEqual(result.columns.map((column) => column.name), ["TICKER_SYMBOL", "MIN_PRICE", "MAX_PRICE"]);
  });

  it("ROWTIME in the select list is the output row's ROWTIME (the window's end)", () => {
    const code = `
      SELECT STREAM ROWTIME, Ticker_Symbol, MIN(Price) AS Price, MAX(Price) AS Price
      FROM     "SOURCE_SQL_STREAM_001"
      GROUP BY Ticker_Symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;
    const result = run(code, demo, trades.slice(0, 2));
    assert.deepEqual(result.rows, [
      ["2018-06-13 14:12:00.000", "2018-06-13 14:12:00.000", "TBV", 33.11, 33.11],
      ["2018-06-13 14:12:00.000", "2018-06-13 14:12:00.000", "INTC", 62.04, 62.04],
    ]);
  });

  it("FLOOR(ROWTIME TO MINUTE) windows like STEP; the grouping expression in the select list reads the window's start", () => {
    const code = `
      SELECT STREAM FLOOR(s.ROWTIME TO MINUTE) AS theMinute, COUNT(*) AS c, SUM(PRICE) AS total
      FROM "SOURCE_SQL_STREAM_001" AS s
      GROUP BY FLOOR(s.ROWTIME TO MINUTE)`;
    const result = run(code, demo, trades);
    assert.deepEqual(
      result.rows.map(([rowtime, minute, count]) => [rowtime, minute, count]),
      [
        ["2018-06-13 14:12:00.000", "2018-06-13 14:11:00.000", 4],
        ["2018-06-13 14:13:00.000", "2018-06-13 14:12:00.000", 2],
        ["2018-06-13 14:15:00.000", "2018-06-13 14:14:00.000", 1],
      ],
    );
    assert.ok(Math.abs((result.rows[0]?.[3] as number) - (33.11 + 62.04 + 35.5 + 60.0)) < 1e-9);
  });

  it("a window closes when the watermark reaches its end, with no further row", () => {
    const code = `
      SELECT STREAM Ticker_Symbol, COUNT(*) AS c FROM "SOURCE_SQL_STREAM_001"
      GROUP BY Ticker_Symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND)`;
    assert.deepEqual(run(code, demo, trades.slice(0, 2), { finalWatermarkMs: ts("2018-06-13 14:11:59.999") }).rows, []);
    assert.deepEqual(run(code, demo, trades.slice(0, 2), { finalWatermarkMs: ts("2018-06-13 14:12:00") }).rows, [
      ["2018-06-13 14:12:00.000", "TBV", 1],
      ["2018-06-13 14:12:00.000", "INTC", 1],
    ]);
  });

  it("HAVING filters groups; WHERE filters rows before they are grouped", () => {
    const code = `
      SELECT STREAM Ticker_Symbol, COUNT(*) AS c FROM "SOURCE_SQL_STREAM_001"
      WHERE PRICE > 31
      GROUP BY Ticker_Symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND)
      HAVING COUNT(*) > 1`;
    assert.deepEqual(run(code, demo, trades).rows, [
      ["2018-06-13 14:12:00.000", "TBV", 2],
      ["2018-06-13 14:12:00.000", "INTC", 2],
    ]);
  });

  it("ORDER BY sorts the rows of one window", () => {
    const code = `
      SELECT STREAM Ticker_Symbol, MAX(PRICE) AS p FROM "SOURCE_SQL_STREAM_001"
      GROUP BY Ticker_Symbol, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND)
      ORDER BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND), p DESC`;
    assert.deepEqual(run(code, demo, trades.slice(0, 4)).rows, [
      ["2018-06-13 14:12:00.000", "INTC", 62.04],
      ["2018-06-13 14:12:00.000", "TBV", 35.5],
    ]);
  });
});

describe("analytics > windows > tumbling > event time", () => {
  const source = [{ name: "SOURCE_SQL_STREAM_001", columns: [{ name: "EVENT_TIME", type: TIMESTAMP }, { name: "TICKER", type: VARCHAR(4) }, { name: "PRICE", type: REAL }] }];
  // The guide's records: events 5 s before they reach the application.
  const rows: InputRow[] = [
    ["14:11:05.766", "TBV", 43.65],
    ["14:11:05.848", "AMZN", 35.61],
    ["14:11:05.931", "MSFT", 73.48],
    ["14:11:06.014", "AMZN", 18.64],
    ["14:11:57.500", "AMZN", 20.0],
    ["14:11:58.000", "TBV", 40.0],
  ].map(([time, ticker, price]) => ({
    rowtime: ts(`2018-06-13 ${time as string}`) + 5_000,
    row: [ts(`2018-06-13 ${time as string}`), ticker as string, price as number],
  }));

  it("the guide's query: one row per ticker and event-time minute in each ROWTIME minute (partial results)", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_TIME timestamp, TICKER VARCHAR(4), min_price REAL, max_price REAL);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND),
              TICKER,
               MIN(PRICE) AS MIN_PRICE,
               MAX(PRICE) AS MAX_PRICE
          FROM    "SOURCE_SQL_STREAM_001"
          GROUP BY TICKER,
                   STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
                   STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND);`;
    assert.deepEqual(run(code, source, rows).rows, [
      ["2018-06-13 14:12:00.000", "2018-06-13 14:11:00.000", "TBV", 43.65, 43.65],
      ["2018-06-13 14:12:00.000", "2018-06-13 14:11:00.000", "AMZN", 18.64, 35.61],
      ["2018-06-13 14:12:00.000", "2018-06-13 14:11:00.000", "MSFT", 73.48, 73.48],
      // Events of 14:11:57/58 reach the application after 14:12:00: a second, partial result for 14:11.
      ["2018-06-13 14:13:00.000", "2018-06-13 14:11:00.000", "AMZN", 20.0, 20.0],
      ["2018-06-13 14:13:00.000", "2018-06-13 14:11:00.000", "TBV", 40.0, 40.0],
    ]);
  });

  it("grouping by event time alone is refused: no monotonic expression", () => {
    const code = `SELECT STREAM TICKER, COUNT(*) FROM "SOURCE_SQL_STREAM_001" GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND)`;
    assert.throws(() => run(code, source, rows), (error: Error) => {
      assert.equal(error.name, "SqlCompileError");
      assert.equal(error.message, "Streaming aggregation requires at least one monotonic expression in GROUP BY clause");
      return true;
    });
  });

  it("MONOTONIC(event time) declares it: windows close when a row brings a new value", () => {
    const code = `SELECT STREAM MONOTONIC(FLOOR(EVENT_TIME TO MINUTE)) AS m, COUNT(*) AS c FROM "SOURCE_SQL_STREAM_001" GROUP BY MONOTONIC(FLOOR(EVENT_TIME TO MINUTE))`;
    const later: InputRow = { rowtime: ts("2018-06-13 14:12:10"), row: [ts("2018-06-13 14:12:05"), "TBV", 1] };
    const result = run(code, source, [...rows, later], { finalWatermarkMs: null });
    // The 14:11 group is emitted at the ROWTIME of the row that ended it.
    assert.deepEqual(result.rows, [["2018-06-13 14:12:10.000", "2018-06-13 14:11:00.000", 6]]);
  });
});

describe("analytics > windows > tumbling > Timestamps and the ROWTIME Column", () => {
  const source = [{ name: "SOURCE_SQL_STREAM_001", columns: [{ name: "TICKER_SYMBOL", type: VARCHAR(12) }, { name: "APPROXIMATE_ARRIVAL_TIME", type: TIMESTAMP }] }];
  const code = `
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ingest_time" timestamp, "APPROXIMATE_ARRIVAL_TIME" timestamp, "ticker_symbol" VARCHAR(12), "symbol_count" integer);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND) AS "ingest_time",
            STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND) AS "APPROXIMATE_ARRIVAL_TIME",
            "TICKER_SYMBOL",
            COUNT(*) AS "symbol_count"
        FROM "SOURCE_SQL_STREAM_001"
        GROUP BY "TICKER_SYMBOL",
            STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
            STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND);`;

  it("counts per ticker; the late XYZ record counts in the next ROWTIME window under its own arrival minute", () => {
    const rows: InputRow[] = [];
    const add = (count: number, ticker: string, rowtime: string, arrival: string) => {
      for (let i = 0; i < count; i++) rows.push({ rowtime: ts(rowtime) + i, row: [ticker, ts(arrival) + i] });
    };
    add(10, "ABC", "2016-07-19 17:05:01", "2016-07-19 17:05:00.500");
    add(15, "DEF", "2016-07-19 17:05:10", "2016-07-19 17:05:09");
    add(6, "XYZ", "2016-07-19 17:05:20", "2016-07-19 17:05:19");
    add(11, "ABC", "2016-07-19 17:06:01", "2016-07-19 17:06:00.500");
    add(1, "XYZ", "2016-07-19 17:06:02", "2016-07-19 17:05:58");
    add(11, "DEF", "2016-07-19 17:06:10", "2016-07-19 17:06:09");
    rows.sort((a, b) => (a.rowtime as number) - (b.rowtime as number));
    const result = run(code, source, rows);
    assert.deepEqual(result.rows, [
      ["2016-07-19 17:06:00.000", "2016-07-19 17:05:00.000", "2016-07-19 17:05:00.000", "ABC", 10],
      ["2016-07-19 17:06:00.000", "2016-07-19 17:05:00.000", "2016-07-19 17:05:00.000", "DEF", 15],
      ["2016-07-19 17:06:00.000", "2016-07-19 17:05:00.000", "2016-07-19 17:05:00.000", "XYZ", 6],
      ["2016-07-19 17:07:00.000", "2016-07-19 17:06:00.000", "2016-07-19 17:06:00.000", "ABC", 11],
      ["2016-07-19 17:07:00.000", "2016-07-19 17:06:00.000", "2016-07-19 17:05:00.000", "XYZ", 1],
      ["2016-07-19 17:07:00.000", "2016-07-19 17:06:00.000", "2016-07-19 17:06:00.000", "DEF", 11],
    ]);
  });
});

describe("analytics > windows > tumbling > Example: Aggregating Partial Results from a Query", () => {
  const code = `
    CREATE OR REPLACE STREAM "CALC_COUNT_SQL_STREAM" (TICKER VARCHAR(4), TRADETIME TIMESTAMP, TICKERCOUNT DOUBLE);
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), TRADETIME TIMESTAMP, TICKERCOUNT DOUBLE);
    CREATE PUMP "CALC_COUNT_SQL_PUMP_001" AS
        INSERT INTO "CALC_COUNT_SQL_STREAM" ("TICKER","TRADETIME", "TICKERCOUNT")
        SELECT STREAM
            "TICKER_SYMBOL",
            STEP("SOURCE_SQL_STREAM_001"."ROWTIME" BY INTERVAL '1' MINUTE) as "TradeTime",
            COUNT(*) AS "TickerCount"
        FROM "SOURCE_SQL_STREAM_001"
        GROUP BY
            STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE),
            STEP("SOURCE_SQL_STREAM_001"."APPROXIMATE_ARRIVAL_TIME" BY INTERVAL '1' MINUTE),
            TICKER_SYMBOL;
    CREATE PUMP "AGGREGATED_SQL_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM" ("TICKER","TRADETIME", "TICKERCOUNT")
        SELECT STREAM
            "TICKER",
            "TRADETIME",
            SUM("TICKERCOUNT") OVER W1 AS "TICKERCOUNT"
        FROM "CALC_COUNT_SQL_STREAM"
        WINDOW W1 AS (PARTITION BY "TRADETIME" RANGE INTERVAL '10' MINUTE PRECEDING);`;
  const source = [{ name: "SOURCE_SQL_STREAM_001", columns: [{ name: "TICKER_SYMBOL", type: VARCHAR(4) }, { name: "APPROXIMATE_ARRIVAL_TIME", type: TIMESTAMP }] }];
  const calc = [{ name: "CALC_COUNT_SQL_STREAM", columns: [{ name: "TICKER", type: VARCHAR(4) }, { name: "TRADETIME", type: TIMESTAMP }, { name: "TICKERCOUNT", type: DOUBLE }] }];

  it("the first pump's partial counts and the second pump's running sum per trade minute", () => {
    const rows: InputRow[] = [
      { rowtime: "2018-06-13 10:00:10", row: ["AMZN", ts("2018-06-13 10:00:09")] },
      { rowtime: "2018-06-13 10:00:20", row: ["AMZN", ts("2018-06-13 10:00:19")] },
      { rowtime: "2018-06-13 10:00:59", row: ["AMZN", ts("2018-06-13 10:00:58")] },
      { rowtime: "2018-06-13 10:01:00.500", row: ["AMZN", ts("2018-06-13 10:00:59.900")] },
      { rowtime: "2018-06-13 10:01:30", row: ["AMZN", ts("2018-06-13 10:01:29")] },
    ];
    const first = run(code, source, rows, { pump: "CALC_COUNT_SQL_PUMP_001" });
    assert.deepEqual(first.rows, [
      ["2018-06-13 10:01:00.000", "AMZN", "2018-06-13 10:00:00.000", 3],
      // The record that arrived at 10:00:59.9 but reached the application at 10:01:00.5 is counted apart.
      ["2018-06-13 10:02:00.000", "AMZN", "2018-06-13 10:01:00.000", 1],
      ["2018-06-13 10:02:00.000", "AMZN", "2018-06-13 10:01:00.000", 1],
    ]);
    const chained: InputRow[] = first.rows.map(([rowtime, ticker, tradeTime, count]) => ({
      rowtime: rowtime as string,
      row: [ticker as string, ts(tradeTime as string), count as number],
    }));
    const second = run(code, calc, chained, { pump: "AGGREGATED_SQL_PUMP" });
    assert.deepEqual(second.rows, [
      ["2018-06-13 10:01:00.000", "AMZN", "2018-06-13 10:00:00.000", 3],
      ["2018-06-13 10:02:00.000", "AMZN", "2018-06-13 10:01:00.000", 1],
      ["2018-06-13 10:02:00.000", "AMZN", "2018-06-13 10:01:00.000", 2],
    ]);
  });
});
