/**
 * Reference-table joins (developer guide "Example: Adding Reference Data to a Kinesis Data
 * Analytics Application") and TABLE(fn(CURSOR(...))) through a table function of the registry.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TableFunction } from "../../../src/analytics/sql/functions/contracts.js";
import { createFunctionRegistry } from "../../../src/analytics/sql/functions/registry.js";
import { scalarFunctions } from "../../../src/analytics/sql/functions/scalar/index.js";
import type { Row } from "../../../src/analytics/sql/types.js";
import { compileError, start, ts } from "./helpers.js";

const demo = { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL" };
const references = { CompanyName: '"Ticker" VARCHAR(4), "Company" VARCHAR(20)' };

describe("analytics > engine > reference joins", () => {
  it("joins the demo stream with CompanyName (LEFT JOIN keeps unmatched rows)", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), "Company" VARCHAR(20), sector VARCHAR(12), change DOUBLE, price DOUBLE);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM ticker_symbol, "c"."Company", sector, change, price
         FROM "SOURCE_SQL_STREAM_001" LEFT JOIN "CompanyName" AS "c"
         ON "SOURCE_SQL_STREAM_001".ticker_symbol = "c"."Ticker";`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("CompanyName", [
      ["AMZN", "Amazon"],
      ["ASD", "SomeCompanyA"],
      ["MMB", "SomeCompanyB"],
    ]);
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:00.000", "AMZN", "TECHNOLOGY", 1.5, 100],
      ["2024-01-01 10:00:01.000", "XYZ", "ENERGY", -1, 20],
    ]);
    h.app.setReferenceTable("CompanyName", [["XYZ", "Xyz Corp"]]);
    h.push("SOURCE_SQL_STREAM_001", [["2024-01-01 10:00:02.000", "XYZ", "ENERGY", 0.5, 21]]);
    assert.deepEqual(h.rows("DESTINATION_SQL_STREAM"), [
      ["2024-01-01 10:00:00.000", "AMZN", "Amazon", "TECHNOLOGY", 1.5, 100],
      ["2024-01-01 10:00:01.000", "XYZ", null, "ENERGY", -1, 20],
      ["2024-01-01 10:00:02.000", "XYZ", "Xyz Corp", "ENERGY", 0.5, 21],
    ]);
  });

  it("an inner join drops unmatched rows; ON without equalities compares every table row", () => {
    const h = start(
      `CREATE STREAM "OUT" (sym VARCHAR(4), band VARCHAR(8));
       CREATE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol, b.name FROM "Bands" AS b JOIN "SOURCE_SQL_STREAM_001" AS s
         ON s.price >= b.low AND s.price < b.high;`,
      { inputs: demo, references: { Bands: "NAME VARCHAR(8), LOW DOUBLE, HIGH DOUBLE" } },
    );
    h.app.setReferenceTable("Bands", [
      ["cheap", 0, 50],
      ["dear", 50, 1000],
    ]);
    h.push("SOURCE_SQL_STREAM_001", [
      ["2024-01-01 10:00:00.000", "AMZN", "T", 0, 120],
      ["2024-01-01 10:00:01.000", "BIG", "T", 0, 5000],
      ["2024-01-01 10:00:02.000", "INTC", "T", 0, 40],
    ]);
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 10:00:00.000", "AMZN", "dear"],
      ["2024-01-01 10:00:02.000", "INTC", "cheap"],
    ]);
  });

  it("several table rows matching one key each give a row", () => {
    const h = start(
      `CREATE STREAM "OUT" (sym VARCHAR(4), tag VARCHAR(8));
       CREATE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol, t.tag FROM "SOURCE_SQL_STREAM_001" AS s JOIN "Tags" AS t ON t.sym = s.ticker_symbol AND t.active;`,
      { inputs: demo, references: { Tags: "SYM CHAR(4), TAG VARCHAR(8), ACTIVE BOOLEAN" } },
    );
    h.app.setReferenceTable("Tags", [
      ["AMZN", "retail", true],
      ["AMZN", "cloud", true],
      ["AMZN", "old", false],
      ["MSFT", "cloud", true],
    ]);
    h.push("SOURCE_SQL_STREAM_001", [["2024-01-01 10:00:00.000", "AMZN", "T", 0, 1]]);
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 10:00:00.000", "AMZN", "retail"],
      ["2024-01-01 10:00:00.000", "AMZN", "cloud"],
    ]);
  });

  it("an outer join on the table's side is rejected", () => {
    const error = compileError(
      `CREATE STREAM "OUT" (sym VARCHAR(4));
       CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM s.ticker_symbol FROM "SOURCE_SQL_STREAM_001" AS s RIGHT JOIN "CompanyName" AS c ON c."Ticker" = s.ticker_symbol;`,
      { inputs: demo, references },
    );
    assert.equal(error.message, "RIGHT JOIN of a stream with a reference table must keep the stream's side");
  });
});

/** A test-only table function: numbers its input rows and, at each watermark, reports how many it saw. */
const counting: TableFunction = {
  name: "COUNT_ROWS",
  resolve(input, args) {
    const step = (args[0] ?? 1) as number;
    return {
      ok: true,
      value: {
        columns: [...input, { name: "SEEN", type: { name: "BIGINT" } }],
        create() {
          let seen = 0;
          return {
            push(row: Row, rowtimeMs: number, emit) {
              seen += step;
              emit([...row, seen], rowtimeMs);
            },
            advance(watermarkMs, emit) {
              if (Number.isFinite(watermarkMs)) emit([null, seen], watermarkMs);
            },
            snapshot: () => seen,
            restore(state) {
              seen = state as number;
            },
          };
        },
      },
    };
  },
};

