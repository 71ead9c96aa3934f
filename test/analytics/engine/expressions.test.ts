/**
 * The expression compiler in isolation: each expression is parsed from `SELECT STREAM <expr>
 * FROM S`, compiled against S's columns and evaluated on one row. Expected types and values come
 * from the SQL Reference (operators, CAST, Numeric Types and Precision, Date/Interval operators).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createExpressionCompiler } from "../../../src/analytics/engine/expressions/compiler.js";
import { typeText } from "../../../src/analytics/engine/expressions/type-rules.js";
import { valueText } from "../../../src/analytics/engine/expressions/values.js";
import type { Scope } from "../../../src/analytics/engine/plan-contracts.js";
import type { Select } from "../../../src/analytics/sql/ast.js";
import { createFunctionRegistry } from "../../../src/analytics/sql/functions/registry.js";
import type { ScalarFunction } from "../../../src/analytics/sql/functions/contracts.js";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import { SqlCompileError, SqlRuntimeError, type Row, type SqlValue } from "../../../src/analytics/sql/types.js";
import { columns, ts } from "./helpers.js";

/** A test-only scalar: UPPER over one character argument. */
const upper: ScalarFunction = {
  name: "UPPER",
  resolve: (args) =>
    args.length === 1 && (args[0]?.name === "VARCHAR" || args[0]?.name === "CHAR")
      ? { ok: true, value: { type: { name: "VARCHAR", precision: args[0].precision ?? 1 }, strict: true, evaluate: ([text]) => (text as string).toUpperCase() } }
      : { ok: false, message: "Cannot apply 'UPPER' to these arguments" },
};

const registry = createFunctionRegistry({ scalars: [upper], aggregates: [], tables: [] });
const compile = createExpressionCompiler(registry);
const schema = columns("I INTEGER, B BIGINT, D DECIMAL(5, 2), X DOUBLE, V VARCHAR(10), C CHAR(4), T TIMESTAMP, FLAG BOOLEAN, N INTEGER");
const scope: Scope = { columns: schema.map((column, index) => ({ qualifier: "S", name: column.name, type: column.type, index })) };
const row: Row = [7, 10_000_000_000, 12.34, 2.5, "hello", "ab  ", ts("2024-03-01 12:00:00.250"), true, null];
const rowtime = ts("2024-03-01 12:30:00.000");

function compileText(text: string) {
  const program = parseProgram(`SELECT STREAM ${text} FROM S`);
  const select = program.statements[0] as Select;
  const item = select.items[0];
  assert.ok(item !== undefined && item.kind === "Item");
  return compile(item.expression, scope);
}

function evaluate(text: string): SqlValue {
  return compileText(text).evaluate(row, rowtime, { rowtimeMs: rowtime, nowMs: ts("2024-03-02 00:00:00") });
}

/** value rendered as CAST(... AS VARCHAR) would, and the type's text. */
function shown(text: string): [string, string] {
  const compiled = compileText(text);
  const value = compiled.evaluate(row, rowtime, { rowtimeMs: rowtime, nowMs: 0 });
  return [value === null ? "NULL" : valueText(value, compiled.type), typeText(compiled.type)];
}

function runtimeError(text: string): SqlRuntimeError {
  try {
    evaluate(text);
  } catch (error) {
    assert.ok(error instanceof SqlRuntimeError, String(error));
    return error;
  }
  assert.fail(`${text} did not fail`);
}

function compileFailure(text: string): SqlCompileError {
  try {
    compileText(text);
  } catch (error) {
    assert.ok(error instanceof SqlCompileError, String(error));
    return error;
  }
  assert.fail(`${text} compiled`);
}

