/**
 * The syntax tree of Kinesis Data Analytics SQL application code, as the parser (parser.ts)
 * produces it and the planner consumes it. Identifiers are already case-resolved: unquoted ones
 * upper-cased, quoted ones verbatim (`"ticker_symbol"`). Every node carries `at`, the position of
 * its first token, so semantic errors name a line and column.
 *
 * Special syntax is normalised into ordinary calls so the function library sees one shape:
 *   FLOOR(x TO MINUTE) → Call FLOOR [x, Symbol MINUTE];   CEIL likewise
 *   STEP(x BY INTERVAL '1' MINUTE) → Call STEP [x, interval]
 *   EXTRACT(HOUR FROM x) → Call EXTRACT [Symbol HOUR, x]
 *   POSITION(a IN b) → Call POSITION [a, b];   POSITION(a IN b FROM n) → [a, b, n]
 *   SUBSTRING(s FROM a FOR b) → Call SUBSTRING [s, a, b] (also SUBSTRING(s, a, b))
 *   EXISTS (query) → Call EXISTS [ScalarSubquery]
 *   TRIM([BOTH|LEADING|TRAILING] [c] FROM s) → Call TRIM [Symbol side, c or '' ' literal, s]
 *   OVERLAY(s PLACING r FROM a [FOR b]) → Call OVERLAY [s, r, a, b?]
 *   CURRENT_ROW_TIMESTAMP, LOCALTIMESTAMP, CURRENT_TIMESTAMP, CURRENT_DATE, ... (no parentheses) → Call with no args
 *   x IS [NOT] NULL / TRUE / FALSE / UNKNOWN, x [NOT] BETWEEN a AND b, x [NOT] IN (...), x [NOT] LIKE p [ESCAPE e],
 *   x [NOT] SIMILAR TO p → their own nodes below.
 */
import type { SourcePosition, SqlType } from "./types.js";

export type Statement = CreateStream | CreatePump | Select;

export interface Program {
  statements: Statement[];
}

/** CREATE [OR REPLACE] STREAM name (col type [NOT NULL], ...) [DESCRIPTION '...'] */
export interface CreateStream {
  kind: "CreateStream";
  at: SourcePosition;
  orReplace: boolean;
  name: string;
  columns: { name: string; type: SqlType; at: SourcePosition }[];
}

/** CREATE [OR REPLACE] PUMP name [STARTED|STOPPED] AS INSERT INTO stream [(cols)] query */
export interface CreatePump {
  kind: "CreatePump";
  at: SourcePosition;
  orReplace: boolean;
  name: string;
  target: string;
  targetColumns?: string[];
  query: Query;
}

export type Query = Select | SetOperation | Values;

/** VALUES [ROW] (e, …), … — a relation of constant rows (the reference's Query grammar). */
export interface Values {
  kind: "Values";
  at: SourcePosition;
  rows: Expression[][];
  /** Column names given by `AS t(a, b)` around it (EXPR$0, EXPR$1, … otherwise). */
  columnNames?: string[];
}

/** UNION ALL of streams (merged by ROWTIME). */
export interface SetOperation {
  kind: "SetOperation";
  at: SourcePosition;
  operator: "UNION ALL" | "UNION" | "INTERSECT" | "EXCEPT";
  left: Query;
  right: Query;
}

export interface Select {
  kind: "Select";
  at: SourcePosition;
  /** SELECT STREAM (a streaming query) or plain SELECT (a relation: reference tables, subqueries). */
  stream: boolean;
  distinct: boolean;
  items: SelectItem[];
  from: FromItem;
  where?: Expression;
  groupBy?: Expression[];
  having?: Expression;
  /** WINDOW name AS (spec), ... */
  windows?: { name: string; spec: WindowSpec; at: SourcePosition }[];
  /** WINDOWED BY STAGGER (PARTITION BY ... RANGE INTERVAL ...) */
  stagger?: { partitionBy: Expression[]; range: Expression; at: SourcePosition };
  orderBy?: { expression: Expression; descending: boolean }[];
  limit?: number;
}

export type SelectItem =
  | { kind: "Star"; at: SourcePosition; qualifier?: string }
  | { kind: "Item"; at: SourcePosition; expression: Expression; alias?: string };

export type FromItem = StreamRef | SubqueryRef | TableFunctionRef | Join;

/** A named stream or table, optionally with a window (s OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS a). */
export interface StreamRef {
  kind: "StreamRef";
  at: SourcePosition;
  name: string;
  alias?: string;
  window?: WindowSpec;
}

export interface SubqueryRef {
  kind: "SubqueryRef";
  at: SourcePosition;
  query: Query;
  alias?: string;
  window?: WindowSpec;
}

/**
 * TABLE(fn(CURSOR(SELECT STREAM ...), arg, ...)) [AS alias] — RANDOM_CUT_FOREST, HOTSPOTS,
 * TOP_K_ITEMS_TUMBLING, COUNT_DISTINCT_ITEMS_TUMBLING, …
 */
export interface TableFunctionRef {
  kind: "TableFunctionRef";
  at: SourcePosition;
  name: string;
  /** Arguments in order; CURSOR(...) arguments are `Cursor` expressions. */
  args: Expression[];
  alias?: string;
}

export interface Join {
  kind: "Join";
  at: SourcePosition;
  joinType: "INNER" | "LEFT" | "RIGHT" | "FULL" | "CROSS";
  left: FromItem;
  right: FromItem;
  on?: Expression;
  /** JOIN … USING (a, b): the planner turns it into ON left.a = right.a AND left.b = right.b. */
  using?: { names: string[]; at: SourcePosition };
  /** NATURAL JOIN: USING every column name the two sides share. */
  natural?: boolean;
}

