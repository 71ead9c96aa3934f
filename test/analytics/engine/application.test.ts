/**
 * Golden tests of whole applications: code + input rows with ROWTIMEs → the exact rows each
 * in-application stream receives, error_stream included. The first cases are the developer
 * guide's stock-ticker demo (SOURCE_SQL_STREAM_001: TICKER_SYMBOL, SECTOR, CHANGE, PRICE).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../src/analytics/engine/expressions/values.js";
import type { Row } from "../../../src/analytics/sql/types.js";
import { compile, start, ts } from "./helpers.js";

const demo = { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL" };

function hexJson(value: unknown): string {
  return toHex(new TextEncoder().encode(JSON.stringify(value)));
}

describe("analytics > engine > applications", () => {
  it("filters and projects the demo stream (SIMILAR TO '%TECH%')", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM ticker_symbol, sector, change, price FROM "SOURCE_SQL_STREAM_001"
         WHERE sector SIMILAR TO '%TECH%';`,
      { inputs: demo },
    );
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:00.100", "AMZN", "TECHNOLOGY", 1.5, 120.25],
      ["2024-01-01 10:00:00.200", "JNJ", "HEALTHCARE", -0.5, 80],
      ["2024-01-01 10:00:01.000", "MSFT", "FINTECH SERVICES", 0.25, 310.5],
    ]);
    assert.deepEqual(h.rows("DESTINATION_SQL_STREAM"), [
      ["2024-01-01 10:00:00.100", "AMZN", "TECHNOLOGY", 1.5, 120.25],
      // VARCHAR(16) into VARCHAR(12): cut to the column's length.
      ["2024-01-01 10:00:01.000", "MSFT", "FINTECH SERV", 0.25, 310.5],
    ]);
    assert.deepEqual(h.rows("error_stream"), []);
  });

  it("sends a division by zero to error_stream with the pump's name and carries on", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), ProblemColumn DOUBLE);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM ticker_symbol, price / change AS ProblemColumn FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: demo },
    );
    h.clock.now = ts("2024-01-01 10:00:05.000");
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:01.000", "AMZN", "TECHNOLOGY", 0, 120],
      ["2024-01-01 10:00:02.000", "MSFT", "TECHNOLOGY", 2, 300],
    ]);
    assert.deepEqual(h.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 10:00:02.000", "MSFT", 150]]);
    assert.deepEqual(h.rows("error_stream"), [
      [
        "2024-01-01 10:00:01.000",
        ts("2024-01-01 10:00:05.000"),
        "WARNING",
        "Divide by zero",
        "/ by zero",
        ts("2024-01-01 10:00:01.000"),
        hexJson(["AMZN", "TECHNOLOGY", 0, 120]),
        "STREAM_PUMP",
      ],
    ]);
  });

  it("runs a chain of streams: a pump's target feeds the next pump", () => {
    const h = start(
      `CREATE STREAM "TECH" (sym VARCHAR(4), price DOUBLE);
       CREATE STREAM "EXPENSIVE" (sym VARCHAR(4), cents INTEGER);
       CREATE PUMP "P1" AS INSERT INTO "TECH" SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001" WHERE sector = 'TECHNOLOGY';
       CREATE PUMP "P2" AS INSERT INTO "EXPENSIVE" SELECT STREAM sym, CAST(price * 100 AS INTEGER) FROM "TECH" WHERE price >= 100;`,
      { inputs: demo },
    );
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:00.000", "AMZN", "TECHNOLOGY", 1, 120.125],
      ["2024-01-01 10:00:01.000", "INTC", "TECHNOLOGY", 1, 40],
      ["2024-01-01 10:00:02.000", "JNJ", "HEALTHCARE", 1, 150],
    ]);
    assert.deepEqual(h.rows("TECH"), [
      ["2024-01-01 10:00:00.000", "AMZN", 120.125],
      ["2024-01-01 10:00:01.000", "INTC", 40],
    ]);
    // 12012.5 rounds half away from zero.
    assert.deepEqual(h.rows("EXPENSIVE"), [["2024-01-01 10:00:00.000", "AMZN", 12013]]);
  });

  it("merges several pumps into one stream by ROWTIME (parallel inputs)", () => {
    const h = start(
      `CREATE STREAM "ALL_ROWS" (source VARCHAR(3), n INTEGER);
       CREATE PUMP "P1" AS INSERT INTO "ALL_ROWS" SELECT STREAM 'one', n FROM "SOURCE_SQL_STREAM_001";
       CREATE PUMP "P2" AS INSERT INTO "ALL_ROWS" SELECT STREAM 'two', n FROM "SOURCE_SQL_STREAM_002";`,
      { inputs: { SOURCE_SQL_STREAM_001: "N INTEGER", SOURCE_SQL_STREAM_002: "N INTEGER" } },
    );
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:01.000", 1],
      ["2024-01-01 10:00:03.000", 3],
    ]);
    // Nothing can leave before the second input shows how far it has come.
    assert.deepEqual(h.rows("ALL_ROWS"), []);
    h.push("SOURCE_SQL_STREAM_002", [
      ["2024-01-01 10:00:02.000", 2],
      ["2024-01-01 10:00:04.000", 4],
    ]);
    assert.deepEqual(h.rows("ALL_ROWS"), [
      ["2024-01-01 10:00:01.000", "one", 1],
      ["2024-01-01 10:00:02.000", "two", 2],
      ["2024-01-01 10:00:03.000", "one", 3],
    ]);
    h.app.advance(ts("2024-01-01 10:00:05.000"));
    assert.deepEqual(h.rows("ALL_ROWS").at(-1), ["2024-01-01 10:00:04.000", "two", 4]);
    assert.deepEqual(h.rows("error_stream"), []);
  });

  it("UNION ALL merges its sides by ROWTIME and unifies their types", () => {
    const h = start(
      `CREATE STREAM "OUT" (v DECIMAL(5, 1));
       CREATE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM a FROM "S1" UNION ALL SELECT STREAM b FROM "S2";`,
      { inputs: { S1: "A INTEGER", S2: "B DECIMAL(4, 1)" } },
    );
    h.push("S2", [["2024-01-01 10:00:01.000", 1.5]]);
    h.push("S1", [
      ["2024-01-01 10:00:00.500", 7],
      ["2024-01-01 10:00:02.000", 8],
    ]);
    h.app.advance(Infinity);
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 10:00:00.500", 7],
      ["2024-01-01 10:00:01.000", 1.5],
      ["2024-01-01 10:00:02.000", 8],
    ]);
  });

  it("sets ROWTIME from a select item aliased ROWTIME; an earlier ROWTIME goes to error_stream", () => {
    const h = start(
      `CREATE STREAM "EVENTS" (id INTEGER);
       CREATE PUMP "P" AS INSERT INTO "EVENTS"
         SELECT STREAM CAST(event_time AS TIMESTAMP) AS ROWTIME, id FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: { SOURCE_SQL_STREAM_001: "EVENT_TIME VARCHAR(23), ID INTEGER" } },
    );
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:00.000", "2023-12-31 23:59:00.000", 1],
      ["2024-01-01 10:00:01.000", "2023-12-31 23:58:00.000", 2],
      ["2024-01-01 10:00:02.000", "2023-12-31 23:59:30.000", 3],
    ]);
    assert.deepEqual(h.rows("EVENTS"), [
      ["2023-12-31 23:59:00.000", 1],
      ["2023-12-31 23:59:30.000", 3],
    ]);
    const errors = h.rows("error_stream");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.[3], "Rowtime out of order");
    assert.equal(errors[0]?.[7], "P");
    assert.equal(errors[0]?.[0], "2023-12-31 23:58:00.000");
  });

  it("maps INSERT column lists: named columns in any order, nulls elsewhere, values converted", () => {
    const h = start(
      `CREATE STREAM "T" (a INTEGER, b VARCHAR(8), c DECIMAL(6, 2), d CHAR(3));
       CREATE PUMP "P" AS INSERT INTO "T" (d, c, a) SELECT STREAM name, amount, amount FROM "IN";`,
      { inputs: { IN: "NAME VARCHAR(8), AMOUNT DOUBLE" } },
    );
    h.push("IN", [["2024-01-01 00:00:01.000", "ab", 12.345]]);
    assert.deepEqual(h.rows("T"), [["2024-01-01 00:00:01.000", 12, null, 12.35, "ab "]]);
  });

  it("reports an input row out of ROWTIME order with PUMP_NAME null", () => {
    const h = start(`CREATE STREAM "O" (n INTEGER); CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM n FROM "IN";`, { inputs: { IN: "N INTEGER" } });
    h.push("IN", [
      ["2024-01-01 00:00:02.000", 1],
      ["2024-01-01 00:00:01.000", 2],
    ]);
    assert.deepEqual(h.rows("O"), [["2024-01-01 00:00:02.000", 1]]);
    const [error] = h.rows("error_stream");
    assert.equal(error?.[3], "Rowtime out of order");
    assert.equal(error?.[7], "null");
    assert.equal(error?.[6], hexJson([2]));
  });

  it("a bad CAST drops that row to error_stream as a coercion error", () => {
    const h = start(`CREATE STREAM "O" (n INTEGER); CREATE PUMP "P" AS INSERT INTO "O" SELECT STREAM CAST(t AS INTEGER) FROM "IN";`, { inputs: { IN: "T VARCHAR(8)" } });
    h.push("IN", [
      ["2024-01-01 00:00:01.000", " 42 "],
      ["2024-01-01 00:00:02.000", "4x"],
    ]);
    assert.deepEqual(h.rows("O"), [["2024-01-01 00:00:01.000", 42]]);
    assert.deepEqual(
      h.rows("error_stream").map((row) => row.slice(3, 5)),
      [["Coercion error", 'For input string: "4x"']],
    );
  });

  it("selects * and s.* without ROWTIME, from subqueries with their alias", () => {
    const h = start(
      `CREATE STREAM "O" (a INTEGER, b VARCHAR(2), t TIMESTAMP);
       CREATE PUMP "P" AS INSERT INTO "O"
         SELECT STREAM x.*, x.ROWTIME AS t FROM (SELECT STREAM * FROM "IN" WHERE a > 1) AS x;`,
      { inputs: { IN: "A INTEGER, B VARCHAR(2)" } },
    );
    h.push("IN", [
      ["2024-01-01 00:00:01.000", 1, "no"],
      ["2024-01-01 00:00:02.000", 2, "ok"],
    ]);
    assert.deepEqual(h.rows("O"), [["2024-01-01 00:00:02.000", 2, "ok", ts("2024-01-01 00:00:02.000")]]);
  });

  it("lists every in-application stream: inputs, created streams and error_stream", () => {
    const result = compile(`CREATE STREAM "O" (n INTEGER, s VARCHAR(3));`, { inputs: { IN: "N INTEGER" } });
    assert.ok(result.ok);
    assert.deepEqual(
      result.application.streams().map((stream) => [stream.name, stream.columns.map((column) => column.name).join(",")]),
      [
        ["IN", "N"],
        ["O", "N,S"],
        ["error_stream", "ERROR_TIME,ERROR_LEVEL,ERROR_NAME,MESSAGE,DATA_ROWTIME,DATA_ROW,PUMP_NAME"],
      ],
    );
  });
});

describe("analytics > engine > developer guide examples with the function library", () => {
  it("simple alerts: ABS(change / (price - change)) * 100 > 1", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM ticker_symbol, sector, change, price FROM "SOURCE_SQL_STREAM_001"
         WHERE (ABS(Change / (Price - Change)) * 100) > 1;`,
      { inputs: demo },
    );
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:00.000", "AMZN", "TECHNOLOGY", 0.5, 100.5],
      ["2024-01-01 10:00:01.000", "JNJ", "HEALTHCARE", -2, 98],
    ]);
    assert.deepEqual(h.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 10:00:01.000", "JNJ", "HEALTHCARE", -2, 98]]);
  });

  it("SUBSTRING and POSITION clean up a referrer", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("ingest_time" TIMESTAMP, "referrer" VARCHAR(32));
       CREATE OR REPLACE PUMP "myPUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM "APPROXIMATE_ARRIVAL_TIME",
           SUBSTRING("referrer", 12, (POSITION('.com' IN "referrer") - POSITION('www.' IN "referrer") - 4))
         FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: { SOURCE_SQL_STREAM_001: '"referrer" VARCHAR(32), APPROXIMATE_ARRIVAL_TIME TIMESTAMP' } },
    );
    h.push("SOURCE_SQL_STREAM_001", [["2024-01-01 10:00:00.000", "http://www.amazon.com", ts("2024-01-01 09:59:59.500")]]);
    assert.deepEqual(h.rows("DESTINATION_SQL_STREAM"), [["2024-01-01 10:00:00.000", ts("2024-01-01 09:59:59.500"), "amazon"]]);
  });
});

describe("analytics > engine > streaming ORDER BY", () => {
  it("sorts each batch of equal FLOOR(ROWTIME TO MINUTE) by the other keys", () => {
    const h = start(
      `CREATE STREAM "O" (sym VARCHAR(4), price DOUBLE);
       CREATE PUMP "P" AS INSERT INTO "O"
         SELECT STREAM ticker_symbol, price AS p FROM "SOURCE_SQL_STREAM_001"
         ORDER BY FLOOR("SOURCE_SQL_STREAM_001".ROWTIME TO MINUTE), p DESC, 1;`,
      { inputs: demo },
    );
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:10.000", "B", "T", 0, 5],
      ["2024-01-01 10:00:20.000", "A", "T", 0, 9],
      ["2024-01-01 10:00:30.000", "C", "T", 0, 5],
      ["2024-01-01 10:01:05.000", "D", "T", 0, 1],
    ]);
    assert.deepEqual(h.rows("O"), [
      ["2024-01-01 10:00:30.000", "A", 9],
      ["2024-01-01 10:00:30.000", "B", 5],
      ["2024-01-01 10:00:30.000", "C", 5],
    ]);
    h.app.advance(ts("2024-01-01 10:01:59.000"));
    assert.equal(h.rows("O").length, 3, "the minute is still open");
    h.app.advance(ts("2024-01-01 10:02:00.000"));
    assert.deepEqual(h.rows("O").at(-1), ["2024-01-01 10:01:05.000", "D", 1]);
  });

  it("runs the developer guide's anomaly detection: RANDOM_CUT_FOREST, then ORDER BY score per second", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "TEMP_STREAM" ("heartRate" INTEGER, "rateType" varchar(20), "ANOMALY_SCORE" DOUBLE);
       CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("heartRate" INTEGER, "rateType" varchar(20), "ANOMALY_SCORE" DOUBLE);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
         SELECT STREAM "heartRate", "rateType", ANOMALY_SCORE
         FROM TABLE(RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001")));
       CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM * FROM "TEMP_STREAM"
         ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;`,
      { inputs: { SOURCE_SQL_STREAM_001: '"heartRate" INTEGER, "rateType" VARCHAR(20)' } },
    );
    const base = ts("2024-01-01 10:00:00.000");
    const rows: Row[] = [];
    const rowtimes: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const anomaly = i === 1990;
      rows.push([anomaly ? 190 : 60 + (i % 20), anomaly ? "HIGH" : "NORMAL"]);
      rowtimes.push(base + i * 10);
    }
    h.app.push("SOURCE_SQL_STREAM_001", rows, rowtimes);
    h.app.advance(Infinity);
    const out = h.received.filter((entry) => entry.stream === "DESTINATION_SQL_STREAM");
    assert.equal(out.length, 2000);
    assert.deepEqual(h.rows("error_stream"), []);
    // Within each second, scores descend; ROWTIMEs never go back.
    for (let i = 1; i < out.length; i++) {
      const [previous, current] = [out[i - 1] as (typeof out)[number], out[i] as (typeof out)[number]];
      assert.ok(current.rowtime >= previous.rowtime);
      if (current.rowtime === previous.rowtime) assert.ok((current.row[2] as number) <= (previous.row[2] as number));
    }
    const lastSecond = out.filter((entry) => entry.rowtime === out.at(-1)?.rowtime);
    assert.deepEqual(lastSecond[0]?.row.slice(0, 2), [190, "HIGH"], "the injected anomaly scores highest in its second");
  });
});