describe("analytics > engine > expressions", () => {
  it("arithmetic follows the SQL type rules", () => {
    assert.deepEqual(shown("7 / 2"), ["3", "INTEGER"]);
    assert.deepEqual(shown("-7 / 2"), ["-3", "INTEGER"]);
    assert.deepEqual(shown("i % 4"), ["3", "INTEGER"]);
    assert.deepEqual(shown("i * b"), ["70000000000", "BIGINT"]);
    assert.deepEqual(shown("d * 2"), ["24.68", "DECIMAL(15, 2)"]);
    assert.deepEqual(shown("d + 1.005"), ["13.345", "DECIMAL(7, 3)"]);
    // Divide: d = p1 - s1 + s2 = 1, s = max(6, s1 + p2 + 1) = 12 (INTEGER is DECIMAL(10, 0)).
    assert.deepEqual(shown("1.0 / 3"), ["0.333333333333", "DECIMAL(13, 12)"]);
    assert.deepEqual(shown("x * i"), ["17.5", "DOUBLE"]);
    assert.deepEqual(shown("x + 1e0"), ["3.5", "DOUBLE"]);
    assert.deepEqual(shown("n + 1"), ["NULL", "INTEGER"]);
  });

  it("integer overflow and division by zero are row errors", () => {
    assert.equal(runtimeError("2147483647 + i").errorName, "Overflow");
    assert.equal(runtimeError("i / 0").errorName, "Divide by zero");
    assert.equal(runtimeError("x / 0").errorName, "Divide by zero");
    assert.equal(runtimeError("i % 0").errorName, "Divide by zero");
  });

  it("date-time arithmetic: TIMESTAMP ± INTERVAL, TIMESTAMP - TIMESTAMP, intervals", () => {
    assert.deepEqual(shown("t + INTERVAL '1' HOUR"), ["2024-03-01 13:00:00.250", "TIMESTAMP(3)"]);
    assert.deepEqual(shown("t - INTERVAL '1 2:03:04.5' DAY TO SECOND"), ["2024-02-29 09:56:55.750", "TIMESTAMP(3)"]);
    assert.deepEqual(shown("t + INTERVAL '1' MONTH"), ["2024-04-01 12:00:00.250", "TIMESTAMP(3)"]);
    assert.deepEqual(shown("TIMESTAMP '2024-01-31 00:00:00' + INTERVAL '1' MONTH"), ["2024-02-29 00:00:00.000", "TIMESTAMP(3)"]);
    assert.deepEqual(shown("INTERVAL '1' DAY + INTERVAL '3 4' DAY TO HOUR"), ["+4 04", "INTERVAL DAY TO HOUR"]);
    assert.deepEqual(shown("INTERVAL '1' DAY - INTERVAL '3 4' DAY TO HOUR"), ["-2 04", "INTERVAL DAY TO HOUR"]);
    assert.deepEqual(shown("INTERVAL '1' YEAR + INTERVAL '3-4' YEAR TO MONTH"), ["+4-04", "INTERVAL YEAR TO MONTH"]);
    assert.deepEqual(shown("2 * INTERVAL '3 4' DAY TO HOUR"), ["+6 08", "INTERVAL DAY TO HOUR"]);
    assert.deepEqual(shown("INTERVAL '3 4' DAY TO HOUR / 2"), ["+1 14", "INTERVAL DAY TO HOUR"]);
    assert.equal(valueText(evaluate("ROWTIME - t"), { name: "INTERVAL_DAY_TIME", qualifier: "MINUTE TO SECOND" }), "+29:59.750");
    assert.deepEqual(shown("DATE '2024-02-28' + INTERVAL '1' DAY"), ["2024-02-29", "DATE"]);
  });

  it("CAST converts between the types of the reference's table", () => {
    assert.deepEqual(shown("CAST(-1.5 AS INTEGER)"), ["-2", "INTEGER"]);
    assert.deepEqual(shown("CAST(x AS VARCHAR(10))"), ["2.5", "VARCHAR(10)"]);
    assert.deepEqual(shown("CAST(i AS DOUBLE)"), ["7.0", "DOUBLE"]);
    assert.deepEqual(shown("CAST(1e10 AS VARCHAR(20))"), ["1.0E10", "VARCHAR(20)"]);
    assert.deepEqual(shown("CAST(d AS CHAR(8))"), ["12.34   ", "CHAR(8)"]);
    assert.deepEqual(shown("CAST('12.345' AS DECIMAL(5, 2))"), ["12.35", "DECIMAL(5, 2)"]);
    assert.deepEqual(shown("CAST(' 2024-03-01 01:02:03.5 ' AS TIMESTAMP)"), ["2024-03-01 01:02:03.500", "TIMESTAMP(3)"]);
    assert.deepEqual(shown("CAST(t AS DATE)"), ["2024-03-01", "DATE"]);
    assert.deepEqual(shown("CAST(t AS TIME)"), ["12:00:00", "TIME(0)"]);
    assert.deepEqual(shown("CAST(DATE '2008-08-23' AS VARCHAR(10))"), ["2008-08-23", "VARCHAR(10)"]);
    assert.deepEqual(shown("CAST(DATE '2008-08-23' AS TIMESTAMP)"), ["2008-08-23 00:00:00.000", "TIMESTAMP(3)"]);
    assert.deepEqual(shown("CAST('true' AS BOOLEAN)"), ["TRUE", "BOOLEAN"]);
    assert.deepEqual(shown("CAST(flag AS VARCHAR(5))"), ["TRUE", "VARCHAR(5)"]);
    assert.deepEqual(shown("CAST(INTERVAL '5' MINUTE AS BIGINT)"), ["5", "BIGINT"]);
    assert.deepEqual(shown("CAST('1:30' AS INTERVAL HOUR TO MINUTE)"), ["+1:30", "INTERVAL HOUR TO MINUTE"]);
    assert.deepEqual(shown("CAST(NULL AS INTEGER)"), ["NULL", "INTEGER"]);
    assert.deepEqual(shown("CAST(v AS VARCHAR(3))"), ["hel", "VARCHAR(3)"]);
  });

  it("a value that does not convert is a row error; an impossible CAST a compile error", () => {
    // DATE into VARCHAR(9): the reference shows no row for it.
    assert.equal(runtimeError("CAST(DATE '2008-08-23' AS VARCHAR(9))").errorName, "Coercion error");
    assert.equal(runtimeError("CAST('12a' AS INTEGER)").message, 'For input string: "12a"');
    assert.equal(runtimeError("CAST('1.5' AS INTEGER)").errorName, "Coercion error");
    assert.equal(runtimeError("CAST('2024-02-30 00:00:00' AS TIMESTAMP)").errorName, "Coercion error");
    assert.equal(runtimeError("CAST(b AS SMALLINT)").errorName, "Overflow");
    assert.equal(compileFailure("CAST(i AS DATE)").message, "Cast function cannot convert value of type INTEGER to type DATE");
    assert.equal(compileFailure("CAST(t AS INTEGER)").message, "Cast function cannot convert value of type TIMESTAMP(3) to type INTEGER");
  });

  it("comparison and AND/OR/NOT follow three-valued logic", () => {
    assert.equal(evaluate("i > 5 AND v = 'hello'"), true);
    assert.equal(evaluate("n > 5 AND i > 100"), false);
    assert.equal(evaluate("n > 5 AND i > 1"), null);
    assert.equal(evaluate("n > 5 OR i > 1"), true);
    assert.equal(evaluate("n > 5 OR i > 100"), null);
    assert.equal(evaluate("NOT (n > 5)"), null);
    assert.equal(evaluate("c = 'ab'"), true, "CHAR compares without its trailing pad");
    assert.equal(evaluate("d = 12.34"), true);
    assert.equal(evaluate("t < TIMESTAMP '2024-03-01 12:00:01'"), true);
    assert.equal(evaluate("ROWTIME > t"), true);
    assert.equal(evaluate("S.ROWTIME = ROWTIME"), true);
  });

  it("IS, BETWEEN, IN", () => {
    assert.equal(evaluate("n IS NULL"), true);
    assert.equal(evaluate("i IS NOT NULL"), true);
    assert.equal(evaluate("(n > 1) IS UNKNOWN"), true);
    assert.equal(evaluate("flag IS TRUE"), true);
    assert.equal(evaluate("flag IS NOT FALSE"), true);
    assert.equal(evaluate("i BETWEEN 1 AND 7"), true);
    assert.equal(evaluate("i NOT BETWEEN 1 AND 7"), false);
    assert.equal(evaluate("i BETWEEN 10 AND 1"), false);
    assert.equal(evaluate("i BETWEEN SYMMETRIC 10 AND 1"), true);
    assert.equal(evaluate("i BETWEEN n AND 1"), false);
    assert.equal(evaluate("i BETWEEN n AND 10"), null);
    assert.equal(evaluate("i IN (1, 7, 9)"), true);
    assert.equal(evaluate("i IN (1, 2)"), false);
    assert.equal(evaluate("i IN (1, n)"), null);
    assert.equal(evaluate("i NOT IN (1, n)"), null);
    assert.equal(evaluate("v IN ('x', 'hello')"), true);
    assert.equal(evaluate("n IN (1, 2)"), null);
  });

  it("LIKE with ESCAPE and SIMILAR TO", () => {
    assert.equal(evaluate("v LIKE 'he%'"), true);
    assert.equal(evaluate("v LIKE 'h_llo'"), true);
    assert.equal(evaluate("v LIKE 'H%'"), false);
    assert.equal(evaluate("'50%' LIKE '50!%' ESCAPE '!'"), true);
    assert.equal(evaluate("'50x' LIKE '50!%' ESCAPE '!'"), false);
    assert.equal(evaluate("'a.c' LIKE 'a.c'"), true);
    assert.equal(evaluate("'abc' LIKE 'a.c'"), false);
    assert.equal(evaluate("v NOT LIKE '%z%'"), true);
    assert.equal(evaluate("CAST(NULL AS VARCHAR(1)) LIKE 'a'"), null);
    assert.equal(evaluate("v SIMILAR TO '(hel|wor)lo'"), true);
    assert.equal(evaluate("v SIMILAR TO '[a-h]+l{2}o'"), true);
    assert.equal(evaluate("'TECHNOLOGY' SIMILAR TO '%TECH%'"), true);
    assert.equal(evaluate("'x.y' SIMILAR TO 'x.y'"), true);
    assert.equal(evaluate("'xzy' SIMILAR TO 'x.y'"), false);
    assert.equal(runtimeError("v LIKE 'a' ESCAPE 'xy'").errorName, "Invalid escape character");
  });

  it("CASE, COALESCE, NULLIF and ||", () => {
    assert.deepEqual(shown("CASE WHEN i > 5 THEN 'big' ELSE 'small' END"), ["big  ", "CHAR(5)"]);
    assert.deepEqual(shown("CASE i WHEN 1 THEN 1.5 WHEN 7 THEN 2 END"), ["2.0", "DECIMAL(11, 1)"]);
    assert.deepEqual(shown("CASE WHEN n > 1 THEN 1 END"), ["NULL", "INTEGER"]);
    assert.deepEqual(shown("COALESCE(n, i, 0)"), ["7", "INTEGER"]);
    assert.deepEqual(shown("NULLIF(i, 7)"), ["NULL", "INTEGER"]);
    assert.deepEqual(shown("v || '!' || c"), ["hello!ab  ", "VARCHAR(15)"]);
    assert.equal(compileFailure("CASE WHEN i > 5 THEN 'a' ELSE 1 END").message, "Illegal mixing of types in CASE or COALESCE statement");
  });

  it("ROW values and their fields; typed literals", () => {
    assert.deepEqual(evaluate("ROW(i, v)"), [7, "hello"]);
    assert.equal(evaluate("(ROW(i, v)).EXPR$1"), "hello");
    assert.equal(evaluate("TIME '01:02:03'"), 3_723_000);
    assert.equal(evaluate("DATE '1970-01-02'"), 86_400_000);
    assert.deepEqual(evaluate("X'0aFF'"), new Uint8Array([10, 255]));
    assert.equal(compileFailure("TIMESTAMP '2024-13-01 00:00:00'").message, "Illegal TIMESTAMP literal '2024-13-01 00:00:00'");
  });

  it("calls resolve through the registry; an unknown function names its signature", () => {
    assert.equal(evaluate("UPPER(v)"), "HELLO");
    assert.equal(evaluate("UPPER(CAST(NULL AS VARCHAR(2)))"), null);
    const error = compileFailure("NO_SUCH_FN(i, v)");
    assert.equal(error.message, "No match found for function signature NO_SUCH_FN(<NUMERIC>, <CHARACTER>)");
    assert.deepEqual(error.position, { line: 1, column: 15 });
    assert.equal(compileFailure("UPPER(i)").message, "Cannot apply 'UPPER' to these arguments");
  });

  it("type errors name the operator and operand types", () => {
    assert.equal(compileFailure("i + v").message, "Cannot apply '+' to arguments of type '<INTEGER> + <VARCHAR(10)>'");
    assert.equal(compileFailure("i = v").message, "Cannot apply '=' to arguments of type '<INTEGER> = <VARCHAR(10)>'");
    assert.equal(compileFailure("i AND flag").message, "Cannot apply 'AND' to arguments of type '<INTEGER> AND <BOOLEAN>'");
    assert.equal(compileFailure("nope").message, "Column 'NOPE' not found in any table");
    assert.equal(compileFailure("Q.i").message, "Table 'Q' not found");
    assert.equal(compileFailure("S.nope").message, "Column 'NOPE' not found in table 'S'");
  });

  it("folds constants but leaves a failing constant to fail per row", () => {
    assert.equal(compileText("1 + 2 * 3").constant, 7);
    assert.equal(compileText("1 / 0").constant, undefined);
    assert.equal(compileText("i + 1").constant, undefined);
  });
});
