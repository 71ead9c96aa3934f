/**
 * Streaming ORDER BY (SQL Reference "ORDER BY clause"): the leading expression must be
 * time-based and monotonic — ROWTIME, or FLOOR/CEIL/STEP of ROWTIME — and rows are collected
 * while it keeps its value, then emitted sorted by the remaining keys (the developer guide's
 * anomaly example: ORDER BY FLOOR(ROWTIME TO SECOND), ANOMALY_SCORE DESC). A batch closes when
 * a row with a new leading value arrives or when the watermark moves the leading value on.
 * Keys may name the select list's aliases or ordinals; ASC puts nulls last, DESC first. The rows
 * of a batch leave with the batch's latest ROWTIME, which keeps the stream's ROWTIME ascending.
 */
import type { Expression, Select } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, type Row, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Emit, Scope } from "../plan-contracts.js";
import { compileError, type Evaluator } from "../expressions/compiled.js";
import { rowtimeColumn } from "../expressions/names.js";
import { compareValues } from "../expressions/values.js";
import { decodeRow, encodeRow, type EncodedRow } from "../runtime/row-codec.js";
import type { PlanContext } from "./context.js";

export interface SortKey {
  evaluate: Evaluator;
  /** The key reads the output row (an alias or ordinal) rather than the input row. */
  onOutput: boolean;
  descending: boolean;
}

export interface OrderPlan {
  leading: Evaluator;
  keys: SortKey[];
}

function isRowtime(expression: Expression): boolean {
  return expression.kind === "ColumnRef" && expression.name === rowtimeColumn;
}

function monotonic(expression: Expression): boolean {
  if (isRowtime(expression)) return true;
  if (expression.kind !== "Call" || !["FLOOR", "CEIL", "CEILING", "STEP"].includes(expression.name)) return false;
  const first = expression.args[0];
  return first !== undefined && isRowtime(first);
}

function compileKey(expression: Expression, input: Scope, output: Scope, context: PlanContext): { compiled: CompiledExpression; onOutput: boolean } {
  if (expression.kind === "Literal" && typeof expression.value === "number") {
    const column = output.columns[expression.value - 1];
    if (column === undefined) throw compileError(`Ordinal out of range: ${expression.value}`, expression.at);
    const index = column.index;
    return { compiled: { type: column.type, evaluate: (row) => row[index] as SqlValue }, onOutput: true };
  }
  try {
    return { compiled: context.compile(expression, input), onOutput: false };
  } catch (error) {
    if (!(error instanceof SqlCompileError)) throw error;
    try {
      return { compiled: context.compile(expression, output), onOutput: true };
    } catch {
      throw error;
    }
  }
}

/** undefined: no ORDER BY, or ORDER BY ROWTIME alone, which the stream's order already gives. */
export function planOrderBy(select: Select, input: Scope, output: Scope, context: PlanContext): OrderPlan | undefined {
  const order = select.orderBy;
  const first = order?.[0];
  if (order === undefined || first === undefined) return undefined;
  if (!monotonic(first.expression) || first.descending) throw compileError("Streaming ORDER BY must start with a monotonic expression", first.expression.at);
  if (order.length === 1) return undefined;
  const leading = context.compile(first.expression, input);
  const keys = order.slice(1).map(({ expression, descending }) => {
    const { compiled, onOutput } = compileKey(expression, input, output, context);
    return { evaluate: compiled.evaluate as Evaluator, onOutput, descending };
  });
  return { leading: leading.evaluate as Evaluator, keys };
}

interface Held {
  row: Row;
  keys: SqlValue[];
  sequence: number;
}

function compareHeld(a: Held, b: Held, keys: readonly SortKey[]): number {
  for (let i = 0; i < keys.length; i++) {
    const x = a.keys[i] ?? null;
    const y = b.keys[i] ?? null;
    const descending = (keys[i] as SortKey).descending;
    if (x === null || y === null) {
      if (x === y) continue;
      // ASC: nulls last; DESC: nulls first.
      return (x === null) !== descending ? 1 : -1;
    }
    const order = compareValues(x, y);
    if (order !== 0) return descending ? -order : order;
  }
  return a.sequence - b.sequence;
}

interface SorterState {
  leading: SqlValue | null;
  latestMs: number | null;
  rows: { row: EncodedRow; keys: EncodedRow }[];
}

/** The running sort: add rows as the projection makes them; emits each closed batch in order. */
export class StreamSorter {
  private held: Held[] = [];
  private leadingValue: SqlValue | undefined;
  private latestMs = -Infinity;
  private sequence = 0;

  constructor(
    private readonly plan: OrderPlan,
    private readonly emit: Emit,
    private readonly context: EvalContext,
  ) {}

  add(input: Row, output: Row, rowtimeMs: number): void {
    const leading = this.plan.leading(input, rowtimeMs, this.context);
    if (this.held.length > 0 && (leading === null || this.leadingValue === null || compareValues(leading, this.leadingValue as SqlValue) !== 0)) this.flush();
    const keys = this.plan.keys.map((key) => key.evaluate(key.onOutput ? output : input, rowtimeMs, this.context));
    this.leadingValue = leading;
    this.latestMs = rowtimeMs;
    this.held.push({ row: output, keys, sequence: this.sequence++ });
  }

  /** Closes the batch once the watermark gives the leading expression a later value. */
  advance(watermarkMs: number): void {
    if (this.held.length === 0 || !Number.isFinite(watermarkMs)) {
      if (watermarkMs === Infinity) this.flush();
      return;
    }
    // The leading expression reads only ROWTIME (planOrderBy checked), so any row will do.
    const leading = this.plan.leading([], watermarkMs, this.context);
    if (leading === null || this.leadingValue === null || compareValues(leading, this.leadingValue as SqlValue) !== 0) this.flush();
  }

  private flush(): void {
    const batch = this.held;
    if (batch.length === 0) return;
    this.held = [];
    batch.sort((a, b) => compareHeld(a, b, this.plan.keys));
    for (const held of batch) this.emit(held.row, this.latestMs);
  }

  snapshot(): SorterState {
    return { leading: this.leadingValue === undefined ? null : this.leadingValue, latestMs: Number.isFinite(this.latestMs) ? this.latestMs : null, rows: this.held.map((held) => ({ row: encodeRow(held.row), keys: encodeRow(held.keys) })) };
  }

  restore(state: SorterState): void {
    this.leadingValue = state.leading;
    this.latestMs = state.latestMs ?? -Infinity;
    this.held = state.rows.map((saved, sequence) => ({ row: decodeRow(saved.row), keys: decodeRow(saved.keys), sequence }));
    this.sequence = this.held.length;
  }
}
