/**
 * Syntax-tree helpers for the windowed planners: visiting and rewriting expressions (never into
 * subqueries or cursors, which are planned on their own), structural equality (a select item
 * `STEP(s.ROWTIME BY INTERVAL '60' SECOND)` is the GROUP BY key of the same text), and column
 * resolution against a scope as the reference qualifies names (`s.price`, `"s"."price"`, `price`).
 */
import type { Call, ColumnRef, Expression } from "../../sql/ast.js";
import type { Scope, ScopeColumn } from "../plan-contracts.js";

/** The direct sub-expressions of one node (not those of subqueries or cursors). */
export function children(expression: Expression): Expression[] {
  switch (expression.kind) {
    case "Call":
      return expression.args;
    case "Cast":
      return [expression.expression];
    case "Unary":
      return [expression.operand];
    case "Binary":
      return [expression.left, expression.right];
    case "Case": {
      const parts: Expression[] = [];
      if (expression.operand !== undefined) parts.push(expression.operand);
      for (const when of expression.whens) parts.push(when.when, when.then);
      if (expression.else !== undefined) parts.push(expression.else);
      return parts;
    }
    case "IsTest":
      return [expression.expression];
    case "Between":
      return [expression.expression, expression.low, expression.high];
    case "InList":
      return [expression.expression, ...expression.list];
    case "Like":
      return expression.escape === undefined
        ? [expression.expression, expression.pattern]
        : [expression.expression, expression.pattern, expression.escape];
    case "RowConstructor":
      return expression.values;
    case "FieldAccess":
      return [expression.expression];
    default:
      return [];
  }
}

/** Rebuilds a node with its direct sub-expressions replaced by `map` (same order as `children`). */
function withChildren(expression: Expression, map: (child: Expression) => Expression): Expression {
  switch (expression.kind) {
    case "Call":
      return { ...expression, args: expression.args.map(map) };
    case "Cast":
      return { ...expression, expression: map(expression.expression) };
    case "Unary":
      return { ...expression, operand: map(expression.operand) };
    case "Binary":
      return { ...expression, left: map(expression.left), right: map(expression.right) };
    case "Case":
      return {
        ...expression,
        ...(expression.operand === undefined ? {} : { operand: map(expression.operand) }),
        whens: expression.whens.map((when) => ({ when: map(when.when), then: map(when.then) })),
        ...(expression.else === undefined ? {} : { else: map(expression.else) }),
      };
    case "IsTest":
      return { ...expression, expression: map(expression.expression) };
    case "Between":
      return { ...expression, expression: map(expression.expression), low: map(expression.low), high: map(expression.high) };
    case "InList":
      return { ...expression, expression: map(expression.expression), list: expression.list.map(map) };
    case "Like":
      return {
        ...expression,
        expression: map(expression.expression),
        pattern: map(expression.pattern),
        ...(expression.escape === undefined ? {} : { escape: map(expression.escape) }),
      };
    case "RowConstructor":
      return { ...expression, values: expression.values.map(map) };
    case "FieldAccess":
      return { ...expression, expression: map(expression.expression) };
    default:
      return expression;
  }
}

/**
 * Rewrites top-down: `replace` answers a replacement for a node (which is not descended into) or
 * undefined to keep the node and rewrite its children.
 */
export function rewrite(expression: Expression, replace: (node: Expression) => Expression | undefined): Expression {
  const replaced = replace(expression);
  if (replaced !== undefined) return replaced;
  return withChildren(expression, (child) => rewrite(child, replace));
}

/** Visits every node top-down; `visit` answering false stops descent below that node. */
export function visit(expression: Expression, visitor: (node: Expression) => boolean | void): void {
  if (visitor(expression) === false) return;
  for (const child of children(expression)) visit(child, visitor);
}

export function isRowtime(expression: Expression): boolean {
  return expression.kind === "ColumnRef" && expression.name === "ROWTIME";
}

/**
 * `e` with references to columns that always hold ROWTIME (ScopeColumn.rowtime) written as ROWTIME,
 * so a window on such a column closes on time like one on ROWTIME.
 */
export function withRowtimeColumns(expression: Expression, scope: Scope): Expression {
  if (!scope.columns.some((column) => column.rowtime === true)) return expression;
  return rewrite(expression, (node) => {
    if (node.kind !== "ColumnRef" || isRowtime(node)) return undefined;
    return resolveColumn(node, scope)?.rowtime === true ? { kind: "ColumnRef", at: node.at, name: "ROWTIME" } : undefined;
  });
}

