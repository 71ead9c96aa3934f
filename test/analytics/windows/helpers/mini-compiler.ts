/**
 * A small expression compiler for the window tests, standing in for the core's (which owns the
 * real one): columns, ROWTIME, literals, intervals, arithmetic, comparisons, AND/OR/NOT, IS NULL,
 * CAST as a pass-through, and the few scalar functions the guide's window examples use (STEP,
 * FLOOR/CEIL to a time unit, TSDIFF). Enough to run the examples; not a model of SQL's types.
 */
import type { Call, Expression } from "../../../../src/analytics/sql/ast.js";
import type { EvalContext, FunctionRegistry } from "../../../../src/analytics/sql/functions/contracts.js";
import { aggregateFunctions } from "../../../../src/analytics/sql/functions/aggregate/index.js";
import { SqlCompileError, SqlRuntimeError, isInterval, type Row, type SqlType, type SqlValue } from "../../../../src/analytics/sql/types.js";
import type { CompileHooks, CompiledExpression, ExpressionCompiler, Scope } from "../../../../src/analytics/engine/plan-contracts.js";
import { literalMs } from "../../../../src/analytics/engine/windows/frames.js";
import { resolveColumn } from "../../../../src/analytics/engine/windows/syntax.js";

type Evaluate = (row: Row, rowtimeMs: number, context: EvalContext) => SqlValue;

const DOUBLE: SqlType = { name: "DOUBLE" };
const BOOLEAN: SqlType = { name: "BOOLEAN" };
const TIMESTAMP: SqlType = { name: "TIMESTAMP", precision: 3 };

