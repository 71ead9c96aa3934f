/**
 * A compact rendering of syntax trees for the parser's tests: `(AND (> PRICE 1.50) (IS NULL X))`,
 * so a test states an expression's whole shape on one line.
 */
import type { Expression, FromItem, Query, WindowSpec } from "../../../src/analytics/sql/ast.js";
import type { SqlType } from "../../../src/analytics/sql/types.js";

export function typeText(type: SqlType): string {
  if (type.name === "ROW") return `ROW(${(type.fields ?? []).map((field) => `${field.name} ${typeText(field.type)}`).join(", ")})`;
  if (type.name === "DECIMAL") return `DECIMAL(${type.precision},${type.scale})`;
  if (type.name.startsWith("INTERVAL")) return `INTERVAL ${type.qualifier}`;
  return type.precision === undefined ? type.name : `${type.name}(${type.precision})`;
}

export function sx(expression: Expression): string {
  switch (expression.kind) {
    case "Literal":
      if (expression.value === null) return "NULL";
      if (typeof expression.value === "string") {
        const text = `'${expression.value}'`;
        return expression.type.name === "CHAR" ? text : `${expression.type.name}${text}`;
      }
      if (typeof expression.value === "number") return `${expression.value}:${typeText(expression.type)}`;
      return String(expression.value).toUpperCase();
    case "IntervalLiteral":
      return `INTERVAL ${expression.negative ? "-" : ""}'${expression.text}' ${expression.start}${expression.precision === undefined ? "" : `(${expression.precision})`}${expression.end ? ` TO ${expression.end}` : ""}`;
    case "ColumnRef":
      return expression.qualifier === undefined ? expression.name : `${expression.qualifier}.${expression.name}`;
    case "Star":
      return "*";
    case "Call": {
      const parts = [expression.name, ...(expression.distinct ? ["DISTINCT"] : []), ...expression.args.map(sx)];
      let text = `(${parts.join(" ")})`;
      if (expression.nulls) text += ` ${expression.nulls} NULLS`;
      if (expression.over) text += ` OVER ${windowText(expression.over)}`;
      return text;
    }
    case "Cast":
      return `(CAST ${sx(expression.expression)} ${typeText(expression.type)})`;
    case "Unary":
      return `(${expression.operator} ${sx(expression.operand)})`;
    case "Binary":
      return `(${expression.operator} ${sx(expression.left)} ${sx(expression.right)})`;
    case "Case":
      return `(CASE${expression.operand ? ` ${sx(expression.operand)}` : ""} ${expression.whens.map((w) => `[${sx(w.when)} ${sx(w.then)}]`).join(" ")}${expression.else ? ` ELSE ${sx(expression.else)}` : ""})`;
    case "IsTest":
      return `(IS${expression.negated ? " NOT" : ""} ${expression.test} ${sx(expression.expression)})`;
    case "Between":
      return `(${expression.negated ? "NOT " : ""}BETWEEN${expression.symmetric ? " SYMMETRIC" : ""} ${sx(expression.expression)} ${sx(expression.low)} ${sx(expression.high)})`;
    case "InList":
      return `(${expression.negated ? "NOT " : ""}IN ${sx(expression.expression)} ${expression.list.map(sx).join(" ")})`;
    case "Like":
      return `(${expression.negated ? "NOT " : ""}${expression.operator} ${sx(expression.expression)} ${sx(expression.pattern)}${expression.escape ? ` ESCAPE ${sx(expression.escape)}` : ""})`;
    case "Cursor":
      return `(CURSOR ${queryText(expression.query)})`;
    case "RowConstructor":
      return `(ROW ${expression.values.map(sx).join(" ")})`;
    case "ScalarSubquery":
      return `(SUBQUERY ${queryText(expression.query)})`;
    case "Symbol":
      return `:${expression.name}`;
    case "FieldAccess":
      return `(. ${sx(expression.expression)} ${expression.field})`;
  }
}

export function windowText(spec: WindowSpec): string {
  const parts: string[] = [];
  if (spec.base) parts.push(spec.base);
  if (spec.partitionBy) parts.push(`PARTITION ${spec.partitionBy.map(sx).join(" ")}`);
  if (spec.orderBy) parts.push(`ORDER ${spec.orderBy.map(sx).join(" ")}`);
  if (spec.frame) parts.push(`${spec.frame.unit} ${typeof spec.frame.preceding === "string" ? spec.frame.preceding : sx(spec.frame.preceding)}`);
  return spec.base !== undefined && parts.length === 1 ? spec.base : `[${parts.join("; ")}]`;
}

export function fromText(item: FromItem): string {
  switch (item.kind) {
    case "StreamRef":
      return `${item.name}${item.window ? ` OVER ${windowText(item.window)}` : ""}${item.alias ? ` AS ${item.alias}` : ""}`;
    case "SubqueryRef":
      return `(${queryText(item.query)})${item.window ? ` OVER ${windowText(item.window)}` : ""}${item.alias ? ` AS ${item.alias}` : ""}`;
    case "TableFunctionRef":
      return `TABLE(${item.name} ${item.args.map(sx).join(" ")})${item.alias ? ` AS ${item.alias}` : ""}`;
    case "Join":
      return `{${fromText(item.left)} ${item.joinType} ${fromText(item.right)}${item.on ? ` ON ${sx(item.on)}` : ""}}`;
  }
}

/** A one-line summary of a query: SELECT [STREAM] items FROM … WHERE … (clauses that are present). */
export function queryText(query: Query): string {
  if (query.kind === "SetOperation") return `${queryText(query.left)} ${query.operator} ${queryText(query.right)}`;
  if (query.kind === "Values") return `VALUES ${query.rows.map((row) => `(${row.map(sx).join(" ")})`).join(" ")}${query.columnNames ? ` AS (${query.columnNames.join(" ")})` : ""}`;
  const parts = [`SELECT${query.stream ? " STREAM" : ""}${query.distinct ? " DISTINCT" : ""}`];
  parts.push(
    query.items
      .map((item) => (item.kind === "Star" ? `${item.qualifier ? `${item.qualifier}.` : ""}*` : `${sx(item.expression)}${item.alias ? ` AS ${item.alias}` : ""}`))
      .join(", "),
  );
  parts.push(`FROM ${fromText(query.from)}`);
  if (query.where) parts.push(`WHERE ${sx(query.where)}`);
  if (query.stagger) parts.push(`STAGGER [PARTITION ${query.stagger.partitionBy.map(sx).join(" ")}; RANGE ${sx(query.stagger.range)}]`);
  if (query.groupBy) parts.push(`GROUP BY ${query.groupBy.map(sx).join(", ")}`);
  if (query.having) parts.push(`HAVING ${sx(query.having)}`);
  if (query.windows) parts.push(`WINDOW ${query.windows.map((w) => `${w.name} ${windowText(w.spec)}`).join(", ")}`);
  if (query.orderBy) parts.push(`ORDER BY ${query.orderBy.map((o) => `${sx(o.expression)}${o.descending ? " DESC" : ""}`).join(", ")}`);
  if (query.limit !== undefined) parts.push(`LIMIT ${query.limit}`);
  return parts.join(" ");
}
