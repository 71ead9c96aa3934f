/**
 * Queries: SELECT [STREAM] [DISTINCT|ALL] … FROM … [WHERE] [WINDOWED BY STAGGER (…)] [GROUP BY]
 * [HAVING] [WINDOW w AS (…), …] [ORDER BY] [LIMIT n], set operations (UNION ALL, …) and the FROM
 * clause: streams and tables with a window and an alias, subqueries, TABLE(fn(CURSOR(…), …)), and
 * joins (comma, [NATURAL] [INNER] JOIN, LEFT/RIGHT/FULL [OUTER] JOIN, CROSS JOIN; ON or USING).
 */
import type { Expression, FromItem, Join, Query, Select, SelectItem, SetOperation, StreamRef, SubqueryRef, Values } from "../ast.js";
import type { SourcePosition } from "../types.js";
import { isQueryStart, parseExpression, type ParseContext } from "./expressions.js";
import type { TokenStream } from "./token-stream.js";
import { expressionList, parseWindowReference, parseWindowSpec } from "./windows.js";

/** query := intersect-term ((UNION | EXCEPT) [ALL | DISTINCT] intersect-term)* */
export function parseQuery(ctx: ParseContext): Query {
  let left = parseIntersectTerm(ctx);
  for (;;) {
    const { tokens } = ctx;
    let operator: SetOperation["operator"];
    if (tokens.acceptWord("UNION")) operator = tokens.acceptWord("ALL") ? "UNION ALL" : (tokens.acceptWord("DISTINCT"), "UNION");
    else if (tokens.acceptWord("EXCEPT")) operator = setDistinct(tokens, "EXCEPT");
    else return left;
    left = { kind: "SetOperation", at: left.at, operator, left, right: parseIntersectTerm(ctx) };
  }
}

function setDistinct(tokens: TokenStream, operator: "EXCEPT" | "INTERSECT"): "EXCEPT" | "INTERSECT" {
  if (tokens.isWord("ALL")) tokens.failAt(`${operator} ALL is not supported`, tokens.position);
  tokens.acceptWord("DISTINCT");
  return operator;
}

function parseIntersectTerm(ctx: ParseContext): Query {
  let left = parseQueryPrimary(ctx);
  while (ctx.tokens.acceptWord("INTERSECT")) {
    const operator = setDistinct(ctx.tokens, "INTERSECT");
    left = { kind: "SetOperation", at: left.at, operator, left, right: parseQueryPrimary(ctx) };
  }
  return left;
}

function parseQueryPrimary(ctx: ParseContext): Query {
  const { tokens } = ctx;
  if (tokens.isSymbol("(")) {
    tokens.next();
    const query = parseQuery(ctx);
    tokens.expectSymbol(")");
    return query;
  }
  if (tokens.isWord("VALUES")) return parseValues(ctx);
  if (!tokens.isWord("SELECT")) tokens.fail(['"SELECT"', '"VALUES"']);
  return parseSelect(ctx);
}

/** VALUES [ROW] (e, …) {, [ROW] (e, …)} */
function parseValues(ctx: ParseContext): Values {
  const { tokens } = ctx;
  const at = tokens.expectWord("VALUES").at;
  const rows: Expression[][] = [];
  do {
    tokens.acceptWord("ROW");
    tokens.expectSymbol("(");
    const row: Expression[] = [];
    do row.push(parseExpression(ctx));
    while (tokens.acceptSymbol(","));
    tokens.expectSymbol(")");
    if (rows.length > 0 && row.length !== (rows[0] as Expression[]).length) tokens.failAt(`Each row of VALUES must have ${(rows[0] as Expression[]).length} values`, at);
    rows.push(row);
  } while (tokens.acceptSymbol(","));
  return { kind: "Values", at, rows };
}

export function parseSelect(ctx: ParseContext): Select {
  const { tokens } = ctx;
  const at = tokens.expectWord("SELECT").at;
  // STREAM is a keyword only where SELECT STREAM is meant, not a column of that name.
  const stream = tokens.isWord("STREAM") && !tokens.isSymbol(",", 1) && !tokens.isWord("FROM", 1) && (tokens.next(), true);
  let distinct = false;
  if (tokens.acceptWord("DISTINCT")) distinct = true;
  else tokens.acceptWord("ALL");
  const items = parseSelectItems(ctx);
  if (!tokens.isWord("FROM")) tokens.fail(['"FROM"', '","']);
  tokens.next();
  const select: Select = { kind: "Select", at, stream, distinct, items, from: parseFromList(ctx) };
  if (tokens.acceptWord("WHERE")) select.where = parseExpression(ctx);
  parseStagger(ctx, select);
  if (tokens.acceptWord("GROUP")) {
    tokens.expectWord("BY");
    select.groupBy = expressionList(ctx);
  }
  if (tokens.acceptWord("HAVING")) select.having = parseExpression(ctx);
  parseStagger(ctx, select);
  if (tokens.isWord("WINDOW")) select.windows = parseWindowClause(ctx);
  if (tokens.acceptWord("ORDER")) {
    tokens.expectWord("BY");
    select.orderBy = [];
    do {
      const expression = parseExpression(ctx);
      const descending = tokens.acceptWord("DESC") ? true : (tokens.acceptWord("ASC"), false);
      select.orderBy.push({ expression, descending });
    } while (tokens.acceptSymbol(","));
  }
  if (tokens.acceptWord("LIMIT")) {
    const token = tokens.peek();
    if (token.kind !== "number" || !/^\d+$/.test(token.value)) tokens.fail(["an unsigned integer"]);
    select.limit = Number(tokens.next().value);
  }
  return select;
}

