/**
 * The SQL data model of Kinesis Data Analytics SQL applications (the Amazon Kinesis Data Analytics
 * SQL Reference, "Data Types"): static types the planner assigns to every expression and the
 * JavaScript values rows carry at run time. Pure: no I/O. The contract between the parser, the
 * planner/executor, the function library and the runtime (docs/analytics.md).
 *
 * Run-time values (`SqlValue`), chosen for speed at 200,000 rows/s over fidelity nobody observes:
 * - NULL → `null` (never `undefined`).
 * - BOOLEAN → boolean.
 * - TINYINT, SMALLINT, INTEGER, BIGINT → number (integral; BIGINT beyond 2^53 loses precision —
 *   documented). Integer arithmetic truncates toward zero and checks its type's range
 *   (`SqlRuntimeError` "overflow" → error_stream).
 * - DECIMAL(p, s) → number, rounded to `s` digits by CAST and by arithmetic results typed DECIMAL.
 * - REAL, DOUBLE → number.
 * - CHAR(n), VARCHAR(n) → string (CHAR padded with spaces to n by CAST, as the reference says).
 * - VARBINARY(n), BINARY(n) → Uint8Array.
 * - TIMESTAMP → number: milliseconds since the epoch, UTC (ROWTIME's precision is milliseconds).
 * - DATE → number: epoch milliseconds at midnight UTC of that day.
 * - TIME → number: milliseconds since midnight.
 * - INTERVAL day-time → `SqlInterval` with `ms`; INTERVAL year-month → `SqlInterval` with `months`.
 * - ROW (log parsers' results) → `SqlValue[]` in the ROW type's field order.
 */

export type SqlTypeName =
  | "BOOLEAN"
  | "TINYINT"
  | "SMALLINT"
  | "INTEGER"
  | "BIGINT"
  | "DECIMAL"
  | "REAL"
  | "DOUBLE"
  | "CHAR"
  | "VARCHAR"
  | "BINARY"
  | "VARBINARY"
  | "DATE"
  | "TIME"
  | "TIMESTAMP"
  | "INTERVAL_DAY_TIME"
  | "INTERVAL_YEAR_MONTH"
  | "ROW"
  /** The type of a bare NULL literal before context gives it one. */
  | "NULL"
  /** A non-value argument: a time unit (FLOOR(ts TO MINUTE)), a TRIM side, a format keyword. */
  | "SYMBOL";

export interface SqlType {
  name: SqlTypeName;
  /** CHAR/VARCHAR/BINARY/VARBINARY length, DECIMAL precision, TIMESTAMP/TIME fractional precision. */
  precision?: number;
  /** DECIMAL scale. */
  scale?: number;
  /** Whether the value may be null (false for NOT NULL columns and non-null literals). Advisory. */
  nullable?: boolean;
  /** ROW fields, in order. */
  fields?: readonly Column[];
  /** INTERVAL qualifier as written (e.g. "DAY TO SECOND", "MINUTE"), for printing. */
  qualifier?: string;
}

export interface Column {
  /** Case as resolved: unquoted identifiers upper-cased, quoted ones verbatim. */
  name: string;
  type: SqlType;
}

export interface SqlInterval {
  readonly kind: "interval";
  /** Day-time intervals: a signed number of milliseconds. */
  readonly ms?: number;
  /** Year-month intervals: a signed number of months. */
  readonly months?: number;
}

export type SqlValue = null | boolean | number | string | Uint8Array | SqlInterval | SqlValue[];

/** One row of an in-application stream: values in its columns' order (ROWTIME travels beside it). */
export type Row = SqlValue[];

/** A position in application code (1-based). */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * A compile-time error in application code: a syntax error or a semantic one (unknown column,
 * function not implemented, type mismatch). The API answers it as the service does and names the
 * line and column.
 */
export class SqlCompileError extends Error {
  override name = "SqlCompileError";
  constructor(
    message: string,
    readonly position: SourcePosition | undefined,
  ) {
    super(message);
  }
}

/**
 * A run-time error evaluating one row (divide by zero, a bad cast, a parse failure): that row goes
 * to error_stream with `errorName` (the reference's names, e.g. "Divide by zero" / SQL states) and
 * the application keeps running.
 */
export class SqlRuntimeError extends Error {
  override name = "SqlRuntimeError";
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

export const sqlTypes = {
  boolean: { name: "BOOLEAN" } as SqlType,
  integer: { name: "INTEGER" } as SqlType,
  bigint: { name: "BIGINT" } as SqlType,
  double: { name: "DOUBLE" } as SqlType,
  real: { name: "REAL" } as SqlType,
  timestamp: { name: "TIMESTAMP", precision: 3 } as SqlType,
  date: { name: "DATE" } as SqlType,
  varchar: (length: number): SqlType => ({ name: "VARCHAR", precision: length }),
  char: (length: number): SqlType => ({ name: "CHAR", precision: length }),
  decimal: (precision: number, scale: number): SqlType => ({ name: "DECIMAL", precision, scale }),
  null: { name: "NULL" } as SqlType,
  symbol: { name: "SYMBOL" } as SqlType,
} as const;

export function isInterval(value: SqlValue): value is SqlInterval {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A type as the service prints it in messages: INTEGER, VARCHAR(4), DECIMAL(10, 2), TIMESTAMP(3). */
export function typeText(type: SqlType): string {
  switch (type.name) {
    case "CHAR":
    case "VARCHAR":
    case "BINARY":
    case "VARBINARY":
      return type.precision === undefined ? type.name : `${type.name}(${type.precision})`;
    case "DECIMAL":
      return `DECIMAL(${type.precision ?? 19}, ${type.scale ?? 0})`;
    case "TIMESTAMP":
    case "TIME":
      return type.precision === undefined ? type.name : `${type.name}(${type.precision})`;
    case "INTERVAL_DAY_TIME":
    case "INTERVAL_YEAR_MONTH":
      return `INTERVAL ${type.qualifier ?? (type.name === "INTERVAL_DAY_TIME" ? "DAY TO SECOND" : "YEAR TO MONTH")}`;
    case "ROW":
      return `RecordType(${(type.fields ?? []).map((field) => `${typeText(field.type)} ${field.name}`).join(", ")})`;
    default:
      return type.name;
  }
}
