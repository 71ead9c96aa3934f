/**
 * The row errors scalar functions raise (the row goes to error_stream with ERROR_NAME, a VARCHAR(32)).
 * Names follow the SQL:2008 data-exception conditions the reference's functions correspond to.
 */
import { SqlRuntimeError } from "../../types.js";

export const errorNames = {
  /** A parse of a date, time or timestamp string failed (CHAR_TO_TIMESTAMP, a parser's TIMESTAMP column). */
  datetimeFormat: "Invalid datetime format",
  /** A string could not be converted to a column's type (the log parsers' typed columns). */
  characterValue: "Invalid character value for cast",
  /** An argument outside the function's domain (LN(0), POWER(0, -1), a bad TRIM character). */
  invalidArgument: "Invalid argument",
  /** SUBSTRING or OVERLAY with a negative length. */
  substring: "Substring error",
  divideByZero: "Division by zero",
  /** A regular expression that does not compile (a non-constant pattern). */
  invalidRegex: "Invalid regular expression",
  /** FAST_REGEX_LOG_PARSE found no match (the reference: no fields at all). */
  noMatch: "No match",
  overflow: "Numeric value out of range",
  nullValue: "Null value not allowed",
} as const;

export function rowError(name: string, message: string): SqlRuntimeError {
  return new SqlRuntimeError(name, message);
}
