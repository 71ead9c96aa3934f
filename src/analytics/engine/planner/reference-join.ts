/**
 * A stream joined with a reference table (developer guide "Example: Adding Reference Data"), or
 * with a query over reference tables (relation.ts): each stream row meets the relation's current
 * rows (setReferenceTable replaces a table's at any time)
 * and leaves with the stream row's ROWTIME. INNER and CROSS emit matches; an outer join on the
 * stream's side (stream LEFT JOIN table, table RIGHT JOIN stream) also emits unmatched stream
 * rows padded with nulls. Equalities between a stream expression and a table expression in ON
 * become a hash index over the table, rebuilt when the table changes; ON is still evaluated on
 * every candidate, so the index only narrows the search.
 */
import type { Expression, Join } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, type Row, type SqlValue } from "../../sql/types.js";
import type { Operator, Scope, ScopeColumn } from "../plan-contracts.js";
import { compileError, type Evaluator } from "../expressions/compiled.js";
import type { CorePlannedInput, PlanContext } from "./context.js";

function width(scope: Scope): number {
  let max = -1;
  for (const column of scope.columns) max = Math.max(max, column.index);
  return max + 1;
}

function conjuncts(expression: Expression | undefined): Expression[] {
  if (expression === undefined) return [];
  if (expression.kind === "Binary" && expression.operator === "AND") return [...conjuncts(expression.left), ...conjuncts(expression.right)];
  return [expression];
}

function keyOf(value: SqlValue): unknown {
  return typeof value === "string" ? value.replace(/ +$/, "") : value;
}

interface KeyPair {
  stream: Evaluator;
  table: Evaluator;
}

/** ON's equalities of a stream-only expression with a table-only expression. */
function keyPairs(on: Expression | undefined, streamScope: Scope, tableScope: Scope, context: PlanContext): KeyPair[] {
  const tryCompile = (expression: Expression, scope: Scope) => {
    try {
      return context.compile(expression, scope);
    } catch (error) {
      if (error instanceof SqlCompileError) return undefined;
      throw error;
    }
  };
  const pairs: KeyPair[] = [];
  for (const part of conjuncts(on)) {
    if (part.kind !== "Binary" || part.operator !== "=") continue;
    for (const [a, b] of [[part.left, part.right], [part.right, part.left]] as const) {
      const streamSide = tryCompile(a, streamScope);
      const tableSide = tryCompile(b, tableScope);
      if (streamSide === undefined || tableSide === undefined || streamSide.constant !== undefined || tableSide.constant !== undefined) continue;
      const primitive = (name: string) => name !== "BINARY" && name !== "VARBINARY" && name !== "ROW" && !name.startsWith("INTERVAL");
      if (!primitive(streamSide.type.name) || !primitive(tableSide.type.name)) continue;
      pairs.push({ stream: streamSide.evaluate, table: tableSide.evaluate });
      break;
    }
  }
  return pairs;
}

function shifted(scope: Scope, offset: number): ScopeColumn[] {
  return scope.columns.map((column) => ({ ...column, index: column.index + offset }));
}

export function planReferenceJoin(join: Join, left: CorePlannedInput, right: CorePlannedInput, context: PlanContext): CorePlannedInput {
  const streamOnLeft = left.stream;
  const streamInput = streamOnLeft ? left : right;
  const tableInput = streamOnLeft ? right : left;
  const relation = tableInput.relation;
  if (relation === undefined) throw compileError("Only a reference table or a query over reference tables can be joined with a stream", join.at);
  const keepUnmatched = (join.joinType === "LEFT" && streamOnLeft) || (join.joinType === "RIGHT" && !streamOnLeft);
  if (join.joinType === "FULL" || (!keepUnmatched && join.joinType !== "INNER" && join.joinType !== "CROSS")) {
    throw compileError(`${join.joinType} JOIN of a stream with a reference table must keep the stream's side`, join.at);
  }
  const leftWidth = width(left.scope);
  const rightWidth = width(right.scope);
  const scope: Scope = { columns: [...left.scope.columns, ...shifted(right.scope, leftWidth)] };
  const on = join.on === undefined ? undefined : context.compile(join.on, scope);
  if (on !== undefined && on.type.name !== "BOOLEAN" && on.type.name !== "NULL") throw compileError("ON clause must be a condition", join.on?.at);
  const pairs = keyPairs(join.on, streamInput.scope, tableInput.scope, context);
  const condition = on?.evaluate;
  const tableWidth = streamOnLeft ? rightWidth : leftWidth;
  const streamWidth = streamOnLeft ? leftWidth : rightWidth;

  const combine = (streamRow: Row, tableRow: Row | undefined): Row => {
    const out: Row = new Array<SqlValue>(leftWidth + rightWidth);
    const streamOffset = streamOnLeft ? 0 : leftWidth;
    const tableOffset = streamOnLeft ? leftWidth : 0;
    for (let i = 0; i < streamWidth; i++) out[streamOffset + i] = streamRow[i] ?? null;
    for (let i = 0; i < tableWidth; i++) out[tableOffset + i] = tableRow === undefined ? null : tableRow[i] ?? null;
    return out;
  };

  return {
    scope,
    stream: true,
    sources: streamInput.sources,
    instantiate(emit, errors, getContext): Operator {
      const evalContext: EvalContext = getContext();
      let indexed: readonly Row[] | undefined;
      let index = new Map<unknown, Row[]>();
      const candidates = (streamRow: Row, rowtimeMs: number): readonly Row[] => {
        const tableRows = relation.rows(evalContext);
        if (pairs.length === 0) return tableRows;
        if (indexed !== tableRows) {
          index = new Map();
          for (const tableRow of tableRows) {
            const key = pairs.map((pair) => keyOf(pair.table(tableRow, rowtimeMs, evalContext)));
            if (key.includes(null)) continue;
            const text = pairs.length === 1 ? key[0] : JSON.stringify(key);
            const bucket = index.get(text);
            if (bucket === undefined) index.set(text, [tableRow]);
            else bucket.push(tableRow);
          }
          indexed = tableRows;
        }
        const key = pairs.map((pair) => keyOf(pair.stream(streamRow, rowtimeMs, evalContext)));
        if (key.includes(null)) return [];
        return index.get(pairs.length === 1 ? key[0] : JSON.stringify(key)) ?? [];
      };
      const onRow = (streamRow: Row, rowtimeMs: number): void => {
        const joinedRows: Row[] = [];
        try {
          evalContext.rowtimeMs = rowtimeMs;
          for (const tableRow of candidates(streamRow, rowtimeMs)) {
            const joined = combine(streamRow, tableRow);
            if (condition === undefined || condition(joined, rowtimeMs, evalContext) === true) joinedRows.push(joined);
          }
        } catch (error) {
          errors(error as Error, streamRow, rowtimeMs);
          return;
        }
        if (joinedRows.length === 0 && keepUnmatched) joinedRows.push(combine(streamRow, undefined));
        for (const joined of joinedRows) emit(joined, rowtimeMs);
      };
      return streamInput.instantiate(onRow, errors, getContext);
    },
  };
}
