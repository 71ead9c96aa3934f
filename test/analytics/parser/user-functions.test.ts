import { it } from "node:test";
import assert from "node:assert/strict";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import type { CreatePump } from "../../../src/analytics/sql/ast.js";
import { SqlCompileError } from "../../../src/analytics/sql/types.js";
import { queryText } from "./sexpr.js";

const pumpOf = (code: string): string => queryText((parseProgram(code).statements.find((statement) => statement.kind === "CreatePump") as CreatePump).query);

it("the reference's CREATE FUNCTION example is inlined where it is called, cast to its return type", () => {
  const code = `CREATE FUNCTION get_fraction( degrees DOUBLE )
    RETURNS DOUBLE
    CONTAINS SQL
    RETURN degrees - FLOOR(degrees)
;
CREATE OR REPLACE STREAM "D" (f DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "D" SELECT STREAM get_fraction(price * 2) FROM "SOURCE_SQL_STREAM_001";`;
  const program = parseProgram(code);
  assert.deepEqual(program.statements.map((statement) => statement.kind), ["CreateStream", "CreatePump"]);
  assert.equal(pumpOf(code), "SELECT STREAM (CAST (- (* PRICE 2:INTEGER) (FLOOR (* PRICE 2:INTEGER))) DOUBLE) FROM SOURCE_SQL_STREAM_001");
  const pump = program.statements[1] as CreatePump;
  const select = pump.query.kind === "Select" ? pump.query : undefined;
  const item = select?.items[0];
  assert.deepEqual(item?.kind === "Item" && item.expression.at, { line: 7, column: 61 });
});

it("characteristics, RETURNS NULL ON NULL INPUT, overloads by arity, UDFs calling UDFs, nested queries", () => {
  const code = `CREATE OR REPLACE FUNCTION twice(x INTEGER) RETURNS INTEGER LANGUAGE SQL DETERMINISTIC CONTAINS SQL RETURNS NULL ON NULL INPUT RETURN x * 2;
CREATE FUNCTION twice(x INTEGER, y INTEGER) RETURNS INTEGER SPECIFIC twice2 NOT DETERMINISTIC CALLED ON NULL INPUT RETURN twice(x) + y;
CREATE PUMP p AS INSERT INTO d SELECT STREAM twice(a), twice(a, 1) FROM (SELECT STREAM twice(b) AS a FROM s) WHERE twice(a) > 0;`;
  assert.equal(
    pumpOf(code),
    "SELECT STREAM (CASE [(IS NULL A) (CAST NULL INTEGER)] ELSE (CAST (* A 2:INTEGER) INTEGER)), " +
      "(CAST (+ (CASE [(IS NULL A) (CAST NULL INTEGER)] ELSE (CAST (* A 2:INTEGER) INTEGER)) 1:INTEGER) INTEGER) " +
      "FROM (SELECT STREAM (CASE [(IS NULL B) (CAST NULL INTEGER)] ELSE (CAST (* B 2:INTEGER) INTEGER)) AS A FROM S) " +
      "WHERE (> (CASE [(IS NULL A) (CAST NULL INTEGER)] ELSE (CAST (* A 2:INTEGER) INTEGER)) 0:INTEGER)",
  );
  // A call with another arity is left for the function library to resolve (or refuse).
  assert.match(pumpOf("CREATE FUNCTION f(x INTEGER) RETURNS INTEGER RETURN x; CREATE PUMP p AS INSERT INTO d SELECT STREAM f(a, b) FROM s;"), /\(F A B\)/);
});

it("a function's body can read only its parameters", () => {
  assert.throws(
    () => parseProgram("CREATE FUNCTION f(x INTEGER) RETURNS INTEGER\nRETURN x + price;"),
    (error: unknown) => error instanceof SqlCompileError && error.position?.line === 2 && error.position.column === 12 && /Column 'PRICE' not found/.test(error.message),
  );
  assert.throws(() => parseProgram("CREATE FUNCTION f(x INTEGER) RETURNS INTEGER CONTAINS SQL x;"), /Encountered "X".*Was expecting one of: "RETURN"/);
});
