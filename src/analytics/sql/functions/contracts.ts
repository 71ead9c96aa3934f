/**
 * What the planner asks of the function library (docs/analytics.md): scalar functions, aggregate
 * functions and table functions (the analytic functions fed by CURSOR(...)), each looked up by
 * upper-case name in a registry. A name missing from every registry is a compile error naming the
 * call's line and column ("No match found for function signature X(<ARG TYPES>)" as the service
 * says), never a silent null.
 *
 * Resolution happens once per call site at compile time with the argument types (and the values of
 * constant arguments: a log parser's pattern decides its ROW type); evaluation runs per row and must
 * be fast — no allocation beyond the result where avoidable. Nulls: unless a function's reference
 * page says otherwise, a null argument gives a null result (the evaluator sees nulls; `strict: true`
 * lets the planner short-circuit them instead).
 */
import type { Column, Row, SqlType, SqlValue } from "../types.js";

/** What an evaluation may read besides its arguments. */
export interface EvalContext {
  /** ROWTIME of the row being computed (CURRENT_ROW_TIMESTAMP is wall time; see nowMs). */
  rowtimeMs: number;
  /** The wall clock now, from the injected clock (LOCALTIMESTAMP, CURRENT_TIMESTAMP, CURRENT_ROW_TIMESTAMP). */
  nowMs: number;
  /**
   * Wall-clock time the application's query started. The reference fixes LOCALTIMESTAMP, LOCALTIME,
   * CURRENT_DATE, CURRENT_TIME and CURRENT_TIMESTAMP to "the time the query first executes" (only
   * CURRENT_ROW_TIMESTAMP changes per row); without it they take the first nowMs they see.
   */
  queryStartMs?: number;
  /**
   * A reference table's current rows (subqueries and joins over reference tables read them when a
   * row needs them); a new array whenever the table is replaced.
   */
  referenceRows?(name: string): readonly Row[] | undefined;
}

export type Resolution<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ScalarImplementation {
  type: SqlType;
  /** true: a null argument gives null without calling evaluate. */
  strict: boolean;
  /** Throws SqlRuntimeError for a row-level failure (the row goes to error_stream). */
  evaluate(args: readonly SqlValue[], context: EvalContext): SqlValue;
}

export interface ScalarFunction {
  name: string;
  /**
   * `constants[i]` is the value of argument i when it is a literal/constant expression (undefined
   * otherwise). SYMBOL-typed arguments carry their keyword as a string constant (FLOOR(x TO MINUTE)).
   */
  resolve(args: readonly SqlType[], constants: readonly (SqlValue | undefined)[], site?: CallSite): Resolution<ScalarImplementation>;
}

/** How the call was written, for the functions whose spellings differ in behaviour. */
export interface CallSite {
  /** SUBSTRING(s FROM a FOR b) rather than SUBSTRING(s, a, b). */
  keywordSyntax: boolean;
}

/** The running state of one aggregate over one group or window. */
export interface Accumulator {
  add(args: readonly SqlValue[]): void;
  /** Sliding windows: the row left the window (always called with the same args it was added with). */
  remove(args: readonly SqlValue[]): void;
  result(): SqlValue;
  /** JSON-serialisable state, for checkpoints; `restore` takes it back. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface AggregateImplementation {
  type: SqlType;
  create(): Accumulator;
  /**
   * Set by aggregates that weigh rows by time (EXP_AVG): the caller appends the row's ROWTIME
   * (epoch ms) to the arguments of every add and remove, after the call's own arguments.
   */
  rowtimeArgument?: boolean;
}

export interface AggregateFunction {
  name: string;
  resolve(args: readonly SqlType[], distinct: boolean, constants: readonly (SqlValue | undefined)[]): Resolution<AggregateImplementation>;
}

/** A table function instance over its cursor: RANDOM_CUT_FOREST, HOTSPOTS, TOP_K_ITEMS_TUMBLING, … */
export interface TableFunctionInstance {
  /** One input row (in ROWTIME order); emit any output rows (each with its ROWTIME). */
  push(row: Row, rowtimeMs: number, emit: (row: Row, rowtimeMs: number) => void): void;
  /** Time moved to `watermarkMs` with no row (tumbling functions close their window). */
  advance(watermarkMs: number, emit: (row: Row, rowtimeMs: number) => void): void;
  snapshot(): unknown;
  restore(state: unknown): void;
}

export interface TableFunctionImplementation {
  /** The output columns (RANDOM_CUT_FOREST: the input's columns plus ANOMALY_SCORE, …). */
  columns: Column[];
  create(): TableFunctionInstance;
}

export interface TableFunction {
  name: string;
  /**
   * `input` is the cursor's columns; `args` the remaining arguments, which the reference requires to
   * be constants (numberOfTrees, subSampleSize, …; a named column as a string). Defaults as the
   * reference gives them when omitted or NULL. `seed` makes randomised functions deterministic.
   */
  resolve(input: readonly Column[], args: readonly (SqlValue | undefined)[], argTypes: readonly SqlType[], seed: number): Resolution<TableFunctionImplementation>;
}

export interface FunctionRegistry {
  scalar(name: string): ScalarFunction | undefined;
  aggregate(name: string): AggregateFunction | undefined;
  table(name: string): TableFunction | undefined;
}
