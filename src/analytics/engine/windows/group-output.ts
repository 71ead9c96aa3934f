/**
 * The output side of an aggregate query (GROUP BY tumbling windows, WINDOWED BY STAGGER, SELECT
 * STREAM DISTINCT): the select list, HAVING and ORDER BY are rewritten to read a group's row —
 * its key values followed by its aggregates' results — and compiled once. A select item may use a
 * grouping expression (`STEP(s.ROWTIME BY INTERVAL '60' SECOND)` reads the window's key, not the
 * output ROWTIME) or columns inside aggregates; any other column is "not being grouped", as the
 * reference's GROUP BY clause says. ROWTIME itself is the output row's ROWTIME (the window's end).
 */
import type { Call, Expression, Select } from "../../sql/ast.js";
import type { Accumulator, EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, SqlRuntimeError, type Row, type SqlType, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Emit, RowErrorSink, Scope, ScopeColumn, WindowPlannerEnvironment } from "../plan-contracts.js";
import { isAggregateName, planAggregate, type AggregateSlot } from "./aggregates.js";
import { compareKeys } from "./values.js";
import { isRowtime, isRowtimeItem, outputName, rewrite, sameExpression, syntheticRef, visit } from "./syntax.js";

export interface GroupOutputPlan {
  aggregates: AggregateSlot[];
  columns: { name: string; type: SqlType; rowtime?: boolean }[];
  items: CompiledExpression[];
  having: CompiledExpression | undefined;
  orderBy: { expression: CompiledExpression; descending: boolean }[];
}

/** Aggregate calls of the select list, HAVING and ORDER BY, each once. */
function collectAggregates(expressions: Expression[], scope: Scope, env: WindowPlannerEnvironment): Call[] {
  const calls: Call[] = [];
  for (const expression of expressions) {
    visit(expression, (node) => {
      if (node.kind !== "Call") return;
      if (node.over !== undefined) {
        throw new SqlCompileError(`Windowed aggregate ${node.name} OVER is not allowed in a query with GROUP BY or WINDOWED BY`, node.at);
      }
      if (!isAggregateName(node.name, env.functions)) return;
      for (const arg of node.args) {
        visit(arg, (inner) => {
          if (inner.kind === "Call" && inner.over === undefined && isAggregateName(inner.name, env.functions)) {
            throw new SqlCompileError(`Aggregate expressions cannot be nested`, inner.at);
          }
        });
      }
      if (!calls.some((call) => sameExpression(call, node, scope))) calls.push(node);
      return false;
    });
  }
  return calls;
}

export function planGroupOutput(select: Select, keys: Expression[], input: Scope, env: WindowPlannerEnvironment): GroupOutputPlan {
  const items = select.items.map((item) => {
    if (item.kind === "Star") throw new SqlCompileError("Expression '*' is not being grouped", item.at);
    return item;
  });
  const orderBy = select.orderBy ?? [];
  const calls = collectAggregates(
    [...items.map((item) => item.expression), ...(select.having === undefined ? [] : [select.having]), ...orderBy.map((order) => order.expression)],
    input,
    env,
  );
  const aggregates = calls.map((call) => planAggregate(call, input, env));
  const columns: ScopeColumn[] = keys.map((key, index) => ({ name: `$key${index}`, type: env.compile(key, input).type, index }));
  aggregates.forEach((aggregate, index) => columns.push({ name: `$aggregate${index}`, type: aggregate.type, index: keys.length + index }));
  const groupScope: Scope = { columns };

  const toGroupRow = (expression: Expression): Expression =>
    rewrite(expression, (node) => {
      const key = keys.findIndex((candidate) => sameExpression(candidate, node, input));
      if (key >= 0) return syntheticRef(`$key${key}`, node.at);
      if (node.kind === "Call") {
        const aggregate = calls.findIndex((call) => sameExpression(call, node, input));
        if (aggregate >= 0) return syntheticRef(`$aggregate${aggregate}`, node.at);
      }
      if (isRowtimeItem(node, input)) return { kind: "ColumnRef", at: node.at, name: "ROWTIME" };
      if (node.kind === "ColumnRef") {
        const text = node.qualifier === undefined ? node.name : `${node.qualifier}.${node.name}`;
        throw new SqlCompileError(`Expression '${text}' is not being grouped`, node.at);
      }
      return undefined;
    });

  const compiledItems = items.map((item) => env.compile(toGroupRow(item.expression), groupScope));
  const outputColumns = items.map((item, position) => ({
    name: outputName(item.expression, item.alias, position),
    type: (compiledItems[position] as CompiledExpression).type,
    ...(isRowtimeItem(item.expression, input) ? { rowtime: true } : {}),
  }));
  const having = select.having === undefined ? undefined : env.compile(toGroupRow(select.having), groupScope);
  const compiledOrder = orderBy
    .filter((order) => !isRowtime(order.expression))
    .map((order) => ({ expression: orderExpression(order.expression, items, outputColumns, toGroupRow, groupScope, env), descending: order.descending }));
  return { aggregates, columns: outputColumns, items: compiledItems, having, orderBy: compiledOrder };
}