const unitMs: Record<string, number> = { SECOND: 1_000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

function compiled(type: SqlType, evaluate: Evaluate, constant?: SqlValue): CompiledExpression {
  return constant === undefined ? { type, evaluate } : { type, evaluate, constant };
}

function msOf(value: SqlValue): number {
  if (typeof value === "number") return value;
  if (value !== null && isInterval(value)) return value.ms ?? 0;
  throw new SqlRuntimeError("Cannot convert", "not a number");
}

function compare(a: SqlValue, b: SqlValue): number {
  const x = typeof a === "object" && a !== null && isInterval(a) ? msOf(a) : a;
  const y = typeof b === "object" && b !== null && isInterval(b) ? msOf(b) : b;
  return (x as number | string) < (y as number | string) ? -1 : (x as number | string) > (y as number | string) ? 1 : 0;
}

function callOf(call: Call, args: CompiledExpression[]): CompiledExpression {
  const [a, b] = args as [CompiledExpression, CompiledExpression | undefined];
  switch (call.name) {
    case "STEP": {
      const by = b as CompiledExpression;
      return compiled(a.type, (row, t, c) => {
        const value = a.evaluate(row, t, c);
        const size = by.evaluate(row, t, c);
        if (value === null || size === null) return null;
        const ms = msOf(size);
        return Math.floor((value as number) / ms) * ms;
      });
    }
    case "FLOOR":
    case "CEIL": {
      const unit = call.args[1]?.kind === "Symbol" ? unitMs[call.args[1].name] : undefined;
      const round = call.name === "FLOOR" ? Math.floor : Math.ceil;
      if (unit === undefined) return compiled(a.type, (row, t, c) => {
        const value = a.evaluate(row, t, c);
        return value === null ? null : round(value as number);
      });
      return compiled(a.type, (row, t, c) => {
        const value = a.evaluate(row, t, c);
        return value === null ? null : round((value as number) / unit) * unit;
      });
    }
    case "TSDIFF":
      return compiled({ name: "BIGINT" }, (row, t, c) => {
        const x = a.evaluate(row, t, c);
        const y = (b as CompiledExpression).evaluate(row, t, c);
        return x === null || y === null ? null : (x as number) - (y as number);
      });
    default:
      throw new SqlCompileError(`No match found for function signature ${call.name}`, call.at);
  }
}

function compileNode(expression: Expression, scope: Scope, hooks: CompileHooks | undefined): CompiledExpression {
  const recurse = (child: Expression): CompiledExpression => compileNode(child, scope, hooks);
  switch (expression.kind) {
    case "ColumnRef": {
      if (expression.name === "ROWTIME") return compiled(TIMESTAMP, (_row, t) => t);
      const column = resolveColumn(expression, scope);
      if (column === undefined) throw new SqlCompileError(`Column '${expression.name}' not found in any table`, expression.at);
      const index = column.index;
      return compiled(column.type, (row) => row[index] ?? null);
    }
    case "Literal": {
      let value = expression.value;
      if (expression.type.name === "TIMESTAMP" && typeof value === "string") value = Date.parse(`${value.replace(" ", "T")}Z`);
      return compiled(expression.type, () => value, value);
    }
    case "IntervalLiteral": {
      const ms = literalMs(expression) ?? 0;
      const value = { kind: "interval" as const, ms };
      return compiled({ name: "INTERVAL_DAY_TIME" }, () => value, value);
    }
    case "Symbol":
      return compiled({ name: "SYMBOL" }, () => expression.name, expression.name);
    case "Cast": {
      const inner = recurse(expression.expression);
      return compiled(expression.type, inner.evaluate, inner.constant);
    }
    case "Unary": {
      const operand = recurse(expression.operand);
      if (expression.operator === "NOT") return compiled(BOOLEAN, (row, t, c) => {
        const value = operand.evaluate(row, t, c);
        return value === null ? null : !value;
      });
      const sign = expression.operator === "-" ? -1 : 1;
      return compiled(operand.type, (row, t, c) => {
        const value = operand.evaluate(row, t, c);
        return value === null ? null : sign * (value as number);
      });
    }
    case "IsTest": {
      const inner = recurse(expression.expression);
      return compiled(BOOLEAN, (row, t, c) => {
        const value = inner.evaluate(row, t, c);
        const result = expression.test === "NULL" ? value === null : expression.test === "TRUE" ? value === true : value === false;
        return expression.negated ? !result : result;
      });
    }
    case "Binary":
      return binary(expression.operator, recurse(expression.left), recurse(expression.right));
    case "Call": {
      const hooked = hooks?.call?.(expression, scope);
      if (hooked !== undefined) return hooked;
      return callOf(expression, expression.args.map(recurse));
    }
    default:
      throw new SqlCompileError(`Unsupported in the test compiler: ${expression.kind}`, expression.at);
  }
}

function binary(operator: string, left: CompiledExpression, right: CompiledExpression): CompiledExpression {
  if (operator === "AND" || operator === "OR") {
    const isAnd = operator === "AND";
    return compiled(BOOLEAN, (row, t, c) => {
      const a = left.evaluate(row, t, c);
      if (a === !isAnd) return a;
      const b = right.evaluate(row, t, c);
      if (b === !isAnd) return b;
      return a === null || b === null ? null : isAnd;
    });
  }
  const comparisons: Record<string, (diff: number) => boolean> = {
    "=": (d) => d === 0,
    "<>": (d) => d !== 0,
    "<": (d) => d < 0,
    "<=": (d) => d <= 0,
    ">": (d) => d > 0,
    ">=": (d) => d >= 0,
  };
  const test = comparisons[operator];
  if (test !== undefined) return compiled(BOOLEAN, (row, t, c) => {
    const a = left.evaluate(row, t, c);
    const b = right.evaluate(row, t, c);
    return a === null || b === null ? null : test(compare(a, b));
  });
  const arithmetic: Record<string, (a: number, b: number) => number> = {
    "+": (a, b) => a + b,
    "-": (a, b) => a - b,
    "*": (a, b) => a * b,
    "/": (a, b) => {
      if (b === 0) throw new SqlRuntimeError("Divide by zero", "division by zero");
      return a / b;
    },
  };
  const apply = arithmetic[operator];
  if (apply === undefined) throw new Error(`operator ${operator} not in the test compiler`);
  const type = left.type.name === "TIMESTAMP" && operator !== "-" ? TIMESTAMP : left.type.name === "INTEGER" && right.type.name === "INTEGER" ? left.type : DOUBLE;
  return compiled(type, (row, t, c) => {
    const a = left.evaluate(row, t, c);
    const b = right.evaluate(row, t, c);
    return a === null || b === null ? null : apply(msOf(a), msOf(b));
  });
}

export const miniCompile: ExpressionCompiler = (expression, scope, hooks) => compileNode(expression, scope, hooks);

export const registry: FunctionRegistry = {
  scalar: () => undefined,
  aggregate: (name) => aggregateFunctions.find((fn) => fn.name === name),
  table: () => undefined,
};
