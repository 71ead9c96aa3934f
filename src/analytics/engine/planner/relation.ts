/**
 * Relations: queries over reference tables, and VALUES. The SQL Reference's "Query" page allows EXCEPT,
 * INTERSECT and UNION [ALL] between relations (INTERSECT binding tighter; ALL "is not currently
 * supported for EXCEPT or INTERSECT") and only UNION ALL between streams. A relation feeds a
 * stream-to-table join (`FROM s JOIN (SELECT … FROM "ref" WHERE …) AS r ON …`), a scalar subquery,
 * `IN (subquery)` and `EXISTS (subquery)`.
 *
 * A relation has no state and no ROWTIME: its rows are computed from the reference tables' current
 * rows (EvalContext.referenceRows) when a stream row needs them, and kept, per running instance,
 * until a table it reads is replaced (setReferenceTable gives a new array, so identity says it).
 * A SELECT over a relation is a filter and a projection (DISTINCT allowed); aggregates, windows,
 * ORDER BY and joins of two relations are compile errors. A subquery in an expression may read the
 * columns of the query around it (a correlated subquery, `WHERE c."Ticker" = s.ticker_symbol`):
 * its own columns hide outer ones of the same name, and it is computed again for every outer row.
 */
import type { FromItem, Query, Select, Values } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, type Row, type SqlType, type SqlValue } from "../../sql/types.js";
import type { Scope, ScopeColumn } from "../plan-contracts.js";
import { assignment } from "../expressions/cast.js";
import { compileError, type Evaluator } from "../expressions/compiled.js";
import { commonType } from "../expressions/type-rules.js";
import type { PlanContext } from "./context.js";
import { expandItems } from "./select.js";

export interface RelationPlan {
  columns: { name: string; type: SqlType }[];
  /** Reads the row of the query around it (a correlated subquery): no rows are kept between rows. */
  correlated: boolean;
  /**
   * The relation's rows now (for a correlated one, for the outer row `outer`); the same array
   * while the tables an uncorrelated one reads are unchanged.
   */
  rows(context: EvalContext, outer?: Row): readonly Row[];
}

/** Whether a query is over relations (SELECT without STREAM, and set operations of those). */
export function isRelational(query: Query): boolean {
  if (query.kind === "Values") return true;
  return query.kind === "Select" ? !query.stream : isRelational(query.left);
}

/** A reference table by name. */
export function tableRelation(name: string, columns: { name: string; type: SqlType }[]): RelationPlan {
  return {
    columns,
    correlated: false,
    rows(context) {
      const rows = context.referenceRows?.(name);
      if (rows === undefined) throw new Error(`no rows for reference table ${name}: the EvalContext has no referenceRows`);
      return rows;
    },
  };
}

/**
 * Rows computed from inputs, recomputed when an input's rows change (per EvalContext, one per
 * instance), or for every outer row when correlated.
 */
function derived(
  columns: RelationPlan["columns"],
  inputs: readonly RelationPlan[],
  correlatedOwn: boolean,
  compute: (inputs: readonly (readonly Row[])[], context: EvalContext, outer: Row | undefined) => Row[],
): RelationPlan {
  const cache = new WeakMap<EvalContext, { inputs: readonly (readonly Row[])[]; rows: Row[] }>();
  const correlated = correlatedOwn || inputs.some((input) => input.correlated);
  if (correlated) return { columns, correlated, rows: (context, outer) => compute(inputs.map((input) => input.rows(context, outer)), context, outer) };
  return {
    columns,
    correlated,
    rows(context) {
      const current = inputs.map((input) => input.rows(context));
      const cached = cache.get(context);
      if (cached !== undefined && cached.inputs.every((rows, i) => rows === current[i])) return cached.rows;
      const rows = compute(current, context, undefined);
      cache.set(context, { inputs: current, rows });
      return rows;
    },
  };
}

/** A row's identity for DISTINCT and the set operators (CHAR compares without trailing spaces). */
export function rowKey(row: Row): string {
  return JSON.stringify(row.map(valueKey));
}

function valueKey(value: SqlValue): unknown {
  if (typeof value === "string") return value.replace(/ +$/, "");
  if (value instanceof Uint8Array) return Array.from(value);
  if (Array.isArray(value)) return value.map(valueKey);
  return value;
}

