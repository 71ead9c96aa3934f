/**
 * Golden tests of sliding windows: the SQL reference's "Windowed Aggregation on Streams" (the
 * WEATHERSTREAM table and its printed results: RANGE INTERVAL '1' DAY PRECEDING includes the row a
 * day earlier), "Window examples" (ROWS 3 PRECEDING holds four rows), the guide's "Sliding Windows"
 * examples (named windows, several windows in one query), and the streaming functions LAG,
 * FIRST_VALUE, LAST_VALUE and NTH_VALUE.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DOUBLE, INTEGER, VARCHAR, plan, run, ts, type InputRow } from "./helpers/harness.js";

const weather = [{ name: "WEATHERSTREAM", columns: [{ name: "CITY", type: VARCHAR(20) }, { name: "TEMP", type: INTEGER }] }];
const readings: InputRow[] = (
  [
    ["2018-11-01 01:00:00", "Denver", 29],
    ["2018-11-01 01:00:00", "Anchorage", 2],
    ["2018-11-01 06:00:00", "Miami", 65],
    ["2018-11-01 07:00:00", "Denver", 32],
    ["2018-11-01 09:00:00", "Anchorage", 9],
    ["2018-11-01 13:00:00", "Denver", 50],
    ["2018-11-01 17:00:00", "Anchorage", 10],
    ["2018-11-01 18:00:00", "Miami", 71],
    ["2018-11-01 19:00:00", "Denver", 43],
    ["2018-11-02 01:00:00", "Anchorage", 4],
    ["2018-11-02 01:00:00", "Denver", 39],
    ["2018-11-02 07:00:00", "Denver", 46],
    ["2018-11-02 09:00:00", "Anchorage", 3],
    ["2018-11-02 13:00:00", "Denver", 56],
    ["2018-11-02 17:00:00", "Anchorage", 2],
    ["2018-11-02 19:00:00", "Denver", 50],
    ["2018-11-03 01:00:00", "Denver", 36],
    ["2018-11-03 01:00:00", "Anchorage", 1],
  ] as [string, string, number][]
).map(([rowtime, city, temp]) => ({ rowtime, row: [city, temp] }));

describe("analytics > windows > sliding > reference's Windowed Aggregation on Streams", () => {
  const code = `
    SELECT STREAM
           ROWTIME,
           MIN(TEMP) OVER W1 AS WMIN_TEMP,
           MAX(TEMP) OVER W1 AS WMAX_TEMP
    FROM WEATHERSTREAM
    WINDOW W1 AS (
       RANGE INTERVAL '1' DAY PRECEDING
    );`;

  it("gives the reference's results, one row per reading", () => {
    const result = run(code, weather, readings);
    const expected: [string, number, number][] = [
      ["2018-11-01 01:00:00", 29, 29],
      ["2018-11-01 01:00:00", 2, 29],
      ["2018-11-01 06:00:00", 2, 65],
      ["2018-11-01 07:00:00", 2, 65],
      ["2018-11-01 09:00:00", 2, 65],
      ["2018-11-01 13:00:00", 2, 65],
      ["2018-11-01 17:00:00", 2, 65],
      ["2018-11-01 18:00:00", 2, 71],
      ["2018-11-01 19:00:00", 2, 71],
      ["2018-11-02 01:00:00", 2, 71],
      ["2018-11-02 01:00:00", 2, 71],
      ["2018-11-02 07:00:00", 4, 71],
      ["2018-11-02 09:00:00", 3, 71],
      ["2018-11-02 13:00:00", 3, 71],
      ["2018-11-02 17:00:00", 2, 71],
      ["2018-11-02 19:00:00", 2, 56],
      ["2018-11-03 01:00:00", 2, 56],
      ["2018-11-03 01:00:00", 1, 56],
    ];
    assert.deepEqual(
      result.rows,
      expected.map(([rowtime, min, max]) => [`${rowtime}.000`, `${rowtime}.000`, min, max]),
    );
  });

  it("PARTITION BY CITY keeps a window per city", () => {
    const partitioned = `
      SELECT STREAM CITY, MIN(TEMP) OVER W1 AS WMIN_TEMP, MAX(TEMP) OVER W1 AS WMAX_TEMP
      FROM WEATHERSTREAM
      WINDOW W1 AS (PARTITION BY CITY RANGE INTERVAL '1' DAY PRECEDING)`;
    const denver = run(partitioned, weather, readings).rows.filter((row) => row[1] === "Denver");
    assert.deepEqual(
      denver.map((row) => [row[0], row[2], row[3]]),
      [
        ["2018-11-01 01:00:00.000", 29, 29],
        ["2018-11-01 07:00:00.000", 29, 32],
        ["2018-11-01 13:00:00.000", 29, 50],
        ["2018-11-01 19:00:00.000", 29, 50],
        ["2018-11-02 01:00:00.000", 29, 50],
        ["2018-11-02 07:00:00.000", 32, 50],
        ["2018-11-02 13:00:00.000", 39, 56],
        ["2018-11-02 19:00:00.000", 39, 56],
        ["2018-11-03 01:00:00.000", 36, 56],
      ],
    );
  });

  it("a restart from a snapshot at any row gives the same results", () => {
    const uninterrupted = run(code, weather, readings).rows;
    for (let restartAfter = 1; restartAfter < readings.length; restartAfter++) {
      assert.deepEqual(run(code, weather, readings, { restartAfter }).rows, uninterrupted, `restart after ${restartAfter}`);
    }
  });

  it("the state holds only the window's rows: a sweep drops partitions the window has left", () => {
    const partitioned = `
      SELECT STREAM CITY, COUNT(*) OVER (PARTITION BY CITY RANGE INTERVAL '1' HOUR PRECEDING) AS c FROM WEATHERSTREAM`;
    const { start } = plan(partitioned, weather);
    const errors: string[] = [];
    const running = start(() => {}, errors);
    running.push(undefined, ["Denver", 1], ts("2018-11-01 01:00:00"));
    running.push(undefined, ["Anchorage", 1], ts("2018-11-01 01:30:00"));
    const partitions = () => (running.operator.snapshot() as { window: { windows: unknown[][] } }).window.windows[0]?.length;
    running.operator.advance(ts("2018-11-01 02:00:00"));
    assert.equal(partitions(), 2, "the 01:30 row is still within its hour; the sweep waits a window length");
    running.operator.advance(ts("2018-11-01 03:00:00"));
    assert.equal(partitions(), 0, "every row has left its one-hour window");
  });
});

describe("analytics > windows > sliding > ROWS windows and several windows in one query", () => {
  const trades = [{ name: "SOURCE_SQL_STREAM_001", columns: [{ name: "TICKER_SYMBOL", type: VARCHAR(12) }, { name: "PRICE", type: DOUBLE }] }];
  const prices: InputRow[] = [10, 20, 30, 40, 50].map((price, index) => ({ rowtime: ts("2018-06-13 10:00:00") + index * 1000, row: ["AMZN", price] }));

  it("ROWS 3 PRECEDING holds the row and the three before it; CURRENT ROW the row alone", () => {
    const code = `
      SELECT STREAM PRICE, SUM(PRICE) OVER lastThree AS s3, COUNT(*) OVER lastThree AS c3, SUM(PRICE) OVER (ROWS CURRENT ROW) AS s0
      FROM SOURCE_SQL_STREAM_001
      WINDOW lastThree AS (ROWS 3 PRECEDING)`;
    assert.deepEqual(
      run(code, trades, prices).rows.map((row) => row.slice(1)),
      [
        [10, 10, 1, 10],
        [20, 30, 2, 20],
        [30, 60, 3, 30],
        [40, 100, 4, 40],
        [50, 140, 4, 50],
      ],
    );
  });

  it("the guide's example 3: two-row and ten-row averages per ticker over named windows", () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(12), price double, average_last2rows double, average_last10rows double);
      CREATE OR REPLACE PUMP "myPump" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ticker_symbol,
                    price,
                    avg(price) over last2rows,
                    avg(price) over last10rows
      FROM SOURCE_SQL_STREAM_001
      WINDOW
          last2rows AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING),
          last10rows AS (PARTITION BY ticker_symbol ROWS 10 PRECEDING);`;
    const rows: InputRow[] = [...prices, { rowtime: ts("2018-06-13 10:00:05"), row: ["MSFT", 7] }];
    assert.deepEqual(
      run(code, trades, rows).rows.map((row) => row.slice(1)),
      [
        ["AMZN", 10, 10, 10],
        ["AMZN", 20, 15, 15],
        ["AMZN", 30, 20, 20],
        ["AMZN", 40, 30, 25],
        ["AMZN", 50, 40, 30],
        ["MSFT", 7, 7, 7],
      ],
    );
  });

  it("an expression over window results; WHERE filters rows before they enter the window", () => {
    const code = `
      SELECT STREAM PRICE - AVG(PRICE) OVER (ROWS 1 PRECEDING) AS d
      FROM SOURCE_SQL_STREAM_001 WHERE PRICE <> 30`;
    assert.deepEqual(run(code, trades, prices).rows.map((row) => row[1]), [0, 5, 10, 5]);
  });

  it("a refined window reference: OVER (w ROWS 1 PRECEDING) keeps w's partitioning", () => {
    const code = `
      SELECT STREAM COUNT(*) OVER (w ROWS 1 PRECEDING) AS c FROM SOURCE_SQL_STREAM_001
      WINDOW w AS (PARTITION BY TICKER_SYMBOL)`;
    const rows: InputRow[] = [prices[0] as InputRow, { rowtime: ts("2018-06-13 10:00:00.500"), row: ["MSFT", 1] }, prices[1] as InputRow, prices[2] as InputRow];
    assert.deepEqual(run(code, trades, rows).rows.map((row) => row[1]), [1, 1, 2, 2]);
  });

  it("an unknown window name is a compile error naming it", () => {
    assert.throws(() => run(`SELECT STREAM COUNT(*) OVER nope FROM SOURCE_SQL_STREAM_001`, trades, prices), /Window 'NOPE' not found/);
  });
});

describe("analytics > windows > sliding > streaming functions", () => {
  const source = [{ name: "S", columns: [{ name: "K", type: VARCHAR(4) }, { name: "V", type: INTEGER }] }];
  const values: (number | null)[] = [1, null, 3, null, null, 6];
  const rows: InputRow[] = values.map((value, index) => ({ rowtime: ts("2020-01-01 00:00:00") + index * 10_000, row: ["a", value] }));

  it("LAG: the value n rows back in the window, the default when that row is outside it, nulls counted or skipped", () => {
    const code = `
      SELECT STREAM V,
        LAG(V) OVER w AS lag1,
        LAG(V, 2, -1) OVER w AS lag2,
        LAG(V, 1) IGNORE NULLS OVER w AS lag1_ignore,
        LAG(V, 2, -1) OVER (ROWS 1 PRECEDING) AS lag2_outside
      FROM S WINDOW w AS (PARTITION BY K ROWS 5 PRECEDING)`;
    assert.deepEqual(
      run(code, source, rows).rows.map((row) => row.slice(1)),
      [
        [1, null, -1, null, -1],
        [null, 1, -1, 1, -1],
        [3, null, 1, 1, -1],
        [null, 3, null, 3, -1],
        [null, null, 3, 3, -1],
        [6, null, null, 3, -1],
      ],
    );
  });

  it("LAG over a RANGE window: a row older than the range is outside it", () => {
    const code = `SELECT STREAM LAG(V, 1, 0) OVER (RANGE INTERVAL '15' SECOND PRECEDING) AS l FROM S`;
    const sparse: InputRow[] = [
      { rowtime: "2020-01-01 00:00:00", row: ["a", 1] },
      { rowtime: "2020-01-01 00:00:15", row: ["a", 2] },
      { rowtime: "2020-01-01 00:00:31", row: ["a", 3] },
    ];
    assert.deepEqual(run(code, source, sparse).rows.map((row) => row[1]), [0, 1, 0]);
  });

  it("FIRST_VALUE, LAST_VALUE and NTH_VALUE over a window, with IGNORE NULLS", () => {
    const code = `
      SELECT STREAM
        FIRST_VALUE(V) OVER w AS f,
        FIRST_VALUE(V) IGNORE NULLS OVER w AS fi,
        LAST_VALUE(V) OVER w AS l,
        LAST_VALUE(V) IGNORE NULLS OVER w AS li,
        NTH_VALUE(V, 2) OVER w AS n2,
        NTH_VALUE(V, 2) IGNORE NULLS OVER w AS n2i
      FROM S WINDOW w AS (ROWS 2 PRECEDING)`;
    assert.deepEqual(
      run(code, source, rows).rows.map((row) => row.slice(1)),
      [
        [1, 1, 1, 1, null, null],
        [1, 1, null, 1, null, null],
        [1, 1, 3, 3, null, 3],
        [null, 3, null, 3, 3, null],
        [3, 3, null, 3, null, null],
        [null, 6, 6, 6, null, null],
      ],
    );
  });

  it("over an unbounded window the functions keep only what they can still read", () => {
    const code = `SELECT STREAM FIRST_VALUE(V) OVER w AS f, LAG(V, 2) OVER w AS l2, SUM(V) OVER w AS s FROM S WINDOW w AS (PARTITION BY K)`;
    const many: InputRow[] = Array.from({ length: 100 }, (_, index) => ({ rowtime: ts("2020-01-01 00:00:00") + index, row: ["a", index] }));
    const result = run(code, source, many, { restartAfter: 99 });
    assert.deepEqual(result.rows.at(-1)?.slice(1), [0, 97, 4950]);
    const saved = result.snapshots[0] as { window: { windows: { entries: unknown[]; values: unknown[][] }[][] } };
    const partition = saved.window.windows[0]?.[0];
    assert.equal(partition?.entries.length, 0);
    assert.deepEqual(partition?.values.map((list) => list.length), [1, 2]);
  });
});