const functions = createFunctionRegistry({ scalars: scalarFunctions, aggregates: [], tables: [counting] });

describe("analytics > engine > table functions", () => {
  it("feeds the cursor's rows to the function and selects from its rows", () => {
    const h = start(
      `CREATE STREAM "OUT" (n INTEGER, seen BIGINT);
       CREATE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM n, seen FROM TABLE(COUNT_ROWS(CURSOR(SELECT STREAM n FROM "IN" WHERE n > 0), 10)) AS c;`,
      { inputs: { IN: "N INTEGER" }, functions },
    );
    h.push("IN", [
      ["2024-01-01 00:00:01.000", 5],
      ["2024-01-01 00:00:02.000", -1],
      ["2024-01-01 00:00:03.000", 6],
    ]);
    h.app.advance(ts("2024-01-01 00:00:04.000"));
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 00:00:01.000", 5, 10],
      ["2024-01-01 00:00:03.000", 6, 20],
      ["2024-01-01 00:00:04.000", null, 20],
    ]);
  });

  it("its other arguments must be constants; an unknown function is named with its signature", () => {
    const notConstant = compileError(
      `CREATE STREAM "OUT" (n INTEGER, seen BIGINT);
       CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM * FROM TABLE(COUNT_ROWS(CURSOR(SELECT STREAM n FROM "IN"), n));`,
      { inputs: { IN: "N INTEGER" }, functions },
    );
    assert.equal(notConstant.message, "Column 'N' not found in any table");
    const unknown = compileError(
      `CREATE STREAM "OUT" (n INTEGER);
       CREATE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM * FROM TABLE(NO_SUCH(CURSOR(SELECT STREAM n FROM "IN"), 1, 'x'));`,
      { inputs: { IN: "N INTEGER" }, functions },
    );
    assert.equal(unknown.message, "No match found for function signature NO_SUCH(<CURSOR>, <NUMERIC>, <CHARACTER>)");
    assert.deepEqual(unknown.position, { line: 2, column: 66 });
  });
});

describe("analytics > engine > stream joins by a named window", () => {
  it("qualifies a stream windowed by a named window with the window's name (the developer guide's `JOIN TradeStream OVER t … t.amount`)", () => {
    const orders = "ORDERID INTEGER, TICKER VARCHAR(4), AMOUNT INTEGER";
    const h = start(
      `CREATE STREAM "OUT" (orderId INTEGER, ticker VARCHAR(4), orderAmount INTEGER, tradeAmount INTEGER);
       CREATE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM o.orderId, o.ticker, o.amount AS orderAmount, t.amount AS tradeAmount
         FROM OrderStream AS o
         JOIN TradeStream OVER t
         ON o.orderId = t.orderId
         WINDOW t AS (RANGE INTERVAL '1' MINUTE PRECEDING);`,
      { inputs: { ORDERSTREAM: orders, TRADESTREAM: orders } },
    );
    h.push("TRADESTREAM", [["2024-01-01 10:00:00.000", 1, "AMZN", 100]]);
    h.push("ORDERSTREAM", [
      ["2024-01-01 10:00:30.000", 1, "AMZN", 5],
      ["2024-01-01 10:00:40.000", 2, "AMZN", 7],
    ]);
    h.app.advance(Number.POSITIVE_INFINITY);
    assert.deepEqual(h.rows("OUT"), [["2024-01-01 10:00:30.000", 1, "AMZN", 5, 100]]);
  });
});
