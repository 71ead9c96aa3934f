/**
 * The windowed operators of the SQL engine (docs/analytics/windows.md), behind the planner seam of
 * plan-contracts.ts: the core planner hands over every SELECT that aggregates or windows and every
 * join of two streams.
 *
 * - GROUP BY (tumbling windows, tumbling.ts), also SELECT STREAM DISTINCT as a GROUP BY of its items;
 * - WINDOWED BY STAGGER (stagger.ts);
 * - OVER calls (sliding windows, sliding.ts: aggregates, LAG, FIRST_VALUE, LAST_VALUE, NTH_VALUE);
 * - stream-to-stream joins (join.ts).
 *
 * Each planned operator wraps the input's operator chain: rows pushed reach the input first, the
 * watermark reaches the input before the window, and snapshots hold both.
 */
import type { Expression, Join, Select } from "../../sql/ast.js";
import type { EvalContext, FunctionRegistry } from "../../sql/functions/contracts.js";
import { SqlCompileError } from "../../sql/types.js";
import type { Emit, Operator, PlannedInput, PlannedSelect, RowErrorSink, WindowPlanner, WindowPlannerEnvironment } from "../plan-contracts.js";
import { isAggregateName } from "./aggregates.js";
import { JoinOperator, planJoin } from "./join.js";
import { SlidingOperator, planSliding } from "./sliding.js";
import { StaggerOperator, planStagger } from "./stagger.js";
import { isRowtime, isRowtimeItem, rewrite, visit } from "./syntax.js";
import { TumblingOperator, planTumbling } from "./tumbling.js";

function expressionsOf(select: Select): Expression[] {
  const expressions: Expression[] = [];
  for (const item of select.items) if (item.kind === "Item") expressions.push(item.expression);
  if (select.having !== undefined) expressions.push(select.having);
  return expressions;
}

function hasCall(expressions: Expression[], test: (over: boolean, name: string) => boolean): boolean {
  let found = false;
  for (const expression of expressions) {
    visit(expression, (node) => {
      if (found) return false;
      if (node.kind === "Call" && test(node.over !== undefined, node.name)) found = true;
      return !found;
    });
  }
  return found;
}

function hasGroupAggregate(select: Select, functions: FunctionRegistry): boolean {
  return hasCall(expressionsOf(select), (over, name) => !over && isAggregateName(name, functions));
}

/** An operator over the input's chain: rows and time reach the input first. */
function wrap(input: PlannedInput, make: (emit: Emit, errors: RowErrorSink, context: () => EvalContext) => Operator): PlannedSelect["instantiate"] {
  return (emit, errors, context) => {
    const window = make(emit, errors, context);
    const upstream = input.instantiate((row, rowtimeMs) => window.push(row, rowtimeMs), errors, context);
    return {
      push: (row, rowtimeMs) => upstream.push(row, rowtimeMs),
      advance: (watermarkMs) => {
        upstream.advance(watermarkMs);
        window.advance(watermarkMs);
      },
      snapshot: () => ({ input: upstream.snapshot(), window: window.snapshot() }),
      restore: (state) => {
        const saved = state as { input: unknown; window: unknown };
        upstream.restore(saved.input);
        window.restore(saved.window);
      },
    };
  };
}

/**
 * MONOTONIC(e) is e with a promise about its order (the reference's "Monotonic Function"): the
 * planner reads the promise, and the compiler sees e.
 */
function withoutMonotonic(env: WindowPlannerEnvironment): WindowPlannerEnvironment {
  const strip = (expression: Expression): Expression =>
    rewrite(expression, (node) => (node.kind === "Call" && node.name === "MONOTONIC" && node.args.length === 1 && node.over === undefined ? strip(node.args[0] as Expression) : undefined));
  return { ...env, compile: (expression, scope, hooks) => env.compile(strip(expression), scope, hooks) };
}