/** Whether an output item is its row's ROWTIME (ROWTIME itself, or a column that holds it). */
export function isRowtimeItem(expression: Expression, scope: Scope): boolean {
  if (isRowtime(expression)) return true;
  return expression.kind === "ColumnRef" && resolveColumn(expression, scope)?.rowtime === true;
}

/** The column a reference names in `scope`, or undefined (ROWTIME is not a scope column). */
export function resolveColumn(ref: ColumnRef, scope: Scope): ScopeColumn | undefined {
  let byName: ScopeColumn | undefined;
  let count = 0;
  for (const column of scope.columns) {
    if (column.name !== ref.name) continue;
    if (ref.qualifier !== undefined && column.qualifier === ref.qualifier) return column;
    byName ??= column;
    count++;
  }
  // A qualifier that names no column's qualifier (the stream's own name where an alias was given)
  // still finds an unambiguous column by its name.
  return count === 1 || ref.qualifier === undefined ? byName : undefined;
}

/**
 * Structural equality ignoring positions; column references are equal when they resolve to the
 * same column of `scope` (ROWTIME equals ROWTIME however qualified).
 */
export function sameExpression(a: Expression, b: Expression, scope: Scope): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "ColumnRef": {
      const other = b as ColumnRef;
      if (isRowtime(a) || isRowtime(other)) return isRowtime(a) && isRowtime(other);
      const left = resolveColumn(a, scope);
      const right = resolveColumn(other, scope);
      if (left !== undefined || right !== undefined) return left === right;
      return a.name === other.name && a.qualifier === other.qualifier;
    }
    case "Literal": {
      const other = b as typeof a;
      return a.value === other.value && a.type.name === other.type.name && a.type.precision === other.type.precision && a.type.scale === other.type.scale;
    }
    case "IntervalLiteral": {
      const other = b as typeof a;
      return a.text === other.text && a.negative === other.negative && a.start === other.start && a.end === other.end && a.precision === other.precision;
    }
    case "Symbol":
      return a.name === (b as typeof a).name;
    case "Star":
      return true;
    case "Call": {
      const other = b as Call;
      if (a.name !== other.name || (a.distinct ?? false) !== (other.distinct ?? false) || a.nulls !== other.nulls) return false;
      if ((a.over === undefined) !== (other.over === undefined)) return false;
      if (a.over !== undefined && JSON.stringify(stripPositions(a.over)) !== JSON.stringify(stripPositions(other.over))) return false;
      break;
    }
    case "Cast": {
      const other = b as typeof a;
      if (a.type.name !== other.type.name || a.type.precision !== other.type.precision || a.type.scale !== other.type.scale) return false;
      break;
    }
    case "Unary":
    case "Binary":
    case "Like":
      if (a.operator !== (b as typeof a).operator) return false;
      break;
    case "IsTest":
      if (a.test !== (b as typeof a).test || a.negated !== (b as typeof a).negated) return false;
      break;
    case "Between":
      if (a.negated !== (b as typeof a).negated || a.symmetric !== (b as typeof a).symmetric) return false;
      break;
    case "InList":
      if (a.negated !== (b as typeof a).negated) return false;
      break;
    case "Case":
      if ((a.operand === undefined) !== ((b as typeof a).operand === undefined) || (a.else === undefined) !== ((b as typeof a).else === undefined)) return false;
      break;
    case "FieldAccess":
      if (a.field !== (b as typeof a).field) return false;
      break;
    case "Cursor":
    case "ScalarSubquery":
      return a === b;
    default:
      break;
  }
  const left = children(a);
  const right = children(b);
  if (left.length !== right.length) return false;
  for (let i = 0; i < left.length; i++) if (!sameExpression(left[i] as Expression, right[i] as Expression, scope)) return false;
  return true;
}

/** A JSON-comparable copy without source positions. */
export function stripPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripPositions);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) if (key !== "at") out[key] = stripPositions(inner);
  return out;
}

/** A column reference to one of the planner's synthetic columns (group keys, aggregate results). */
export function syntheticRef(name: string, at: Expression["at"]): ColumnRef {
  return { kind: "ColumnRef", at, name };
}

/** The name a select item's output column takes: its alias, a column's name, or EXPR$<position>. */
export function outputName(expression: Expression, alias: string | undefined, position: number): string {
  if (alias !== undefined) return alias;
  if (expression.kind === "ColumnRef") return expression.name;
  return `EXPR$${position}`;
}
