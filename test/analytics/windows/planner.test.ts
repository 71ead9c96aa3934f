/**
 * The window planner's seam and its compile errors: which SELECTs need windows, the reference's
 * rules on streaming GROUP BY (a monotonic key; no ungrouped column outside an aggregate; no OVER
 * in an aggregate query), SELECT STREAM DISTINCT, runtime errors going to the error sink while the
 * operator carries on, and the FIRST_VALUE/LAST_VALUE aggregates of a group.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseProgram } from "../../../src/analytics/sql/parser.js";
import type { Select } from "../../../src/analytics/sql/ast.js";
import { windowPlanner } from "../../../src/analytics/engine/windows/index.js";
import { DOUBLE, VARCHAR, run, type InputRow } from "./helpers/harness.js";
import { registry } from "./helpers/mini-compiler.js";

const source = [{ name: "S", columns: [{ name: "K", type: VARCHAR(4) }, { name: "V", type: DOUBLE }] }];
const rows: InputRow[] = [
  { rowtime: "2020-01-01 00:00:01", row: ["a", 1] },
  { rowtime: "2020-01-01 00:00:02", row: ["b", null] },
  { rowtime: "2020-01-01 00:00:03", row: ["a", 3] },
  { rowtime: "2020-01-01 00:01:04", row: ["a", 0] },
];

function select(sql: string): Select {
  const statement = parseProgram(sql).statements[0];
  assert.equal(statement?.kind, "Select");
  return statement as Select;
}

function compileError(code: string): { message: string; line: number | undefined; column: number | undefined } {
  try {
    run(code, source, rows);
  } catch (error) {
    const compile = error as Error & { position?: { line: number; column: number } };
    assert.equal(compile.name, "SqlCompileError", compile.message);
    return { message: compile.message, line: compile.position?.line, column: compile.position?.column };
  }
  assert.fail("planned without an error");
}

describe("analytics > windows > planner > needsWindows", () => {
  const cases: [string, boolean][] = [
    ["SELECT STREAM K, V FROM S WHERE V > 1", false],
    ["SELECT STREAM K, FLOOR(V) FROM S", false],
    ["SELECT STREAM K, COUNT(*) FROM S GROUP BY K, FLOOR(S.ROWTIME TO MINUTE)", true],
    ["SELECT STREAM K, SUM(V) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) FROM S", true],
    ["SELECT STREAM K, LAG(V) OVER (ROWS 1 PRECEDING) FROM S", true],
    ["SELECT STREAM COUNT(*) FROM S", true],
    ["SELECT STREAM K, COUNT(*) FROM S WINDOWED BY STAGGER (PARTITION BY K RANGE INTERVAL '1' MINUTE)", true],
    ["SELECT STREAM DISTINCT ROWTIME, K FROM S", true],
  ];
  for (const [sql, expected] of cases) {
    it(`${expected ? "needs" : "does not need"}: ${sql}`, () => assert.equal(windowPlanner.needsWindows(select(sql), registry), expected));
  }
});

describe("analytics > windows > planner > compile errors", () => {
  it("an aggregate with no GROUP BY would never emit: refused as the validator does", () => {
    assert.equal(compileError("SELECT STREAM COUNT(*) FROM S").message, "Streaming aggregation requires at least one monotonic expression in GROUP BY clause");
  });

  it("GROUP BY without a monotonic expression is refused at the key's position", () => {
    const error = compileError("SELECT STREAM K, COUNT(*)\nFROM S GROUP BY K");
    assert.deepEqual(error, { message: "Streaming aggregation requires at least one monotonic expression in GROUP BY clause", line: 2, column: 17 });
  });

  it("a column neither grouped nor aggregated is refused, naming it", () => {
    const error = compileError("SELECT STREAM K, V FROM S GROUP BY K, STEP(S.ROWTIME BY INTERVAL '1' MINUTE)");
    assert.deepEqual(error, { message: "Expression 'V' is not being grouped", line: 1, column: 18 });
  });

  it("OVER in an aggregate query is refused", () => {
    assert.match(compileError("SELECT STREAM K, SUM(V) OVER (ROWS 1 PRECEDING) FROM S GROUP BY K, FLOOR(S.ROWTIME TO MINUTE)").message, /OVER is not allowed/);
  });

  it("nested aggregates are refused", () => {
    assert.equal(compileError("SELECT STREAM SUM(COUNT(*)) FROM S GROUP BY FLOOR(S.ROWTIME TO MINUTE)").message, "Aggregate expressions cannot be nested");
  });

  it("an unknown aggregate-like call in OVER is a function-signature error", () => {
    assert.match(compileError("SELECT STREAM NOPE(V) OVER (ROWS 1 PRECEDING) FROM S").message, /^No match found for function signature NOPE\(/);
  });

  it("ORDER BY in a window specification and negative or non-constant frames are refused", () => {
    assert.match(compileError("SELECT STREAM SUM(V) OVER (ORDER BY V ROWS 1 PRECEDING) FROM S").message, /ORDER BY is not allowed/);
    assert.match(compileError("SELECT STREAM SUM(V) OVER (ROWS V PRECEDING) FROM S").message, /ROWS requires a non-negative integer/);
    assert.match(compileError("SELECT STREAM SUM(V) OVER (RANGE INTERVAL '1' MONTH PRECEDING) FROM S").message, /RANGE requires a constant INTERVAL/);
    assert.match(compileError("SELECT STREAM LAG(V, K) OVER (ROWS 1 PRECEDING) FROM S").message, /offset of LAG must be a constant integer/);
  });

  it("STAGGER with GROUP BY is refused", () => {
    assert.match(compileError("SELECT STREAM K, COUNT(*) FROM S GROUP BY K WINDOWED BY STAGGER (PARTITION BY K RANGE INTERVAL '1' MINUTE)").message, /STAGGER cannot be combined/);
  });
});

describe("analytics > windows > planner > behaviour", () => {
  it("SELECT STREAM DISTINCT is a GROUP BY of its items", () => {
    const result = run("SELECT STREAM DISTINCT FLOOR(S.ROWTIME TO MINUTE) AS m, K FROM S", source, rows);
    assert.deepEqual(result.rows, [
      ["2020-01-01 00:01:00.000", "2020-01-01 00:00:00.000", "a"],
      ["2020-01-01 00:01:00.000", "2020-01-01 00:00:00.000", "b"],
      ["2020-01-01 00:02:00.000", "2020-01-01 00:01:00.000", "a"],
    ]);
  });

  it("FIRST_VALUE and LAST_VALUE of a group, with IGNORE NULLS", () => {
    const code = `
      SELECT STREAM FIRST_VALUE(V) AS f, LAST_VALUE(V) AS l, LAST_VALUE(V) IGNORE NULLS AS li, COUNT(V) AS c, COUNT(*) AS n
      FROM S GROUP BY FLOOR(S.ROWTIME TO MINUTE)`;
    const withNullLast: InputRow[] = [...rows.slice(0, 3), { rowtime: "2020-01-01 00:00:04", row: ["b", null] }];
    assert.deepEqual(run(code, source, withNullLast).rows.map((row) => row.slice(1)), [[1, null, 3, 2, 4]]);
  });

  it("a row whose arguments fail goes to the error sink; the window carries on without it", () => {
    const code = "SELECT STREAM K, SUM(10 / V) AS s FROM S WHERE V IS NOT NULL GROUP BY K, FLOOR(S.ROWTIME TO MINUTE)";
    const result = run(code, source, rows);
    assert.deepEqual(result.errors, ["division by zero"]);
    assert.deepEqual(result.rows, [["2020-01-01 00:01:00.000", "a", 10 + 10 / 3]]);
  });

  it("an aggregate's ROWTIME argument (EXP_AVG) is appended", () => {
    const code = "SELECT STREAM EXP_AVG(V, INTERVAL '10' SECOND) AS e FROM S WHERE V IS NOT NULL GROUP BY FLOOR(S.ROWTIME TO MINUTE)";
    const result = run(code, source, rows.slice(0, 3));
    const value = result.rows[0]?.[1] as number;
    // Two seconds apart with a 10 s half-life, the later value weighs more: above the plain mean.
    assert.ok(value > 2 && value < 3, `EXP_AVG ${value}`);
  });
});
