/**
 * Monotonic grouping expressions (the reference's "Monotonic Expressions and Operators"): a
 * streaming GROUP BY needs one non-constant monotonic key, or it could never emit. ROWTIME is the
 * only column known to be ascending; FLOOR, CEIL, STEP, CAST, adding or subtracting a constant and
 * scaling by a constant keep an expression monotonic; MONOTONIC(e) declares one.
 *
 * A key built from ROWTIME alone ("time") can be evaluated at any instant, so its window closes on
 * time: at the first instant its value changes, found by searching the expression itself (STEP's
 * window of 60 s ends 60 s after its start; FLOOR TO MONTH ends at the next month). A declared key
 * over other columns ("declared") closes its window only when a row brings another value.
 */
import type { Expression } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import type { Row, SqlValue } from "../../sql/types.js";
import type { CompiledExpression } from "../plan-contracts.js";
import { isRowtime, visit } from "./syntax.js";
import { sameValue } from "./values.js";

export type Monotonicity = "time" | "declared" | "none";

const roundingFunctions = new Set(["FLOOR", "CEIL", "CEILING", "STEP"]);

/** No column, no ROWTIME, no subquery: the same value for every row. */
export function isConstant(expression: Expression): boolean {
  let constant = true;
  visit(expression, (node) => {
    if (node.kind === "ColumnRef" || node.kind === "ScalarSubquery" || node.kind === "Cursor") constant = false;
    if (node.kind === "Call" && node.args.length === 0) constant = false;
    return constant;
  });
  return constant;
}

export function monotonicity(expression: Expression): Monotonicity {
  if (isRowtime(expression)) return "time";
  switch (expression.kind) {
    case "Call": {
      const [first, ...rest] = expression.args;
      if (first === undefined || expression.over !== undefined) return "none";
      if (expression.name === "MONOTONIC") return monotonicity(first) === "time" ? "time" : "declared";
      if (!roundingFunctions.has(expression.name) || !rest.every(isConstant)) return "none";
      return monotonicity(first);
    }
    case "Cast":
      return monotonicity(expression.expression);
    case "Unary":
      return expression.operator === "+" ? monotonicity(expression.operand) : "none";
    case "Binary": {
      const { operator, left, right } = expression;
      if ((operator === "+" || operator === "*") && isConstant(left)) return monotonicity(right);
      if ((operator === "+" || operator === "-" || operator === "*" || operator === "/") && isConstant(right)) return monotonicity(left);
      return "none";
    }
    default:
      return "none";
  }
}

/** The largest instant JavaScript dates (and the service's timestamps) reach. */
const timeMaxMs = 8.64e15;

/**
 * The first instant after `fromMs` at which a time key's value differs from its value at
 * `fromMs`: exponential then binary search over whole milliseconds, the key being monotonic.
 * +Infinity when it never changes.
 */
export function nextChangeMs(key: CompiledExpression, row: Row, fromMs: number, context: EvalContext): number {
  const at = (ms: number): SqlValue => key.evaluate(row, ms, context);
  const start = at(fromMs);
  const changed = (ms: number): boolean => {
    try {
      return !sameValue(at(ms), start);
    } catch {
      return true;
    }
  };
  let low = fromMs;
  let step = 1;
  while (!changed(fromMs + step)) {
    low = fromMs + step;
    step *= 2;
    if (fromMs + step > timeMaxMs) return Number.POSITIVE_INFINITY;
  }
  let high = fromMs + step;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (changed(middle)) high = middle;
    else low = middle;
  }
  return high;
}