/** WINDOWED BY STAGGER (PARTITION BY … RANGE INTERVAL …), before or after GROUP BY. */
function parseStagger(ctx: ParseContext, select: Select): void {
  const { tokens } = ctx;
  if (!tokens.isWord("WINDOWED")) return;
  const at = tokens.next().at;
  if (select.stagger !== undefined) tokens.failAt("Only one WINDOWED BY clause is allowed", at);
  tokens.expectWord("BY");
  tokens.expectWord("STAGGER");
  tokens.expectSymbol("(");
  tokens.expectWord("PARTITION");
  tokens.expectWord("BY");
  const partitionBy = expressionList(ctx);
  tokens.expectWord("RANGE");
  const range = parseExpression(ctx);
  tokens.expectSymbol(")");
  select.stagger = { partitionBy, range, at };
}

function parseWindowClause(ctx: ParseContext): NonNullable<Select["windows"]> {
  const { tokens } = ctx;
  tokens.expectWord("WINDOW");
  const windows: NonNullable<Select["windows"]> = [];
  do {
    const at = tokens.position;
    const name = tokens.identifier("a window name");
    tokens.expectWord("AS");
    windows.push({ name, spec: parseWindowSpec(ctx), at });
  } while (tokens.acceptSymbol(","));
  return windows;
}

function parseSelectItems(ctx: ParseContext): SelectItem[] {
  const { tokens } = ctx;
  const items: SelectItem[] = [];
  do {
    const at = tokens.position;
    if (tokens.isSymbol("*")) {
      tokens.next();
      items.push({ kind: "Star", at });
    } else if (tokens.isIdentifier() && tokens.isSymbol(".", 1) && tokens.isSymbol("*", 2)) {
      const qualifier = tokens.identifier();
      tokens.next();
      tokens.next();
      items.push({ kind: "Star", at, qualifier });
    } else {
      const expression = parseExpression(ctx);
      const alias = parseAlias(tokens);
      items.push({ kind: "Item", at, expression, ...(alias === undefined ? {} : { alias }) });
    }
  } while (tokens.acceptSymbol(","));
  return items;
}

/** [AS] alias, where an alias without AS must be a quoted or unreserved name. */
function parseAlias(tokens: TokenStream): string | undefined {
  if (tokens.acceptWord("AS")) return tokens.identifier("an alias");
  if (tokens.isIdentifier()) return tokens.identifier();
  return undefined;
}

/** FROM a, b JOIN c ON …: commas are cross joins, left to right. */
function parseFromList(ctx: ParseContext): FromItem {
  let left = parseJoined(ctx);
  while (ctx.tokens.acceptSymbol(",")) {
    const right = parseJoined(ctx);
    left = { kind: "Join", at: left.at, joinType: "CROSS", left, right };
  }
  return left;
}

function parseJoined(ctx: ParseContext): FromItem {
  const { tokens } = ctx;
  let left = parseFromPrimary(ctx);
  for (;;) {
    // The reference's FROM clause: CROSS JOIN | NATURAL <join-type> JOIN | <join-type> JOIN [USING (…) | ON …].
    const natural = tokens.acceptWord("NATURAL");
    const joinType = parseJoinType(tokens);
    if (joinType === undefined) {
      if (natural) tokens.fail(['"JOIN"', '"INNER"', '"LEFT"', '"RIGHT"', '"FULL"']);
      return left;
    }
    if (natural && joinType === "CROSS") tokens.failAt("NATURAL CROSS JOIN is not allowed", tokens.previous().at);
    const right = parseFromPrimary(ctx);
    const join: Join = { kind: "Join", at: left.at, joinType, left, right, ...(natural ? { natural } : {}) };
    if (joinType !== "CROSS" && !natural) {
      const using = tokens.peek();
      if (tokens.acceptWord("USING")) {
        tokens.expectSymbol("(");
        const names: string[] = [];
        do names.push(tokens.identifier("a column name"));
        while (tokens.acceptSymbol(","));
        tokens.expectSymbol(")");
        join.using = { names, at: using.at };
      } else {
        tokens.expectWord("ON");
        join.on = parseExpression(ctx);
      }
    }
    left = join;
  }
}

