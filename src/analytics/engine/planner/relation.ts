/**
 * Relations: queries over reference tables. The SQL Reference's "Query" page allows EXCEPT,
 * INTERSECT and UNION [ALL] between relations (INTERSECT binding tighter; ALL "is not currently
 * supported for EXCEPT or INTERSECT") and only UNION ALL between streams. A relation feeds a
 * stream-to-table join (`FROM s JOIN (SELECT … FROM "ref" WHERE …) AS r ON …`), a scalar subquery,
 * `IN (subquery)` and `EXISTS (subquery)`.
 *
 * A relation has no state and no ROWTIME: its rows are computed from the reference tables' current
 * rows (EvalContext.referenceRows) when a stream row needs them, and kept, per running instance,
 * until a table it reads is replaced (setReferenceTable gives a new array, so identity says it).
 * A SELECT over a relation is a filter and a projection (DISTINCT allowed); aggregates, windows,
 * ORDER BY and joins of two relations are compile errors. Subqueries see only their own FROM:
 * a reference to the outer query's columns is "Column … not found".
 */
import type { FromItem, Query, Select } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import type { Row, SqlType, SqlValue } from "../../sql/types.js";
import type { Scope, ScopeColumn } from "../plan-contracts.js";
import { assignment } from "../expressions/cast.js";
import { compileError, type Evaluator } from "../expressions/compiled.js";
import { commonType } from "../expressions/type-rules.js";
import type { PlanContext } from "./context.js";
import { expandItems } from "./select.js";

export interface RelationPlan {
  columns: { name: string; type: SqlType }[];
  /** The relation's rows now; the same array while the tables it reads are unchanged. */
  rows(context: EvalContext): readonly Row[];
}

/** Whether a query is over relations (SELECT without STREAM, and set operations of those). */
export function isRelational(query: Query): boolean {
  return query.kind === "Select" ? !query.stream : isRelational(query.left);
}

/** A reference table by name. */
export function tableRelation(name: string, columns: { name: string; type: SqlType }[]): RelationPlan {
  return {
    columns,
    rows(context) {
      const rows = context.referenceRows?.(name);
      if (rows === undefined) throw new Error(`no rows for reference table ${name}: the EvalContext has no referenceRows`);
      return rows;
    },
  };
}

/** Rows computed from inputs, recomputed when an input's rows change (per EvalContext, one per instance). */
function derived(columns: RelationPlan["columns"], inputs: readonly RelationPlan[], compute: (inputs: readonly (readonly Row[])[], context: EvalContext) => Row[]): RelationPlan {
  const cache = new WeakMap<EvalContext, { inputs: readonly (readonly Row[])[]; rows: Row[] }>();
  return {
    columns,
    rows(context) {
      const current = inputs.map((input) => input.rows(context));
      const cached = cache.get(context);
      if (cached !== undefined && cached.inputs.every((rows, i) => rows === current[i])) return cached.rows;
      const rows = compute(current, context);
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

function planRelationSelect(select: Select, context: PlanContext): RelationPlan {
  const input = relationFrom(select.from, context);
  if (select.groupBy !== undefined || select.having !== undefined || select.stagger !== undefined || (context.windows?.needsWindows({ ...select, distinct: false }, context.functions) ?? false)) {
    throw compileError("Aggregation over a reference table is not supported: only a filter and a projection", select.at);
  }
  if (select.orderBy !== undefined) throw compileError("ORDER BY is not supported in a subquery over a reference table", select.at);
  if (select.limit !== undefined) throw compileError("LIMIT is not supported in a subquery over a reference table", select.at);
  const where = select.where === undefined ? undefined : context.compile(select.where, input.scope);
  if (where !== undefined && where.type.name !== "BOOLEAN" && where.type.name !== "NULL") throw compileError("WHERE clause must be a condition", select.where?.at);
  const items = expandItems(select, input.scope, context);
  const filter = where?.evaluate as Evaluator | undefined;
  const evaluators = items.map((item) => item.expression.evaluate as Evaluator);
  const columns = items.map((item) => ({ name: item.name, type: item.expression.type }));
  return derived(columns, [input.relation], ([rows], evalContext) => {
    const out: Row[] = [];
    const rowtimeMs = evalContext.rowtimeMs;
    for (const row of rows ?? []) {
      if (filter !== undefined && filter(row, rowtimeMs, evalContext) !== true) continue;
      out.push(evaluators.map((evaluate) => evaluate(row, rowtimeMs, evalContext)));
    }
    return select.distinct ? distinctRows(out) : out;
  });
}

function planSetOperation(query: Query & { kind: "SetOperation" }, context: PlanContext): RelationPlan {
  if (!isRelational(query.right)) throw compileError(`${query.operator} of a relation and a stream: both sides must be relations, or both streams (UNION ALL)`, query.at);
  const left = planRelation(query.left, context);
  const right = planRelation(query.right, context);
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
  return derived(columns, [left, right], ([leftRows, rightRows], evalContext) => {
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

/** Plans a query over reference tables into a relation. */
export function planRelation(query: Query, context: PlanContext): RelationPlan {
  if (query.kind === "SetOperation") return planSetOperation(query, context);
  if (query.stream) throw compileError("Cannot convert stream to relation: a subquery here must be over a reference table, without STREAM", query.at);
  return planRelationSelect(query, context);
}