export interface WindowSpec {
  at: SourcePosition;
  /** WINDOW w AS (...) referenced by name, possibly refined. */
  base?: string;
  partitionBy?: Expression[];
  orderBy?: Expression[];
  /** RANGE INTERVAL '1' MINUTE PRECEDING | ROWS 10 PRECEDING | RANGE/ROWS CURRENT ROW. */
  frame?: { unit: "RANGE" | "ROWS"; preceding: Expression | "UNBOUNDED" | "CURRENT ROW" };
}

export type Expression =
  | Literal
  | IntervalLiteral
  | ColumnRef
  | Star
  | Call
  | Cast
  | Unary
  | Binary
  | Case
  | IsTest
  | Between
  | InList
  | Like
  | Cursor
  | RowConstructor
  | ScalarSubquery
  | Symbol
  | FieldAccess;

export interface Literal {
  kind: "Literal";
  at: SourcePosition;
  /** string for character literals (and TIMESTAMP/DATE/TIME '...' typed literals, parsed by the planner), number, boolean, null. */
  value: string | number | boolean | null;
  /** For typed literals and exact numerics: the literal's type (DECIMAL(p,s) for 1.50, INTEGER/BIGINT for 12, DOUBLE for 1e3, TIMESTAMP for TIMESTAMP '...', VARBINARY for X'..'). */
  type: SqlType;
}

/** INTERVAL '1' MINUTE, INTERVAL '1:30' HOUR TO MINUTE, INTERVAL -'5' DAY. */
export interface IntervalLiteral {
  kind: "IntervalLiteral";
  at: SourcePosition;
  text: string;
  negative: boolean;
  /** The leading field, e.g. "HOUR". */
  start: TimeUnit;
  /** The trailing field of a range qualifier (HOUR TO MINUTE), if any. */
  end?: TimeUnit;
  /** The leading field's precision, INTERVAL '100' DAY(3). */
  precision?: number;
}

export type TimeUnit = "YEAR" | "MONTH" | "DAY" | "HOUR" | "MINUTE" | "SECOND" | "MILLISECOND" | "WEEK" | "QUARTER";

/** a, s.a, "s"."a", s.ROWTIME, t.r.COLUMN1 (qualifiers then name). */
export interface ColumnRef {
  kind: "ColumnRef";
  at: SourcePosition;
  qualifier?: string;
  name: string;
}

/** COUNT(*)'s argument. */
export interface Star {
  kind: "Star";
  at: SourcePosition;
}

/** A function call: scalar, aggregate (COUNT(DISTINCT x)), or analytic with OVER. Name upper-cased unless quoted. */
export interface Call {
  kind: "Call";
  at: SourcePosition;
  name: string;
  args: Expression[];
  distinct?: boolean;
  /** f(...) OVER w | OVER (spec) */
  over?: WindowSpec;
  /** IGNORE NULLS / RESPECT NULLS (LAG, FIRST_VALUE, ...). */
  nulls?: "IGNORE" | "RESPECT";
  /**
   * Written with keywords (SUBSTRING(s FROM a FOR b)) rather than commas (SUBSTRING(s, a, b)):
   * the reference's examples give the two spellings different results past the end of the string.
   */
  keywordSyntax?: boolean;
}

export interface Cast {
  kind: "Cast";
  at: SourcePosition;
  expression: Expression;
  type: SqlType;
}

export interface Unary {
  kind: "Unary";
  at: SourcePosition;
  operator: "-" | "+" | "NOT";
  operand: Expression;
}

export interface Binary {
  kind: "Binary";
  at: SourcePosition;
  operator: "+" | "-" | "*" | "/" | "%" | "||" | "=" | "<>" | "<" | "<=" | ">" | ">=" | "AND" | "OR";
  left: Expression;
  right: Expression;
}

/** CASE [operand] WHEN ... THEN ... [ELSE ...] END */
export interface Case {
  kind: "Case";
  at: SourcePosition;
  operand?: Expression;
  whens: { when: Expression; then: Expression }[];
  else?: Expression;
}

export interface IsTest {
  kind: "IsTest";
  at: SourcePosition;
  expression: Expression;
  test: "NULL" | "TRUE" | "FALSE" | "UNKNOWN";
  negated: boolean;
}

export interface Between {
  kind: "Between";
  at: SourcePosition;
  expression: Expression;
  low: Expression;
  high: Expression;
  negated: boolean;
  symmetric: boolean;
}

export interface InList {
  kind: "InList";
  at: SourcePosition;
  expression: Expression;
  list: Expression[];
  negated: boolean;
}

export interface Like {
  kind: "Like";
  at: SourcePosition;
  operator: "LIKE" | "SIMILAR TO";
  expression: Expression;
  pattern: Expression;
  escape?: Expression;
  negated: boolean;
}

/** CURSOR(SELECT STREAM ...): a table function's input. */
export interface Cursor {
  kind: "Cursor";
  at: SourcePosition;
  query: Query;
}

/** ROW(a, b) or (a, b). */
export interface RowConstructor {
  kind: "RowConstructor";
  at: SourcePosition;
  values: Expression[];
}

export interface ScalarSubquery {
  kind: "ScalarSubquery";
  at: SourcePosition;
  query: Query;
}

/** A keyword argument: a time unit, a TRIM side (BOTH/LEADING/TRAILING), DESCRIPTOR-like markers. */
export interface Symbol {
  kind: "Symbol";
  at: SourcePosition;
  name: string;
}

/** (expr).field — a field of a ROW value, e.g. (t.r).COLUMN1 when not a plain qualified name. */
export interface FieldAccess {
  kind: "FieldAccess";
  at: SourcePosition;
  expression: Expression;
  field: string;
}