function parseJoinType(tokens: TokenStream): Join["joinType"] | undefined {
  if (tokens.acceptWord("JOIN")) return "INNER";
  if (tokens.acceptWord("INNER")) return (tokens.expectWord("JOIN"), "INNER");
  if (tokens.acceptWord("CROSS")) return (tokens.expectWord("JOIN"), "CROSS");
  for (const side of ["LEFT", "RIGHT", "FULL"] as const) {
    if (tokens.acceptWord(side)) {
      tokens.acceptWord("OUTER");
      tokens.expectWord("JOIN");
      return side;
    }
  }
  return undefined;
}

function parseFromPrimary(ctx: ParseContext): FromItem {
  const { tokens } = ctx;
  const at = tokens.position;
  if (tokens.isWord("TABLE") && tokens.isSymbol("(", 1)) return parseTableFunction(ctx, at);
  if (tokens.isSymbol("(")) {
    if (isQueryStart(tokens, 1)) {
      tokens.next();
      const query = parseQuery(ctx);
      tokens.expectSymbol(")");
      const subquery: SubqueryRef = { kind: "SubqueryRef", at, query };
      return withWindowAndAlias(ctx, subquery);
    }
    tokens.next();
    const inner = parseFromList(ctx);
    tokens.expectSymbol(")");
    return inner;
  }
  const name = tokens.identifier("a stream or table name");
  const stream: StreamRef = { kind: "StreamRef", at, name };
  return withWindowAndAlias(ctx, stream);
}

/** `OVER (…)` and `[AS] alias [(columns)]`, in either order (the reference writes `s OVER (…) AS t`). */
function withWindowAndAlias<T extends StreamRef | SubqueryRef>(ctx: ParseContext, item: T): T {
  const { tokens } = ctx;
  if (tokens.acceptWord("OVER")) item.window = parseWindowReference(ctx);
  const alias = parseAlias(tokens);
  if (alias !== undefined) {
    item.alias = alias;
    if (tokens.isSymbol("(")) renameColumns(ctx, item);
  }
  if (item.window === undefined && tokens.acceptWord("OVER")) item.window = parseWindowReference(ctx);
  return item;
}

/**
 * `(SELECT STREAM W3C_LOG_PARSE(…) FROM s) AS l(r)` (the developer guide's W3C example): the column
 * list names the subquery's columns, so it becomes the aliases of the select items (of the leftmost
 * SELECT of a set operation, which names a union's columns).
 */
function renameColumns(ctx: ParseContext, item: StreamRef | SubqueryRef): void {
  const { tokens } = ctx;
  const open = tokens.expectSymbol("(");
  const names: string[] = [];
  do names.push(tokens.identifier("a column name"));
  while (tokens.acceptSymbol(","));
  tokens.expectSymbol(")");
  if (item.kind !== "SubqueryRef") return tokens.failAt("A column list after an alias is only supported for a subquery", open.at);
  let select: Query = item.query;
  while (select.kind === "SetOperation") select = select.left;
  if (select.kind === "Values") {
    const width = (select.rows[0] ?? []).length;
    if (width !== names.length) tokens.failAt(`The column list names ${names.length} columns but VALUES has ${width}`, open.at);
    select.columnNames = names;
    return;
  }
  if (select.items.some((selectItem) => selectItem.kind === "Star")) tokens.failAt("A column list needs a subquery whose select list names no *", open.at);
  if (select.items.length !== names.length) tokens.failAt(`The column list names ${names.length} columns but the subquery has ${select.items.length}`, open.at);
  select.items = select.items.map((selectItem, index) => ({ ...selectItem, alias: names[index]! }));
}

/** TABLE(fn(CURSOR(SELECT STREAM …), arg, …)) [AS] alias. */
function parseTableFunction(ctx: ParseContext, at: SourcePosition): FromItem {
  const { tokens } = ctx;
  tokens.next();
  tokens.expectSymbol("(");
  if (!tokens.isIdentifier() || !tokens.isSymbol("(", 1)) tokens.fail(["a table function call such as RANDOM_CUT_FOREST(CURSOR(…))"]);
  const name = tokens.next().value;
  tokens.expectSymbol("(");
  const args: Expression[] = [];
  if (!tokens.isSymbol(")")) {
    do args.push(parseExpression(ctx));
    while (tokens.acceptSymbol(","));
  }
  tokens.expectSymbol(")");
  tokens.expectSymbol(")");
  const alias = parseAlias(tokens);
  return { kind: "TableFunctionRef", at, name, args, ...(alias === undefined ? {} : { alias }) };
}
