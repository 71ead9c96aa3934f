/**
 * Golden tests from the developer guide's "Stagger Windows" page (the same four AMZN records
 * through a tumbling window and a stagger window, with the result tables the page prints) and its
 * "Example: Stagger Window" (groups of six records ten seconds apart).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TIMESTAMP, VARCHAR, run, ts, type InputRow } from "./helpers/harness.js";

const source = [{ name: "SOURCE_SQL_STREAM_001", columns: [{ name: "TICKER_SYMBOL", type: VARCHAR(4) }, { name: "EVENT_TIME", type: TIMESTAMP }] }];

// The page's events (times only; the date is ours).
const events: InputRow[] = [
  ["11:00:20", "11:00:10"],
  ["11:00:30", "11:00:20"],
  ["11:01:05", "11:00:55"],
  ["11:01:15", "11:01:05"],
].map(([rowtime, eventTime]) => ({ rowtime: `2018-08-01 ${rowtime}`, row: ["AMZN", ts(`2018-08-01 ${eventTime}`)] }));

describe("analytics > windows > stagger > guide's Stagger Windows page", () => {
  it("the tumbling window query gives the page's three partial results", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), EVENT_TIME timestamp, TICKER_COUNT DOUBLE);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM
              TICKER_SYMBOL,
              FLOOR(EVENT_TIME TO MINUTE),
              COUNT(TICKER_SYMBOL) AS TICKER_COUNT
          FROM "SOURCE_SQL_STREAM_001"
          GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);`;
    const result = run(code, source, events);
    // ROWTIME | TICKER_SYMBOL | EVENT_TIME | COUNT, as the page's table (columns in select order).
    assert.deepEqual(result.rows, [
      ["2018-08-01 11:01:00.000", "AMZN", "2018-08-01 11:00:00.000", 2],
      ["2018-08-01 11:02:00.000", "AMZN", "2018-08-01 11:00:00.000", 1],
      ["2018-08-01 11:02:00.000", "AMZN", "2018-08-01 11:01:00.000", 1],
    ]);
    assert.deepEqual(
      result.columns.map((column) => column.name),
      ["TICKER_SYMBOL", "EXPR$1", "TICKER_COUNT"],
    );
  });

  it("the stagger window query gives the page's two complete results", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count DOUBLE);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS
        INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM
              TICKER_SYMBOL,
              FLOOR(EVENT_TIME TO MINUTE),
              COUNT(TICKER_SYMBOL) AS ticker_count
          FROM "SOURCE_SQL_STREAM_001"
          WINDOWED BY STAGGER (
              PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);`;
    const result = run(code, source, events);
    assert.deepEqual(result.rows, [
      ["2018-08-01 11:01:20.000", "AMZN", "2018-08-01 11:00:00.000", 3],
      ["2018-08-01 11:02:15.000", "AMZN", "2018-08-01 11:01:00.000", 1],
    ]);
  });

  it("a window closes on time: advancing past its end emits it with no further row", () => {
    const code = `
      SELECT STREAM TICKER_SYMBOL, COUNT(*) AS C FROM "SOURCE_SQL_STREAM_001"
      WINDOWED BY STAGGER (PARTITION BY TICKER_SYMBOL RANGE INTERVAL '1' MINUTE)`;
    const justBefore = run(code, source, events.slice(0, 2), { finalWatermarkMs: ts("2018-08-01 11:01:19.999") });
    assert.deepEqual(justBefore.rows, []);
    const atEnd = run(code, source, events.slice(0, 2), { finalWatermarkMs: ts("2018-08-01 11:01:20") });
    assert.deepEqual(atEnd.rows, [["2018-08-01 11:01:20.000", "AMZN", 2]]);
  });
});

describe("analytics > windows > stagger > guide's Example: Stagger Window", () => {
  const exampleSource = [{ name: "SOURCE_SQL_STREAM_001", columns: [{ name: "EVENT_TIME", type: TIMESTAMP }, { name: "TICKER", type: VARCHAR(4) }] }];
  const amzn = ts("2018-08-01 20:17:20.797");
  const intc = ts("2018-08-01 20:18:21.043");
  const rows: InputRow[] = [
    ...["20:17:30", "20:17:40", "20:17:50", "20:18:00", "20:18:10", "20:18:21"].map((time) => ({ rowtime: `2018-08-01 ${time}`, row: [amzn, "AMZN"] })),
    ...["20:18:31", "20:18:41", "20:18:51", "20:19:01", "20:19:11", "20:19:21"].map((time) => ({ rowtime: `2018-08-01 ${time}`, row: [intc, "INTC"] })),
  ];
  const code = `
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (event_time TIMESTAMP, ticker_symbol VARCHAR(4), ticker_count INTEGER);
    CREATE OR REPLACE PUMP "STREAM_PUMP" AS
      INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM
            EVENT_TIME,
            TICKER,
            COUNT(TICKER) AS ticker_count
        FROM "SOURCE_SQL_STREAM_001"
        WINDOWED BY STAGGER (
                PARTITION BY TICKER, EVENT_TIME RANGE INTERVAL '1' MINUTE);`;

  it("each group of six records spanning minutes is counted in one window, emitted a minute after its first row", () => {
    const result = run(code, exampleSource, rows);
    assert.deepEqual(result.rows, [
      ["2018-08-01 20:18:30.000", "2018-08-01 20:17:20.797", "AMZN", 6],
      ["2018-08-01 20:19:31.000", "2018-08-01 20:18:21.043", "INTC", 6],
    ]);
  });

  it("a restart from a snapshot mid-window neither loses nor repeats a window", () => {
    const uninterrupted = run(code, exampleSource, rows).rows;
    for (const restartAfter of [1, 3, 6, 7, 9, 11]) {
      const restarted = run(code, exampleSource, rows, { restartAfter });
      assert.deepEqual(restarted.rows, uninterrupted, `restart after ${restartAfter} rows`);
      assert.doesNotThrow(() => JSON.stringify(restarted.snapshots[0]));
    }
  });

  it("the state is the open windows only", () => {
    const result = run(code, exampleSource, rows, { restartAfter: 8 });
    // After 8 rows the AMZN window has been emitted (20:18:31 ≥ 20:18:30): only INTC's is open.
    const saved = result.snapshots[0] as { window: { windows: unknown[] } };
    assert.equal(saved.window.windows.length, 1);
  });
});
