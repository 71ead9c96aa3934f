/**
 * Name resolution of column references against a scope (plan-contracts.ts Scope): `a`, `s.a`,
 * `"s"."a"`, ROWTIME and `s.ROWTIME` (the row's time, resolved here unless the scope has a column
 * of that name), and ROW fields reached through a qualified name (`t.r.COLUMN1`, `r.COLUMN1`).
 * Messages follow the service's validator: "Column 'X' not found in any table".
 */
import type { ColumnRef } from "../../sql/ast.js";
import { sqlTypes, type SqlType, type SqlValue } from "../../sql/types.js";
import type { Scope, ScopeColumn } from "../plan-contracts.js";
import { compiled, compileError, type Compiled } from "./compiled.js";

export const rowtimeColumn = "ROWTIME";

function readColumn(column: ScopeColumn): Compiled {
  const index = column.index;
  return compiled(column.type, (row) => row[index] as SqlValue);
}

function readRowtime(): Compiled {
  return compiled(sqlTypes.timestamp, (_row, rowtimeMs) => rowtimeMs);
}

/** Field `name` of a ROW-typed expression. */
export function readField(base: Compiled, name: string, at: ColumnRef["at"]): Compiled {
  const fields = base.type.fields;
  const index = fields?.findIndex((field) => field.name === name) ?? -1;
  if (base.type.name !== "ROW" || fields === undefined || index < 0) {
    throw compileError(`Unknown field '${name}'`, at);
  }
  const type = (fields[index] as { type: SqlType }).type;
  const evaluate = base.evaluate;
  return compiled(type, (row, t, c) => {
    const value = evaluate(row, t, c);
    return value === null ? null : ((value as SqlValue[])[index] ?? null);
  });
}

function unique(found: readonly ScopeColumn[], name: string, ref: ColumnRef): ScopeColumn | undefined {
  // In a correlated subquery its own columns hide the outer query's of the same name.
  const own = found.length > 1 ? found.filter((column) => column.outer !== true) : found;
  const matches = own.length > 0 ? own : found;
  if (matches.length > 1) throw compileError(`Column '${name}' is ambiguous`, ref.at);
  return matches[0];
}

function qualifiers(scope: Scope): Set<string> {
  const names = new Set<string>();
  for (const column of scope.columns) if (column.qualifier !== undefined) names.add(column.qualifier);
  return names;
}

export function resolveColumn(ref: ColumnRef, scope: Scope): Compiled {
  if (ref.qualifier === undefined) {
    const column = unique(
      scope.columns.filter((candidate) => candidate.name === ref.name),
      ref.name,
      ref,
    );
    if (column !== undefined) return readColumn(column);
    if (ref.name === rowtimeColumn) return readRowtime();
    throw compileError(`Column '${ref.name}' not found in any table`, ref.at);
  }
  const path = [...ref.qualifier.split("."), ref.name];
  const first = path[0] as string;
  if (qualifiers(scope).has(first)) {
    const columnName = path[1] as string;
    const column = unique(
      scope.columns.filter((candidate) => candidate.qualifier === first && candidate.name === columnName),
      columnName,
      ref,
    );
    let result: Compiled;
    if (column !== undefined) result = readColumn(column);
    else if (columnName === rowtimeColumn) result = readRowtime();
    else throw compileError(`Column '${columnName}' not found in table '${first}'`, ref.at);
    for (const field of path.slice(2)) result = readField(result, field, ref.at);
    return result;
  }
  // Not a table: a ROW-typed column and its fields (r.COLUMN1).
  const column = unique(
    scope.columns.filter((candidate) => candidate.name === first),
    first,
    ref,
  );
  if (column === undefined || column.type.name !== "ROW") throw compileError(`Table '${first}' not found`, ref.at);
  let result = readColumn(column);
  for (const field of path.slice(1)) result = readField(result, field, ref.at);
  return result;
}
