/**
 * Application code the service rejects at CreateApplication/UpdateApplication: each error names
 * the line and column of the offending node, in the validator's wording.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileError } from "./helpers.js";

const inputs = { SOURCE_SQL_STREAM_001: "TICKER VARCHAR(4), PRICE DOUBLE, QTY INTEGER" };
const dest = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), price DOUBLE);\n`;

function expectError(code: string, message: string, line: number, column: number, options = { inputs }): void {
  const error = compileError(code, options);
  assert.equal(error.message, message);
  assert.deepEqual(error.position, { line, column });
}

describe("analytics > engine > compile errors", () => {
  it("an unknown function names its signature at the call", () => {
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST"\n  SELECT STREAM ticker, NOT_A_FUNCTION(price, ticker) FROM "SOURCE_SQL_STREAM_001";`, "No match found for function signature NOT_A_FUNCTION(<NUMERIC>, <CHARACTER>)", 3, 25);
  });

  it("an unknown stream or column", () => {
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker, price FROM "NOPE";`, "Object 'NOPE' not found", 2, 72);
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker, cost FROM "SOURCE_SQL_STREAM_001";`, "Column 'COST' not found in any table", 2, 61);
    expectError(`CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker FROM "SOURCE_SQL_STREAM_001";`, "Object 'DEST' not found", 1, 1);
  });

  it("error_stream cannot be read by application code", () => {
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM "ERROR_NAME", 1e0 FROM "error_stream";`, "Object 'error_stream' not found", 2, 76);
  });

  it("INSERT checks the number and the types of the columns", () => {
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker FROM "SOURCE_SQL_STREAM_001";`, "Number of INSERT target columns (2) does not equal number of source items (1)", 2, 39);
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM price, ticker FROM "SOURCE_SQL_STREAM_001";`, "Cannot assign to target field 'TICKER' of type VARCHAR(4) from source field 'PRICE' of type DOUBLE", 2, 39);
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" (ticker, nope) SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001";`, "Unknown target column 'NOPE'", 2, 1);
  });

  it("an input stream is not a pump's target; streams are declared once", () => {
    expectError(`CREATE PUMP "P" AS INSERT INTO "SOURCE_SQL_STREAM_001" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";`, "Cannot insert into input stream 'SOURCE_SQL_STREAM_001'", 1, 1);
    expectError(`${dest}CREATE STREAM "DEST" (a INTEGER);`, "Object 'DEST' already exists", 2, 1);
    expectError(`CREATE STREAM "S" (a INTEGER, b DOUBLE, a VARCHAR(2));`, "Duplicate column name 'A'", 1, 41);
  });

  it("pumps may not form a cycle", () => {
    const code = `CREATE STREAM "A" (n INTEGER);\nCREATE STREAM "B" (n INTEGER);\nCREATE PUMP "P1" AS INSERT INTO "B" SELECT STREAM n FROM "A";\nCREATE PUMP "P2" AS INSERT INTO "A" SELECT STREAM n FROM "B";`;
    expectError(code, "Pumps form a cycle: P1 -> P2 -> P1", 3, 1);
  });

  it("WHERE must be a condition; a stream needs SELECT STREAM", () => {
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker, price FROM "SOURCE_SQL_STREAM_001" WHERE qty;`, "WHERE clause must be a condition", 2, 102);
    expectError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT ticker, price FROM "SOURCE_SQL_STREAM_001";`, "Cannot convert stream to relation: a query over a stream must be SELECT STREAM", 2, 39);
  });

  it("a syntax error from the parser keeps its position", () => {
    const error = compileError(`${dest}CREATE PUMP "P" AS INSERT INTO "DEST" SELECT STREAM ticker price price FROM x;`, { inputs });
    assert.equal(error.position?.line, 2);
  });
});