/** ORDER BY an ordinal, a select alias or an expression over the group row. */
function orderExpression(
  expression: Expression,
  items: { expression: Expression; alias?: string }[],
  columns: { name: string }[],
  toGroupRow: (expression: Expression) => Expression,
  groupScope: Scope,
  env: WindowPlannerEnvironment,
): CompiledExpression {
  let target: Expression = expression;
  if (expression.kind === "Literal" && typeof expression.value === "number") {
    const item = items[expression.value - 1];
    if (item === undefined) throw new SqlCompileError(`Ordinal out of range`, expression.at);
    target = item.expression;
  } else if (expression.kind === "ColumnRef" && expression.qualifier === undefined) {
    const index = columns.findIndex((column) => column.name === expression.name);
    const item = items[index];
    if (item !== undefined && item.alias !== undefined) target = item.expression;
  }
  return env.compile(toGroupRow(target), groupScope);
}

/** Turns closed groups into output rows: HAVING, the select list, ORDER BY within the window. */
export class GroupEmitter {
  /** The group's row the compiled expressions read: its keys, then its aggregates' results. */
  private readonly groupRow: SqlValue[];
  /** Rows of the window being emitted, waiting to be sorted (ORDER BY only). */
  private pending: { row: Row; sort: SqlValue[] }[] = [];

  constructor(
    private readonly plan: GroupOutputPlan,
    private readonly keyCount: number,
    private readonly emit: Emit,
    private readonly errors: RowErrorSink,
  ) {
    this.groupRow = new Array<SqlValue>(keyCount + plan.aggregates.length).fill(null);
  }

  /** Adds one group's output (if HAVING passes); rows wait for flush() when ORDER BY sorts them. */
  add(keys: readonly SqlValue[], accumulators: readonly Accumulator[], rowtimeMs: number, context: EvalContext): void {
    const row = this.groupRow;
    for (let i = 0; i < this.keyCount; i++) row[i] = keys[i] as SqlValue;
    try {
      for (let i = 0; i < accumulators.length; i++) row[this.keyCount + i] = (accumulators[i] as Accumulator).result();
      if (this.plan.having !== undefined && this.plan.having.evaluate(row, rowtimeMs, context) !== true) return;
      const items = this.plan.items;
      const out: Row = new Array<SqlValue>(items.length);
      for (let i = 0; i < items.length; i++) out[i] = (items[i] as CompiledExpression).evaluate(row, rowtimeMs, context);
      if (this.plan.orderBy.length === 0) {
        this.emit(out, rowtimeMs);
        return;
      }
      this.pending.push({ row: out, sort: this.plan.orderBy.map((order) => order.expression.evaluate(row, rowtimeMs, context)) });
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
      this.errors(error, row.slice(), rowtimeMs);
    }
  }

  /** Emits the rows of one window sorted by ORDER BY (stable: ties keep the groups' order). */
  flush(rowtimeMs: number): void {
    if (this.pending.length === 0) return;
    const orders = this.plan.orderBy;
    const rows = this.pending;
    this.pending = [];
    rows.sort((a, b) => {
      for (let i = 0; i < orders.length; i++) {
        const diff = compareKeys(a.sort[i] as SqlValue, b.sort[i] as SqlValue);
        if (diff !== 0) return (orders[i] as { descending: boolean }).descending ? -diff : diff;
      }
      return 0;
    });
    for (const entry of rows) this.emit(entry.row, rowtimeMs);
  }
}
