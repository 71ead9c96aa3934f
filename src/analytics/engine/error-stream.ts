/**
 * error_stream, the in-application stream every application has for the rows it could not
 * process (developer guide "Error Handling", "Example: Exploring the In-Application Error
 * Stream"): records that do not fit the input schema, rows whose evaluation failed in a pump
 * (division by zero, a bad CAST), rows out of ROWTIME order. Application code cannot read it.
 *
 *   ERROR_TIME    TIMESTAMP        when the error occurred (the injected clock)
 *   ERROR_LEVEL   VARCHAR(10)      "WARNING" (the row is dropped, the application keeps running)
 *   ERROR_NAME    VARCHAR(32)      e.g. "Coercion error", "Divide by zero"
 *   MESSAGE       VARCHAR(4096)    e.g. `For input string: "a"`
 *   DATA_ROWTIME  TIMESTAMP        the ROWTIME of the row or record in error
 *   DATA_ROW      VARCHAR(49152)   hex of the data: the record's bytes for an input error; for a
 *                                  pump's row, the JSON array of its values (timestamps as text)
 *   PUMP_NAME     VARCHAR(128)     the pump; the text "null" for input errors, as the service writes it
 *
 * The row's own ROWTIME in error_stream is its DATA_ROWTIME, so replays are deterministic.
 */
import { isInterval, sqlTypes, type Column, type Row, type SqlValue } from "../sql/types.js";
import { formatTimestamp } from "./expressions/datetime.js";
import { toHex } from "./expressions/values.js";

export const errorStreamColumns: readonly Column[] = [
  { name: "ERROR_TIME", type: sqlTypes.timestamp },
  { name: "ERROR_LEVEL", type: sqlTypes.varchar(10) },
  { name: "ERROR_NAME", type: sqlTypes.varchar(32) },
  { name: "MESSAGE", type: sqlTypes.varchar(4096) },
  { name: "DATA_ROWTIME", type: sqlTypes.timestamp },
  { name: "DATA_ROW", type: sqlTypes.varchar(49152) },
  { name: "PUMP_NAME", type: sqlTypes.varchar(128) },
];

export const errorLevel = "WARNING";
/** PUMP_NAME of errors raised before any pump (input records), as the service fills it. */
export const noPumpName = "null";
export const outOfOrderErrorName = "Rowtime out of order";
export const internalErrorName = "Internal error";

const messageLengthMax = 4096;
const nameLengthMax = 32;
const dataRowLengthMax = 49152;

export interface ErrorDetails {
  errorTimeMs: number;
  name: string;
  message: string;
  dataRowtimeMs: number;
  /** The data in error, hex-encoded by errorRow. */
  data: Uint8Array;
  pumpName?: string;
}

function cut(text: string, length: number): string {
  return text.length <= length ? text : text.slice(0, length);
}

export function errorRow(details: ErrorDetails): Row {
  return [
    details.errorTimeMs,
    errorLevel,
    cut(details.name, nameLengthMax),
    cut(details.message, messageLengthMax),
    details.dataRowtimeMs,
    cut(toHex(details.data), dataRowLengthMax),
    details.pumpName ?? noPumpName,
  ];
}

function jsonOf(value: SqlValue): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(jsonOf);
  if (isInterval(value)) return value.ms ?? value.months ?? 0;
  return null;
}

const encoder = new TextEncoder();

/** DATA_ROW's bytes for a row in a pump: the JSON array of its values. */
export function rowData(row: Row): Uint8Array {
  return encoder.encode(JSON.stringify(row.map(jsonOf)));
}

/** The error_stream row of an input record that could not become a row (the input owner's coercion errors). */
export function inputErrorRow(record: Uint8Array, rowtimeMs: number, name: string, message: string, nowMs: number): Row {
  return errorRow({ errorTimeMs: nowMs, name, message, dataRowtimeMs: rowtimeMs, data: record });
}

/** Text of an error_stream row for logs and tests: `ERROR_NAME: MESSAGE at DATA_ROWTIME`. */
export function describeErrorRow(row: Row): string {
  return `${String(row[2])}: ${String(row[3])} at ${formatTimestamp(row[4] as number)}`;
}
