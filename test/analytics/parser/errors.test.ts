import { it } from "node:test";
import assert from "node:assert/strict";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import { SqlCompileError } from "../../../src/analytics/sql/types.js";

/** Parses code that must fail; answers the error's message and position. */
function failure(code: string): { message: string; line?: number; column?: number } {
  try {
    parseProgram(code);
  } catch (error) {
    assert.ok(error instanceof SqlCompileError, `expected a SqlCompileError, got ${String(error)}`);
    return { message: error.message, line: error.position?.line, column: error.position?.column };
  }
  assert.fail(`expected a syntax error for: ${code}`);
}

it("a missing FROM names what was found, what was expected, and where", () => {
  const error = failure("CREATE PUMP p AS INSERT INTO d\nSELECT STREAM a, b\n  WHERE a > 1;");
  assert.deepEqual([error.line, error.column], [3, 3]);
  assert.equal(error.message, 'Encountered "WHERE" at line 3, column 3. Was expecting one of: "FROM", ","');
});

it("end of input", () => {
  const error = failure("SELECT STREAM a FROM s WHERE");
  assert.deepEqual([error.line, error.column], [1, 29]);
  assert.match(error.message, /^Encountered "<EOF>" at line 1, column 29\. Was expecting an expression$/);
});

it("statements must be separated by semicolons", () => {
  const error = failure("CREATE STREAM a (x INTEGER)\nCREATE STREAM b (y INTEGER)");
  assert.deepEqual([error.line, error.column], [2, 1]);
  assert.match(error.message, /Encountered "CREATE".*Was expecting one of: ";", <EOF>/);
});

it("lexical errors: unterminated string, quoted identifier and comment; a stray character", () => {
  let error = failure("SELECT STREAM 'abc FROM s");
  assert.deepEqual([error.line, error.column], [1, 15]);
  assert.match(error.message, /Unterminated string literal/);
  error = failure('SELECT STREAM "abc FROM s');
  assert.match(error.message, /Unterminated quoted identifier/);
  error = failure("SELECT STREAM a FROM s\n  /* never closed");
  assert.deepEqual([error.line, error.column], [2, 3]);
  error = failure("SELECT STREAM a ^ b FROM s");
  assert.deepEqual([error.line, error.column], [1, 17]);
  assert.match(error.message, /unexpected character "\^"/);
  error = failure("SELECT STREAM 12abc FROM s");
  assert.match(error.message, /Invalid numeric literal/);
});

it("a reserved word can't be a bare name; quoted it can", () => {
  const error = failure("CREATE STREAM s (select INTEGER)");
  assert.deepEqual([error.line, error.column], [1, 18]);
  assert.match(error.message, /Encountered "SELECT".*Was expecting a column name/);
  assert.doesNotThrow(() => parseProgram('CREATE STREAM s ("select" INTEGER)'));
});

it("bad data types and interval qualifiers", () => {
  let error = failure("CREATE STREAM s (a VARCHR(3))");
  assert.deepEqual([error.line, error.column], [1, 20]);
  assert.match(error.message, /Was expecting a data type/);
  error = failure("CREATE STREAM s (a DECIMAL(4, 6))");
  assert.match(error.message, /scale 6 must not exceed its precision 4/);
  error = failure("CREATE STREAM s (a VARCHAR(0))");
  assert.match(error.message, /Length 0 out of range/);
  error = failure("SELECT STREAM INTERVAL '1' MINUTES FROM s");
  assert.deepEqual([error.line, error.column], [1, 28]);
  error = failure("SELECT STREAM INTERVAL '1' MINUTE TO HOUR FROM s");
  assert.match(error.message, /Illegal interval qualifier MINUTE TO HOUR at line 1, column 38/);
});

it("windows must end at the current row", () => {
  let error = failure("SELECT STREAM SUM(a) OVER (ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM s");
  assert.match(error.message, /FOLLOWING is not supported/);
  error = failure("SELECT STREAM SUM(a) OVER (ROWS UNBOUNDED FOLLOWING) FROM s");
  assert.match(error.message, /UNBOUNDED FOLLOWING is not supported/);
  error = failure("SELECT STREAM SUM(a) OVER (ROWS 2) FROM s");
  assert.match(error.message, /Encountered "\)" at line 1, column 34\. Was expecting "PRECEDING"/);
});

it("incomplete CASE, CAST and calls", () => {
  let error = failure("SELECT STREAM CASE WHEN a THEN b FROM s");
  assert.match(error.message, /Encountered "FROM".*Was expecting one of: "WHEN", "ELSE", "END"/);
  error = failure("SELECT STREAM CAST(a VARCHAR(2)) FROM s");
  assert.match(error.message, /Encountered "VARCHAR" at line 1, column 22\. Was expecting "AS"/);
  error = failure("SELECT STREAM f(a, FROM s");
  assert.match(error.message, /Encountered "FROM" at line 1, column 20/);
});

it("a top-level UNION is refused with its position; other statements are unknown", () => {
  let error = failure("SELECT a FROM s UNION ALL SELECT a FROM t");
  assert.deepEqual([error.line, error.column], [1, 1]);
  error = failure("INSERT INTO d SELECT STREAM * FROM s");
  assert.match(error.message, /Encountered "INSERT" at line 1, column 1\. Was expecting one of: "CREATE", "SELECT"/);
  error = failure("CREATE TABLE t (a INTEGER)");
  assert.match(error.message, /Encountered "TABLE" at line 1, column 8\. Was expecting one of: "STREAM", "PUMP", "FUNCTION", "OR"/);
});

it("a column list after an alias must match a subquery's select list", () => {
  let error = failure("SELECT STREAM * FROM (SELECT STREAM a, b FROM s) AS t(x)");
  assert.match(error.message, /The column list names 1 columns but the subquery has 2 at line 1, column 54/);
  error = failure("SELECT STREAM * FROM (SELECT STREAM * FROM s) AS t(x)");
  assert.match(error.message, /names no \*/);
  error = failure("SELECT STREAM * FROM s AS t(x)");
  assert.match(error.message, /only supported for a subquery at line 1, column 28/);
});
