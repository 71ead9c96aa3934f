/**
 * Subqueries in expressions, over reference tables (planner/relation.ts plans the query): a scalar
 * subquery `(SELECT c FROM "ref" WHERE …)`, `x [NOT] IN (SELECT c FROM …)` and `EXISTS (SELECT …)`.
 * They read the relation's current rows through the EvalContext on each evaluation (the relation
 * keeps its rows until a table changes; a correlated one is computed for each row it is given). A scalar subquery of no rows is null; of more than one row
 * is a row error ("Cardinality violation" — our name: the reference shows none). IN follows SQL's
 * three-valued logic: null when no member equals x but a member (or x) is null.
 */
import type { Query } from "../../sql/ast.js";
import { SqlRuntimeError, type SourcePosition, type SqlValue } from "../../sql/types.js";
import type { Scope } from "../plan-contracts.js";
import type { RelationPlan } from "../planner/relation.js";
import { compiled, compileError, type Compiled, type Evaluator } from "./compiled.js";
import { not } from "./predicates.js";
import { comparable } from "./type-rules.js";
import { compareValues } from "./values.js";

/** Plans a query over reference tables that may read `outer`'s columns; compile.ts gives the compiler one. */
export type RelationPlanner = (query: Query, outer: Scope) => RelationPlan;

export const cardinalityErrorName = "Cardinality violation";

function requirePlanner(relations: RelationPlanner | undefined, at: SourcePosition): RelationPlanner {
  if (relations === undefined) throw compileError("Subqueries are not supported here", at);
  return relations;
}

function singleColumn(relation: RelationPlan, at: SourcePosition): RelationPlan["columns"][number] {
  if (relation.columns.length !== 1) throw compileError(`A subquery used as a value must return one column, not ${relation.columns.length}`, at);
  return relation.columns[0] as RelationPlan["columns"][number];
}

export function scalarSubquery(query: Query, outer: Scope, at: SourcePosition, relations: RelationPlanner | undefined): Compiled {
  const relation = requirePlanner(relations, at)(query, outer);
  const column = singleColumn(relation, at);
  return compiled(column.type, (row, _t, c) => {
    const rows = relation.rows(c, row);
    if (rows.length === 0) return null;
    if (rows.length > 1) throw new SqlRuntimeError(cardinalityErrorName, `The scalar subquery returned ${rows.length} rows; it may return at most one`);
    return (rows[0] as SqlValue[])[0] ?? null;
  });
}

export function existsSubquery(query: Query, outer: Scope, at: SourcePosition, relations: RelationPlanner | undefined): Compiled {
  const relation = requirePlanner(relations, at)(query, outer);
  return compiled({ name: "BOOLEAN" }, (row, _t, c) => relation.rows(c, row).length > 0);
}

export function inSubquery(value: Compiled, query: Query, outer: Scope, negated: boolean, at: SourcePosition, relations: RelationPlanner | undefined): Compiled {
  const relation = requirePlanner(relations, at)(query, outer);
  const column = singleColumn(relation, at);
  if (!comparable(value.type, column.type)) throw compileError("Values passed to IN operator must have compatible types", at);
  const padded = value.type.name === "CHAR" || column.type.name === "CHAR";
  const v = value.evaluate;
  const member: Evaluator = (row, t, c) => {
    const rows = relation.rows(c, row);
    if (rows.length === 0) return false;
    const x = v(row, t, c);
    if (x === null) return null;
    let sawNull = false;
    for (const candidate of rows) {
      const y = candidate[0] ?? null;
      if (y === null) sawNull = true;
      else if (compareValues(x, y, padded) === 0) return true;
    }
    return sawNull ? null : false;
  };
  return compiled({ name: "BOOLEAN" }, negated ? not(member) : member);
}