function distinctRows(rows: readonly Row[]): Row[] {
  const seen = new Set<string>();
  const out: Row[] = [];
  for (const row of rows) {
    const key = rowKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(row);
  }
  return out;
}

interface RelationInput {
  scope: Scope;
  relation: RelationPlan;
}

function relationFrom(from: FromItem, context: PlanContext): RelationInput {
  if (from.kind === "StreamRef") {
    const entry = context.catalog.get(from.name);
    if (entry === undefined) throw compileError(`Object '${from.name}' not found`, from.at);
    if (entry.kind !== "reference") throw compileError("Cannot convert stream to relation: a query over a stream must be SELECT STREAM", from.at);
    const qualifier = from.alias ?? from.name;
    const columns: ScopeColumn[] = entry.columns.map((column, index) => ({ qualifier, name: column.name, type: column.type, index }));
    return { scope: { columns }, relation: tableRelation(entry.name, entry.columns) };
  }
  if (from.kind === "SubqueryRef") {
    const relation = planRelation(from.query, context);
    const qualifier = from.alias;
    const columns: ScopeColumn[] = relation.columns.map((column, index) => ({ ...(qualifier === undefined ? {} : { qualifier }), name: column.name, type: column.type, index }));
    return { scope: { columns }, relation };
  }
  throw compileError(from.kind === "Join" ? "A join of two relations is not supported in a streaming application" : "A table function reads a stream: SELECT STREAM is needed", from.at);
}

/** The outer row's first `offset` values (nulls past its end), then the subquery's own row. */
function combine(outer: Row | undefined, offset: number, own: Row): Row {
  const row: SqlValue[] = new Array<SqlValue>(offset + own.length);
  for (let i = 0; i < offset; i++) row[i] = outer?.[i] ?? null;
  for (let i = 0; i < own.length; i++) row[offset + i] = own[i] ?? null;
  return row;
}

function width(scope: Scope): number {
  let max = -1;
  for (const column of scope.columns) max = Math.max(max, column.index);
  return max + 1;
}

function planRelationSelect(select: Select, context: PlanContext, outer: Scope | undefined): RelationPlan {
  const input = relationFrom(select.from, context);
  if (select.groupBy !== undefined || select.having !== undefined || select.stagger !== undefined || (context.windows?.needsWindows({ ...select, distinct: false }, context.functions) ?? false)) {
    throw compileError("Aggregation over a reference table is not supported: only a filter and a projection", select.at);
  }
  if (select.orderBy !== undefined) throw compileError("ORDER BY is not supported in a subquery over a reference table", select.at);
  if (select.limit !== undefined) throw compileError("LIMIT is not supported in a subquery over a reference table", select.at);
  const compileAll = (scope: Scope, own: Scope) => {
    const where = select.where === undefined ? undefined : context.compile(select.where, scope);
    if (where !== undefined && where.type.name !== "BOOLEAN" && where.type.name !== "NULL") throw compileError("WHERE clause must be a condition", select.where?.at);
    return { where, items: expandItems(select, scope, context, own) };
  };
  // Uncorrelated unless its own FROM can't answer a name and the outer query's columns can.
  let correlated = false;
  let offset = 0;
  let compiled: ReturnType<typeof compileAll>;
  try {
    compiled = compileAll(input.scope, input.scope);
  } catch (error) {
    if (!(error instanceof SqlCompileError) || outer === undefined) throw error;
    offset = width(outer);
    const own = input.scope.columns.map((column) => ({ ...column, index: column.index + offset }));
    compiled = compileAll({ columns: [...outer.columns.map((column) => ({ ...column, outer: true })), ...own] }, { columns: own });
    correlated = true;
  }
  const { where, items } = compiled;
  const filter = where?.evaluate as Evaluator | undefined;
  const evaluators = items.map((item) => item.expression.evaluate as Evaluator);
  const columns = items.map((item) => ({ name: item.name, type: item.expression.type }));
  return derived(columns, [input.relation], correlated, ([rows], evalContext, outerRow) => {
    const out: Row[] = [];
    const rowtimeMs = evalContext.rowtimeMs;
    for (const own of rows ?? []) {
      const row = correlated ? combine(outerRow, offset, own) : own;
      if (filter !== undefined && filter(row, rowtimeMs, evalContext) !== true) continue;
      out.push(evaluators.map((evaluate) => evaluate(row, rowtimeMs, evalContext)));
    }
    return select.distinct ? distinctRows(out) : out;
  });
}

