/**
 * SELECT [STREAM] items FROM … [WHERE …] without windows: a filter and a projection compiled to
 * closures over the input's rows. `*` and `s.*` expand to the scope's columns (ROWTIME is not
 * among them). Output names: the alias, a column's own name, else EXPR$n as the service names
 * them. A row whose WHERE or items fail goes to error_stream; the others go on.
 */
import type { Expression, Select } from "../../sql/ast.js";
import type { Row, SqlType, SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Operator, Scope } from "../plan-contracts.js";
import { compileError, type Evaluator } from "../expressions/compiled.js";
import { passThrough, type CorePlannedInput, type PlanContext, type PlannedQuery } from "./context.js";
import { planOrderBy, StreamSorter } from "./order-by.js";

export interface OutputItem {
  name: string;
  expression: CompiledExpression;
  /** The input column index when the item is a plain column read (for the identity fast path). */
  columnIndex?: number;
}

function outputName(expression: Expression, alias: string | undefined, position: number): string {
  if (alias !== undefined) return alias;
  if (expression.kind === "ColumnRef") return expression.name;
  if (expression.kind === "FieldAccess") return expression.field;
  return `EXPR$${position}`;
}

function columnIndexOf(expression: Expression, scope: Scope): number | undefined {
  if (expression.kind !== "ColumnRef") return undefined;
  const matches = scope.columns.filter((column) => column.name === expression.name && (expression.qualifier === undefined || column.qualifier === expression.qualifier));
  return matches.length === 1 ? matches[0]?.index : undefined;
}

/** `starScope`: what a bare `*` expands to (a correlated subquery's own columns, not the outer query's). */
export function expandItems(select: Select, scope: Scope, context: PlanContext, starScope: Scope = scope): OutputItem[] {
  const items: OutputItem[] = [];
  for (const item of select.items) {
    if (item.kind === "Star") {
      const columns = item.qualifier === undefined ? starScope.columns : scope.columns.filter((column) => column.qualifier === item.qualifier);
      if (item.qualifier !== undefined && columns.length === 0) throw compileError(`Table '${item.qualifier}' not found`, item.at);
      for (const column of columns) {
        const index = column.index;
        const type: SqlType = column.type;
        items.push({ name: column.name, expression: { type, evaluate: (row) => row[index] as SqlValue }, columnIndex: index });
      }
      continue;
    }
    const expression = context.compile(item.expression, scope);
    const columnIndex = columnIndexOf(item.expression, scope);
    items.push({ name: outputName(item.expression, item.alias, items.length), expression, ...(columnIndex === undefined ? {} : { columnIndex }) });
  }
  return items;
}

function scopeWidth(scope: Scope): number {
  let max = -1;
  for (const column of scope.columns) max = Math.max(max, column.index);
  return max + 1;
}

export function planProjectFilter(select: Select, input: CorePlannedInput, context: PlanContext): PlannedQuery {
  const where = select.where === undefined ? undefined : context.compile(select.where, input.scope);
  if (where !== undefined && where.type.name !== "BOOLEAN" && where.type.name !== "NULL") throw compileError("WHERE clause must be a condition", select.where?.at);
  if (select.limit !== undefined) throw compileError("LIMIT is not supported in a streaming query", select.at);
  const items = expandItems(select, input.scope, context);
  const outputScope: Scope = { columns: items.map((item, index) => ({ name: item.name, type: item.expression.type, index })) };
  const order = planOrderBy(select, input.scope, outputScope, context);
  const identity = items.length === scopeWidth(input.scope) && items.every((item, i) => item.columnIndex === i);
  const evaluators = items.map((item) => item.expression.evaluate as Evaluator);
  const filter = where?.evaluate as Evaluator | undefined;
  const count = evaluators.length;
  return {
    columns: items.map((item) => ({ name: item.name, type: item.expression.type })),
    stream: input.stream,
    sources: input.sources,
    instantiate(emit, errors, getContext): Operator {
      const evalContext = getContext();
      const sorter = order === undefined ? undefined : new StreamSorter(order, emit, evalContext);
      const onRow = (row: Row, rowtimeMs: number): void => {
        let out: Row;
        try {
          evalContext.rowtimeMs = rowtimeMs;
          if (filter !== undefined && filter(row, rowtimeMs, evalContext) !== true) return;
          if (identity) {
            out = row;
          } else {
            out = new Array<SqlValue>(count);
            for (let i = 0; i < count; i++) out[i] = (evaluators[i] as Evaluator)(row, rowtimeMs, evalContext);
          }
          if (sorter !== undefined) return sorter.add(row, out, rowtimeMs);
        } catch (error) {
          errors(error as Error, row, rowtimeMs);
          return;
        }
        emit(out, rowtimeMs);
      };
      const upstream = input.instantiate(onRow, errors, getContext);
      if (sorter === undefined) return upstream;
      return passThrough(upstream, {
        advance: (watermarkMs) => sorter.advance(watermarkMs),
        snapshot: () => sorter.snapshot(),
        restore: (state) => sorter.restore(state as ReturnType<StreamSorter["snapshot"]>),
      });
    },
  };
}
