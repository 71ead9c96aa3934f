/**
 * Queries over reference tables (SQL Reference "Query": EXCEPT, INTERSECT, UNION [ALL] on
 * relations; only UNION ALL on streams): a subquery joined with a stream, set operators of
 * relations, scalar subqueries, IN (subquery) and EXISTS — on the reference data example's
 * CompanyName table and the getting-started demo stream.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileError, start, ts } from "./helpers.js";

const demo = { SOURCE_SQL_STREAM_001: "TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL" };
const references = {
  CompanyName: '"Ticker" VARCHAR(4), "Company" VARCHAR(20)',
  Watch: '"Ticker" VARCHAR(4)',
  Muted: '"Ticker" VARCHAR(4)',
};
const companies = [
  ["AMZN", "Amazon"],
  ["ASD", "SomeCompanyA"],
  ["MMB", "SomeCompanyB"],
];
const ticks: [string, ...unknown[]][] = [
  ["2024-01-01 10:00:00.000", "AMZN", "TECHNOLOGY", 1.5, 100],
  ["2024-01-01 10:00:01.000", "ASD", "ENERGY", -1, 20],
  ["2024-01-01 10:00:02.000", "MMB", "RETAIL", 0.5, 21],
  ["2024-01-01 10:00:03.000", "XYZ", "ENERGY", 0.25, 7],
];

describe("analytics > engine > relations: queries over reference tables", () => {
  it("a stream joins a filtered, projected subquery over a reference table", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), company VARCHAR(20), price DOUBLE);
       CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM s.ticker_symbol, c.name, s.price
         FROM "SOURCE_SQL_STREAM_001" AS s
         JOIN (SELECT "Ticker" AS t, UPPER("Company") AS name FROM "CompanyName" WHERE "Ticker" <> 'MMB') AS c
         ON s.ticker_symbol = c.t;`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("CompanyName", companies);
    h.push("SOURCE_SQL_STREAM_001", ticks.slice(0, 3));
    h.app.setReferenceTable("CompanyName", [["MMB", "Mmb"]]);
    h.push("SOURCE_SQL_STREAM_001", [["2024-01-01 10:00:04.000", "AMZN", "TECHNOLOGY", 1, 101]]);
    assert.deepEqual(h.rows("DESTINATION_SQL_STREAM"), [
      ["2024-01-01 10:00:00.000", "AMZN", "AMAZON", 100],
      ["2024-01-01 10:00:01.000", "ASD", "SOMECOMPANYA", 20],
    ]);
  });

  it("UNION, INTERSECT and EXCEPT of relations (INTERSECT binds tighter; UNION and EXCEPT drop duplicates)", () => {
    const code = (relation: string) => `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol FROM "SOURCE_SQL_STREAM_001" AS s JOIN (${relation}) AS w ON s.ticker_symbol = w."Ticker";`;
    const run = (relation: string) => {
      const h = start(code(relation), { inputs: demo, references });
      h.app.setReferenceTable("CompanyName", companies);
      h.app.setReferenceTable("Watch", [["AMZN"], ["XYZ"], ["XYZ"]]);
      h.app.setReferenceTable("Muted", [["AMZN"]]);
      h.push("SOURCE_SQL_STREAM_001", ticks);
      return h.rows("OUT").map((row) => row[1]);
    };
    // UNION removes the second XYZ of Watch: XYZ joins once.
    assert.deepEqual(run(`SELECT "Ticker" FROM "Watch" UNION SELECT "Ticker" FROM "Muted"`), ["AMZN", "XYZ"]);
    assert.deepEqual(run(`SELECT "Ticker" FROM "Watch" UNION ALL SELECT "Ticker" FROM "Muted"`), ["AMZN", "AMZN", "XYZ", "XYZ"]);
    assert.deepEqual(run(`SELECT "Ticker" FROM "CompanyName" INTERSECT SELECT "Ticker" FROM "Watch"`), ["AMZN"]);
    assert.deepEqual(run(`SELECT "Ticker" FROM "Watch" EXCEPT SELECT "Ticker" FROM "Muted"`), ["XYZ"]);
    // Watch EXCEPT (CompanyName INTERSECT Muted) = Watch EXCEPT {AMZN}, not (Watch EXCEPT CompanyName) INTERSECT Muted = {}.
    assert.deepEqual(run(`SELECT "Ticker" FROM "Watch" EXCEPT SELECT "Ticker" FROM "CompanyName" INTERSECT SELECT "Ticker" FROM "Muted"`), ["XYZ"]);
  });

  it("only UNION ALL applies to streams, and both sides must be streams (the reference's rule)", () => {
    const pump = (query: string) => `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" ${query};`;
    const stream = `SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001"`;
    for (const operator of ["UNION", "INTERSECT", "EXCEPT"]) {
      const error = compileError(pump(`${stream} ${operator} ${stream}`), { inputs: demo, references });
      assert.match(error.message, new RegExp(`^${operator} cannot be applied to streams: UNION ALL is the only set operator on streams`));
    }
    const mixed = compileError(
      `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol FROM "SOURCE_SQL_STREAM_001" AS s
         JOIN (SELECT "Ticker" FROM "Watch" UNION ALL SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001") AS w ON s.ticker_symbol = w."Ticker";`,
      { inputs: demo, references },
    );
    assert.match(mixed.message, /^UNION ALL of a relation and a stream: both sides must be relations/);
    assert.match(compileError(pump(`SELECT "Ticker" FROM "Watch" INTERSECT ALL SELECT "Ticker" FROM "Muted"`), { inputs: demo, references }).message, /INTERSECT ALL is not supported/);
  });

  it("a scalar subquery over a reference table: its value, null when empty, a row error when it has several rows", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4), company VARCHAR(20), companies INTEGER);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM ticker_symbol,
                (SELECT "Company" FROM "CompanyName" WHERE "Ticker" = 'AMZN'),
                CHAR_LENGTH((SELECT "Company" FROM "CompanyName" WHERE "Ticker" = 'NONE'))
         FROM "SOURCE_SQL_STREAM_001";
       CREATE OR REPLACE STREAM "TOO_MANY" (company VARCHAR(20));
       CREATE OR REPLACE PUMP "P2" AS INSERT INTO "TOO_MANY"
         SELECT STREAM (SELECT "Company" FROM "CompanyName") FROM "SOURCE_SQL_STREAM_001";`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("CompanyName", companies);
    h.push("SOURCE_SQL_STREAM_001", ticks.slice(0, 1));
    assert.deepEqual(h.rows("OUT"), [["2024-01-01 10:00:00.000", "AMZN", "Amazon", null]]);
    assert.deepEqual(h.rows("TOO_MANY"), []);
    const errors = h.rows("error_stream");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.[3], "Cardinality violation");
    assert.equal(errors[0]?.[7], "P2");
    h.app.setReferenceTable("CompanyName", [["AMZN", "Amazon.com"]]);
    h.push("SOURCE_SQL_STREAM_001", [["2024-01-01 10:00:05.000", "AMZN", "TECHNOLOGY", 1, 101]]);
    assert.deepEqual(h.rows("TOO_MANY"), [["2024-01-01 10:00:05.000", "Amazon.com"]]);
  });

  it("IN (subquery) and EXISTS filter a stream by a reference table", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "LISTED" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P1" AS INSERT INTO "LISTED"
         SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE ticker_symbol IN (SELECT "Ticker" FROM "CompanyName");
       CREATE OR REPLACE STREAM "UNLISTED" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P2" AS INSERT INTO "UNLISTED"
         SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE ticker_symbol NOT IN (SELECT "Ticker" FROM "CompanyName");
       CREATE OR REPLACE STREAM "WATCHING" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P3" AS INSERT INTO "WATCHING"
         SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE EXISTS (SELECT * FROM "Watch");`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("CompanyName", companies);
    h.push("SOURCE_SQL_STREAM_001", ticks.slice(0, 2));
    h.app.setReferenceTable("Watch", [["XYZ"]]);
    h.push("SOURCE_SQL_STREAM_001", ticks.slice(2));
    assert.deepEqual(h.rows("LISTED").map((row) => row[1]), ["AMZN", "ASD", "MMB"]);
    assert.deepEqual(h.rows("UNLISTED").map((row) => row[1]), ["XYZ"]);
    assert.deepEqual(h.rows("WATCHING").map((row) => row[1]), ["MMB", "XYZ"]);
  });

  it("NOT IN a set holding null is never true (three-valued logic)", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "UNLISTED" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "UNLISTED"
         SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE ticker_symbol NOT IN (SELECT "Ticker" FROM "Watch");`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("Watch", [["AMZN"], [null]]);
    h.push("SOURCE_SQL_STREAM_001", ticks);
    assert.deepEqual(h.rows("UNLISTED"), []);
  });

  it("correlated subqueries read the outer row: a lookup by the row's ticker, EXISTS and NOT IN per row", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4), company VARCHAR(20), watched BOOLEAN);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol,
                (SELECT c."Company" FROM "CompanyName" AS c WHERE c."Ticker" = s.ticker_symbol),
                EXISTS (SELECT * FROM "Watch" WHERE "Ticker" = ticker_symbol)
         FROM "SOURCE_SQL_STREAM_001" AS s
         WHERE s.price NOT IN (SELECT CHAR_LENGTH("Company") FROM "CompanyName" WHERE "Ticker" = s.ticker_symbol);`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("CompanyName", [...companies, ["XYZ", "Seven c"]]);
    h.app.setReferenceTable("Watch", [["ASD"], ["XYZ"]]);
    h.push("SOURCE_SQL_STREAM_001", ticks);
    // XYZ's price 7 is the length of its company's name: NOT IN leaves it out.
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 10:00:00.000", "AMZN", "Amazon", false],
      ["2024-01-01 10:00:01.000", "ASD", "SomeCompanyA", true],
      ["2024-01-01 10:00:02.000", "MMB", "SomeCompanyB", false],
    ]);
  });

  it("NOT EXISTS and SELECT DISTINCT in a subquery", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4), sectors INTEGER);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol, (SELECT COUNT_ME FROM (SELECT DISTINCT CHAR_LENGTH("Ticker") AS COUNT_ME FROM "Watch") AS d WHERE COUNT_ME = 3)
         FROM "SOURCE_SQL_STREAM_001" AS s
         WHERE NOT EXISTS (SELECT * FROM "Muted" WHERE "Ticker" = s.ticker_symbol);`,
      { inputs: demo, references },
    );
    // Watch's tickers have lengths 4, 3, 3: DISTINCT leaves one 3, so the scalar subquery has one row.
    h.app.setReferenceTable("Watch", [["AMZN"], ["ASD"], ["MMB"]]);
    h.app.setReferenceTable("Muted", [["AMZN"], ["XYZ"]]);
    h.push("SOURCE_SQL_STREAM_001", ticks);
    assert.deepEqual(h.rows("OUT").map((row) => row.slice(1)), [
      ["ASD", 3],
      ["MMB", 3],
    ]);
  });

  it("in a correlated subquery its own columns hide the outer query's of the same name", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (ticker VARCHAR(4), company VARCHAR(20));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM "Ticker", (SELECT "Company" FROM "CompanyName" WHERE "Ticker" = 'ASD') FROM "TICKS";`,
      { inputs: { TICKS: '"Ticker" VARCHAR(4)' }, references },
    );
    h.app.setReferenceTable("CompanyName", companies);
    h.push("TICKS", [["2024-01-01 10:00:00.000", "AMZN"]]);
    assert.deepEqual(h.rows("OUT"), [["2024-01-01 10:00:00.000", "AMZN", "SomeCompanyA"]]);
  });

  it("VALUES is a relation of constant rows: joined (named by AS v(a, b)), after IN, combined with a table", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "RANKED" (ticker_symbol VARCHAR(4), rank_of INTEGER);
       CREATE OR REPLACE PUMP "P1" AS INSERT INTO "RANKED"
         SELECT STREAM s.ticker_symbol, v.r FROM "SOURCE_SQL_STREAM_001" AS s
         JOIN (VALUES ('AMZN', 1), ROW('MMB', 2)) AS v(t, r) ON s.ticker_symbol = v.t;
       CREATE OR REPLACE STREAM "PICKED" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P2" AS INSERT INTO "PICKED"
         SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001"
         WHERE ticker_symbol IN (VALUES ('XYZ') UNION SELECT "Ticker" FROM "Watch");`,
      { inputs: demo, references },
    );
    h.app.setReferenceTable("Watch", [["ASD"]]);
    h.push("SOURCE_SQL_STREAM_001", ticks);
    assert.deepEqual(h.rows("RANKED").map((row) => row.slice(1)), [
      ["AMZN", 1],
      ["MMB", 2],
    ]);
    assert.deepEqual(h.rows("PICKED").map((row) => row[1]), ["ASD", "XYZ"]);
    assert.match(compileError(`CREATE OR REPLACE STREAM "OUT" (a INTEGER); CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" VALUES (1);`, { inputs: demo, references }).message, /^Cannot convert table to stream: VALUES is a relation/);
  });

  it("compile errors: a subquery over a stream, an aggregate over a table, two columns as a value", () => {
    const pump = (where: string) => `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE ${where};`;
    assert.match(compileError(pump(`ticker_symbol IN (SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001")`), { inputs: demo, references }).message, /^Cannot convert stream to relation/);
    assert.match(compileError(pump(`ticker_symbol IN (SELECT ticker_symbol FROM "SOURCE_SQL_STREAM_001")`), { inputs: demo, references }).message, /^Cannot convert stream to relation/);
    assert.match(compileError(pump(`price > (SELECT COUNT(*) FROM "CompanyName")`), { inputs: demo, references }).message, /^Aggregation over a reference table is not supported/);
    const twoColumns = compileError(pump(`ticker_symbol = (SELECT "Ticker", "Company" FROM "CompanyName")`), { inputs: demo, references });
    assert.match(twoColumns.message, /^A subquery used as a value must return one column, not 2/);
    assert.deepEqual(twoColumns.position, { line: 2, column: 135 }); // the subquery's "("
  });
});

describe("analytics > engine > JOIN … USING and NATURAL JOIN (the reference's FROM clause)", () => {
  const tickerTables = { Names: '"TICKER_SYMBOL" VARCHAR(4), "COMPANY" VARCHAR(20)', Sectors: '"SECTOR" VARCHAR(16), "TICKER_SYMBOL" VARCHAR(4), "WEIGHT" DOUBLE' };

  it("USING (col) joins a stream with a reference table as ON s.col = t.col", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4), company VARCHAR(20));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol, n.company FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "Names" AS n USING (ticker_symbol);`,
      { inputs: demo, references: tickerTables },
    );
    h.app.setReferenceTable("Names", [["AMZN", "Amazon"]]);
    h.push("SOURCE_SQL_STREAM_001", ticks.slice(0, 2));
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 10:00:00.000", "AMZN", "Amazon"],
      ["2024-01-01 10:00:01.000", "ASD", null],
    ]);
  });

  it("NATURAL JOIN uses every column name both sides have (here TICKER_SYMBOL and SECTOR)", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4), weight DOUBLE);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM s.ticker_symbol, w.weight FROM "SOURCE_SQL_STREAM_001" AS s NATURAL JOIN "Sectors" AS w;`,
      { inputs: demo, references: tickerTables },
    );
    h.app.setReferenceTable("Sectors", [
      ["TECHNOLOGY", "AMZN", 0.5],
      ["RETAIL", "AMZN", 0.25],
      ["ENERGY", "ASD", 0.75],
    ]);
    h.push("SOURCE_SQL_STREAM_001", ticks);
    assert.deepEqual(h.rows("OUT"), [
      ["2024-01-01 10:00:00.000", "AMZN", 0.5],
      ["2024-01-01 10:00:01.000", "ASD", 0.75],
    ]);
  });

  it("USING in a stream-to-stream join", () => {
    const h = start(
      `CREATE OR REPLACE STREAM "OUT" (orderid INTEGER, amount DOUBLE, traded DOUBLE);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
         SELECT STREAM o.orderid, o.amount, t.amount
         FROM "ORDERS" AS o JOIN "TRADES" OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t USING (orderid);`,
      { inputs: { ORDERS: "ORDERID INTEGER, AMOUNT DOUBLE", TRADES: "ORDERID INTEGER, AMOUNT DOUBLE" } },
    );
    h.push("TRADES", [["2024-01-01 10:00:00.000", 1, 10]]);
    h.push("ORDERS", [["2024-01-01 10:00:30.000", 1, 11], ["2024-01-01 10:00:31.000", 2, 21]]);
    h.app.advance(ts("2024-01-01 10:05:00"));
    assert.deepEqual(h.rows("OUT"), [["2024-01-01 10:00:30.000", 1, 11, 10]]);
  });

  it("a USING column one side lacks, or a NATURAL CROSS JOIN, is an error", () => {
    const pump = (from: string) => `CREATE OR REPLACE STREAM "OUT" (ticker_symbol VARCHAR(4));
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM s.ticker_symbol FROM ${from};`;
    assert.match(compileError(pump(`"SOURCE_SQL_STREAM_001" AS s JOIN "Names" AS n USING (sector)`), { inputs: demo, references: tickerTables }).message, /^Column 'SECTOR' not found in the right side of the join/);
    assert.match(compileError(pump(`"SOURCE_SQL_STREAM_001" AS s NATURAL CROSS JOIN "Names" AS n`), { inputs: demo, references: tickerTables }).message, /NATURAL CROSS JOIN is not allowed/);
  });
});