function planSetOperation(query: Query & { kind: "SetOperation" }, context: PlanContext, outer: Scope | undefined): RelationPlan {
  if (!isRelational(query.right)) throw compileError(`${query.operator} of a relation and a stream: both sides must be relations, or both streams (UNION ALL)`, query.at);
  const left = planRelation(query.left, context, outer);
  const right = planRelation(query.right, context, outer);
  if (left.columns.length !== right.columns.length) throw compileError(`Column count mismatch in ${query.operator}`, query.at);
  const columns = left.columns.map((column, i) => {
    const type = commonType([column.type, (right.columns[i] as { type: SqlType }).type]);
    if (type === undefined) throw compileError(`Type mismatch in column ${i + 1} of ${query.operator}`, query.at);
    return { name: column.name, type };
  });
  const conversions = [left, right].map((side) => side.columns.map((column, i) => assignment(column.type, (columns[i] as { type: SqlType }).type)));
  const convert = (rows: readonly Row[], side: number, evalContext: EvalContext): Row[] => {
    const convert = conversions[side] ?? [];
    if (!convert.some((conversion) => conversion !== undefined)) return [...rows];
    return rows.map((row) => row.map((value, i) => (value === null || convert[i] === undefined ? value : (convert[i] as (v: SqlValue, c: EvalContext) => SqlValue)(value, evalContext))));
  };
  const operator = query.operator;
  return derived(columns, [left, right], false, ([leftRows, rightRows], evalContext) => {
    const a = convert(leftRows ?? [], 0, evalContext);
    const b = convert(rightRows ?? [], 1, evalContext);
    switch (operator) {
      case "UNION ALL":
        return [...a, ...b];
      case "UNION":
        return distinctRows([...a, ...b]);
      case "INTERSECT": {
        const inRight = new Set(b.map(rowKey));
        return distinctRows(a.filter((row) => inRight.has(rowKey(row))));
      }
      case "EXCEPT": {
        const inRight = new Set(b.map(rowKey));
        return distinctRows(a.filter((row) => !inRight.has(rowKey(row))));
      }
    }
  });
}

/**
 * VALUES: constant rows, typed per column by the common type of its values (as UNION's are),
 * named EXPR$0, EXPR$1, … unless `AS t(a, b)` names them. Computed once per running instance.
 */
function planValues(values: Values, context: PlanContext): RelationPlan {
  const compiledRows = values.rows.map((row) => row.map((expression) => context.compile(expression, { columns: [] })));
  const width = (compiledRows[0] ?? []).length;
  const columns = Array.from({ length: width }, (_, i) => {
    const type = commonType(compiledRows.map((row) => (row[i] as { type: SqlType }).type));
    if (type === undefined) throw compileError(`Type mismatch in column ${i + 1} of VALUES`, values.at);
    return { name: values.columnNames?.[i] ?? `EXPR$${i}`, type };
  });
  const rows = compiledRows.map((row) =>
    row.map((value, i) => {
      const convert = assignment(value.type, (columns[i] as { type: SqlType }).type);
      return { evaluate: value.evaluate as Evaluator, convert };
    }),
  );
  return derived(columns, [], false, (_inputs, evalContext) =>
    rows.map((row) =>
      row.map(({ evaluate, convert }) => {
        const value = evaluate([], evalContext.rowtimeMs, evalContext);
        return value === null || convert === undefined ? value : convert(value, evalContext);
      }),
    ),
  );
}

/**
 * Plans a query over reference tables into a relation; `outer` is the scope of the query around a
 * subquery in an expression, whose columns it may read.
 */
export function planRelation(query: Query, context: PlanContext, outer?: Scope): RelationPlan {
  if (query.kind === "SetOperation") return planSetOperation(query, context, outer);
  if (query.kind === "Values") return planValues(query, context);
  if (query.stream) throw compileError("Cannot convert stream to relation: a subquery here must be over a reference table, without STREAM", query.at);
  return planRelationSelect(query, context, outer);
}
