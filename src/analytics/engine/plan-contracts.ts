/**
 * The seam between the engine's core planner (compile.ts, planner, expression compiler, simple
 * operators) and its windowed operators (windows/: GROUP BY tumbling windows, OVER sliding windows,
 * WINDOWED BY STAGGER, stream-to-stream joins). The core planner builds the input of a SELECT
 * (streams, subqueries, table functions, reference joins), then hands any SELECT that aggregates,
 * has OVER calls or STAGGER to `WindowPlanner.planSelect`, and any join of two streams to
 * `WindowPlanner.planStreamJoin`.
 */
import type { Call, Expression, Join, Select, WindowSpec } from "../sql/ast.js";
import type { EvalContext, FunctionRegistry } from "../sql/functions/contracts.js";
import type { Row, SqlType, SqlValue } from "../sql/types.js";

/** A column visible to expressions: `index` into the row; ROWTIME is resolved by the compiler itself. */
export interface ScopeColumn {
  /** The stream/table alias or name that qualifies it (s.price), if any. */
  qualifier?: string;
  /** A column of the query around a correlated subquery: the subquery's own columns of the same name hide it. */
  outer?: boolean;
  name: string;
  type: SqlType;
  index: number;
  /**
   * The column always holds its row's ROWTIME (a subquery's `ROWTIME AS window_time`): a streaming
   * GROUP BY may window on it as on ROWTIME (the reference's COUNT_DISTINCT_ITEMS_TUMBLING page
   * groups by STEP(distinct_stream.window_time …)). Optional; set from PlannedSelect.columns.
   */
  rowtime?: boolean;
}

export interface Scope {
  columns: readonly ScopeColumn[];
}

export interface CompiledExpression {
  type: SqlType;
  /** Throws SqlRuntimeError for a row-level failure. */
  evaluate(row: Row, rowtimeMs: number, context: EvalContext): SqlValue;
  /** Set when the expression is constant (literals, constant folding): its value. */
  constant?: SqlValue;
}

export interface CompileHooks {
  /**
   * Called for every Call before normal resolution: windowed code intercepts aggregate calls and
   * OVER calls (answering an expression that reads the accumulator's result from the row it
   * builds), and answers undefined to let the compiler resolve the call as a scalar function.
   */
  call?(call: Call, scope: Scope): CompiledExpression | undefined;
}

/** Compiles an expression against a scope; throws SqlCompileError (with the node's position). */
export type ExpressionCompiler = (expression: Expression, scope: Scope, hooks?: CompileHooks) => CompiledExpression;

/** Where an operator's output goes. */
export type Emit = (row: Row, rowtimeMs: number) => void;

/**
 * A running operator. Rows arrive in ROWTIME order; `advance` says no row below the watermark will
 * come. A row-level SqlRuntimeError thrown while computing one output goes to `errors` (the
 * error_stream) and the operator carries on.
 */
export interface Operator {
  push(row: Row, rowtimeMs: number): void;
  advance(watermarkMs: number): void;
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface RowErrorSink {
  (error: Error, row: Row, rowtimeMs: number): void;
}

/** A planned relation: what rows look like, and how to run it into `emit`. */
export interface PlannedInput {
  scope: Scope;
  /** Whether it is a stream (false: a reference table or other relation). */
  stream: boolean;
  /** Builds the running operator chain that feeds `emit`; the caller wires sources to it. */
  instantiate(emit: Emit, errors: RowErrorSink, context: () => EvalContext): Operator;
}

export interface PlannedSelect {
  /** Output column names and types, in select-list order; `rowtime`: the column is the row's ROWTIME. */
  columns: { name: string; type: SqlType; rowtime?: boolean }[];
  instantiate(emit: Emit, errors: RowErrorSink, context: () => EvalContext): Operator;
}

export interface WindowPlannerEnvironment {
  compile: ExpressionCompiler;
  functions: FunctionRegistry;
  /**
   * The enclosing SELECT's WINDOW clause, so planStreamJoin can resolve `JOIN s OVER w … WINDOW w AS
   * (RANGE …)` (planSelect reads the SELECT's own). Optional: without it a named join window is a
   * compile error.
   */
  windows?: readonly { name: string; spec: WindowSpec }[];
}

export interface WindowPlanner {
  /** True when this SELECT needs windows: GROUP BY, aggregate calls, OVER calls or STAGGER. */
  needsWindows(select: Select, functions: FunctionRegistry): boolean;
  /** Plans the SELECT's grouping/windowing, WHERE, HAVING and select list over its planned input. */
  planSelect(select: Select, input: PlannedInput, env: WindowPlannerEnvironment): PlannedSelect;
  /** Plans a join between two streams (one side windowed by OVER (RANGE ...)). */
  planStreamJoin(join: Join, left: PlannedInput, right: PlannedInput, env: WindowPlannerEnvironment): PlannedInput;
}