function distinctKeys(select: Select, input: PlannedInput): Expression[] {
  const keys: Expression[] = [];
  for (const item of select.items) {
    if (item.kind === "Star") throw new SqlCompileError("SELECT STREAM DISTINCT * is not supported; name the columns", item.at);
    if (!isRowtimeItem(item.expression, input.scope)) keys.push(item.expression);
  }
  return keys;
}

function planSelect(select: Select, input: PlannedInput, original: WindowPlannerEnvironment): PlannedSelect {
  const env = withoutMonotonic(original);
  const groupBy = select.groupBy ?? [];
  if (select.stagger !== undefined) {
    if (groupBy.length > 0) throw new SqlCompileError("WINDOWED BY STAGGER cannot be combined with GROUP BY", select.stagger.at);
    const plan = planStagger(select, input, env);
    return { columns: plan.output.columns, instantiate: wrap(input, (emit, errors, context) => new StaggerOperator(plan, emit, errors, context)) };
  }
  if (groupBy.length > 0 || select.having !== undefined || hasGroupAggregate(select, env.functions) || select.distinct) {
    // DISTINCT groups by its items; a ROWTIME item does not count for duplicates (the reference's
    // SELECT DISTINCT page) and reads the output row's ROWTIME.
    const keys = groupBy.length > 0 || !select.distinct ? groupBy : distinctKeys(select, input);
    const plan = planTumbling(select, keys, input, env);
    return { columns: plan.output.columns, instantiate: wrap(input, (emit, errors, context) => new TumblingOperator(plan, emit, errors, context)) };
  }
  const order = (select.orderBy ?? []).find((entry) => !isRowtime(entry.expression));
  if (order !== undefined) throw new SqlCompileError("A windowed query without GROUP BY can be ordered only by ROWTIME", order.expression.at);
  const plan = planSliding(select, input, env);
  return { columns: plan.columns, instantiate: wrap(input, (emit, errors, context) => new SlidingOperator(plan, emit, errors, context)) };
}

function planStreamJoin(join: Join, left: PlannedInput, right: PlannedInput, env: WindowPlannerEnvironment): PlannedInput {
  const { plan, scope } = planJoin(join, left, right, env);
  return {
    scope,
    stream: true,
    instantiate: (emit, errors, context) => {
      const operator = new JoinOperator(plan, emit, errors, context);
      const leftOperator = left.instantiate((row, rowtimeMs) => operator.pushLeft(row, rowtimeMs), errors, context);
      const rightOperator = right.instantiate((row, rowtimeMs) => operator.pushRight(row, rowtimeMs), errors, context);
      const joined: StreamJoinOperator = {
        left: leftOperator,
        right: rightOperator,
        push: () => operator.push(),
        advance: (watermarkMs) => {
          leftOperator.advance(watermarkMs);
          rightOperator.advance(watermarkMs);
          operator.advance(watermarkMs);
        },
        snapshot: () => ({ left: leftOperator.snapshot(), right: rightOperator.snapshot(), join: operator.snapshot() }),
        restore: (state) => {
          const saved = state as { left: unknown; right: unknown; join: unknown };
          leftOperator.restore(saved.left);
          rightOperator.restore(saved.right);
          operator.restore(saved.join);
        },
      };
      return joined;
    },
  };
}

/**
 * The operator of a stream join. Its own push() has no side to give a row to: each side's source
 * feeds `left` / `right` (the operators the two inputs instantiated), unless those wire themselves
 * to their streams.
 */
export interface StreamJoinOperator extends Operator {
  left: Operator;
  right: Operator;
}

export const windowPlanner: WindowPlanner = {
  needsWindows(select: Select, functions: FunctionRegistry): boolean {
    if ((select.groupBy ?? []).length > 0 || select.having !== undefined || select.stagger !== undefined || select.distinct) return true;
    return hasCall(expressionsOf(select), (over, name) => over || isAggregateName(name, functions));
  },
  planSelect,
  planStreamJoin,
};
