/**
 * Planning a FROM item into the rows a SELECT reads: a stream or reference table by name (with
 * its alias as qualifier), a subquery, TABLE(fn(CURSOR(...), ...)), or a join — of a stream with
 * a reference table (here), or of two streams (windows/, planStreamJoin).
 */
import type { ColumnRef, Expression, FromItem, Join, StreamRef, SubqueryRef, WindowSpec } from "../../sql/ast.js";
import type { Operator, ScopeColumn } from "../plan-contracts.js";
import { compileError } from "../expressions/compiled.js";
import type { CorePlannedInput, PlanContext } from "./context.js";
import { planReferenceJoin } from "./reference-join.js";
import { planTableFunction } from "./table-function.js";
import { planQuery } from "./query.js";
import { isRelational, planRelation, tableRelation } from "./relation.js";

/** Named WINDOW clauses of the enclosing SELECT, for joins of streams with OVER w. */
export type NamedWindows = readonly { name: string; spec: WindowSpec; at: StreamRef["at"] }[] | undefined;

const idle: Operator = { push() {}, advance() {}, snapshot: () => null, restore() {} };

function planStreamRef(ref: StreamRef, context: PlanContext): CorePlannedInput {
  const entry = context.catalog.get(ref.name);
  if (entry === undefined) throw compileError(`Object '${ref.name}' not found`, ref.at);
  // `JOIN TradeStream OVER t … t.amount` (the developer guide's stream-join example): a stream
  // windowed by a named window and given no alias is qualified by the window's name.
  const windowName = ref.window?.base !== undefined && ref.window.frame === undefined && ref.window.partitionBy === undefined ? ref.window.base : undefined;
  const qualifier = ref.alias ?? windowName ?? ref.name;
  const columns: ScopeColumn[] = entry.columns.map((column, index) => ({ qualifier, name: column.name, type: column.type, index }));
  if (entry.kind === "reference") {
    return { scope: { columns }, stream: false, sources: [], relation: tableRelation(entry.name, entry.columns), instantiate: () => idle };
  }
  const name = entry.name;
  return {
    scope: { columns },
    stream: true,
    sources: [name],
    instantiate(emit) {
      // The source operator: the stream's node pushes each row it receives into it.
      const operator: Operator = { push: emit, advance() {}, snapshot: () => null, restore() {} };
      context.slot.require().subscribe(name, operator);
      return operator;
    },
  };
}

function planSubquery(ref: SubqueryRef, context: PlanContext): CorePlannedInput {
  const qualifier = ref.alias;
  if (isRelational(ref.query)) {
    if (ref.window !== undefined) throw compileError("A window applies to a stream, not to a relation", ref.at);
    const relation = planRelation(ref.query, context);
    const columns: ScopeColumn[] = relation.columns.map((column, index) => ({ ...(qualifier === undefined ? {} : { qualifier }), name: column.name, type: column.type, index }));
    return { scope: { columns }, stream: false, sources: [], relation, instantiate: () => idle };
  }
  const query = planQuery(ref.query, context);
  const columns: ScopeColumn[] = query.columns.map((column, index) => ({
    ...(qualifier === undefined ? {} : { qualifier }),
    name: column.name,
    type: column.type,
    index,
    // A column that holds its row's ROWTIME can window a GROUP BY above (windows/).
    ...((column as { rowtime?: boolean }).rowtime === true ? { rowtime: true } : {}),
  }));
  return { scope: { columns }, stream: query.stream, sources: query.sources, instantiate: query.instantiate };
}

/** A column of one side of a USING / NATURAL join, by name (the side must name it once, qualified). */
function usingColumn(side: CorePlannedInput, name: string, where: string, at: Join["at"]): ColumnRef {
  const matches = side.scope.columns.filter((column) => column.name === name);
  if (matches.length === 0) throw compileError(`Column '${name}' not found in the ${where} side of the join`, at);
  if (matches.length > 1) throw compileError(`Column '${name}' is ambiguous in the ${where} side of the join`, at);
  const qualifier = (matches[0] as ScopeColumn).qualifier;
  if (qualifier === undefined) throw compileError(`Column '${name}' of the ${where} side of the join has no table name: give the subquery an alias`, at);
  return { kind: "ColumnRef", at, qualifier, name };
}

/**
 * JOIN … USING (a, b) and NATURAL JOIN (USING every shared column name) as the equivalent ON:
 * left.a = right.a AND left.b = right.b. Both sides' columns stay in the output (SELECT * shows
 * them twice), as they do for the ON form.
 */
function withCondition(join: Join, left: CorePlannedInput, right: CorePlannedInput): Join {
  if (join.using === undefined && join.natural !== true) return join;
  const at = join.using?.at ?? join.at;
  const names = join.using?.names ?? left.scope.columns.map((column) => column.name).filter((name, i, all) => all.indexOf(name) === i && right.scope.columns.some((column) => column.name === name));
  if (names.length === 0) return { ...join, joinType: join.joinType === "INNER" ? "CROSS" : join.joinType };
  let on: Expression | undefined;
  for (const name of names) {
    const equal: Expression = { kind: "Binary", at, operator: "=", left: usingColumn(left, name, "left", at), right: usingColumn(right, name, "right", at) };
    on = on === undefined ? equal : { kind: "Binary", at, operator: "AND", left: on, right: equal };
  }
  return { ...join, ...(on === undefined ? {} : { on }) };
}

function planJoin(parsed: Join, context: PlanContext, windows: NamedWindows): CorePlannedInput {
  const left = planFrom(parsed.left, context, windows);
  const right = planFrom(parsed.right, context, windows);
  const join = withCondition(parsed, left, right);
  if (left.stream && right.stream) {
    if (context.windows === undefined) throw compileError("Joins of two streams are not supported yet", join.at);
    const environment = { compile: context.compile, functions: context.functions, windows };
    const planned = context.windows.planStreamJoin(join, left, right, environment);
    return { ...planned, sources: [...left.sources, ...right.sources] };
  }
  if (!left.stream && !right.stream) throw compileError("A join of two relations is not supported in a streaming application", join.at);
  return planReferenceJoin(join, left, right, context);
}

export function planFrom(from: FromItem, context: PlanContext, windows: NamedWindows = undefined): CorePlannedInput {
  switch (from.kind) {
    case "StreamRef":
      return planStreamRef(from, context);
    case "SubqueryRef":
      return planSubquery(from, context);
    case "TableFunctionRef":
      return planTableFunction(from, context);
    case "Join":
      return planJoin(from, context, windows);
  }
}
