/**
 * Data types and interval qualifiers as written in application code (the reference's "Data Types"):
 * `VARCHAR(12)`, `DECIMAL(19,5)`, `DOUBLE PRECISION`, `TIMESTAMP`, `INTERVAL DAY TO SECOND`, `ROW(a INTEGER, …)`.
 * Also used by the input schema's SqlType strings (`parseSqlType`).
 */
import { tokenize } from "../lexer.js";
import type { TimeUnit } from "../ast.js";
import type { Column, SqlType } from "../types.js";
import { TokenStream } from "./token-stream.js";

/** DECIMAL without precision: the reference's default precision (18) and scale (0). */
export const decimalPrecisionDefault = 18;
/** "A fixed point, with up to 19 significant digits" (Data Types; the reference's CREATE STREAM example uses DECIMAL(19,5)). */
export const decimalPrecisionMax = 19;
/** CHAR(n): n must be > 0 and < 65535 (the reference). */
export const characterLengthMax = 65535;

const intervalUnits = new Set<TimeUnit>(["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"]);
const dayTimeOrder: TimeUnit[] = ["DAY", "HOUR", "MINUTE", "SECOND"];

export interface IntervalQualifier {
  start: TimeUnit;
  end?: TimeUnit;
  precision?: number;
  yearMonth: boolean;
  /** As written, normalised: "DAY", "HOUR TO MINUTE", … */
  text: string;
}

function unsignedInteger(tokens: TokenStream, what: string): number {
  const token = tokens.peek();
  if (token.kind !== "number" || !/^\d+$/.test(token.value)) tokens.fail([what]);
  tokens.next();
  return Number(token.value);
}

/** `(n)` if present. */
function optionalLength(tokens: TokenStream): number | undefined {
  if (!tokens.acceptSymbol("(")) return undefined;
  const length = unsignedInteger(tokens, "an unsigned integer");
  tokens.expectSymbol(")");
  return length;
}

function checkCharacterLength(tokens: TokenStream, length: number, at: TokenStream["position"]): void {
  if (length <= 0 || length >= characterLengthMax) tokens.failAt(`Length ${length} out of range: it must be greater than 0 and less than ${characterLengthMax}`, at);
}

/** Reads a data type at the cursor. */
export function parseDataType(tokens: TokenStream): SqlType {
  const token = tokens.peek();
  if (token.kind !== "word") tokens.fail(["a data type"]);
  const at = token.at;
  tokens.next();
  switch (token.value) {
    case "BOOLEAN":
    case "TINYINT":
    case "SMALLINT":
    case "BIGINT":
    case "REAL":
    case "DATE":
      return { name: token.value };
    case "INTEGER":
    case "INT":
      return { name: "INTEGER" };
    case "DOUBLE":
      tokens.acceptWord("PRECISION");
      return { name: "DOUBLE" };
    case "FLOAT":
      // FLOAT is the approximate type of the standard; the reference's engine maps it to DOUBLE.
      optionalLength(tokens);
      return { name: "DOUBLE" };
    case "DECIMAL":
    case "DEC":
    case "NUMERIC":
      return decimalType(tokens, at);
    case "CHAR":
    case "CHARACTER":
      if (tokens.acceptWord("VARYING")) return varying(tokens, "VARCHAR", at);
      return fixed(tokens, "CHAR", at);
    case "VARCHAR":
      return varying(tokens, "VARCHAR", at);
    case "BINARY":
      if (tokens.acceptWord("VARYING")) return varying(tokens, "VARBINARY", at);
      return fixed(tokens, "BINARY", at);
    case "VARBINARY":
      return varying(tokens, "VARBINARY", at);
    case "TIME":
    case "TIMESTAMP": {
      const precision = optionalLength(tokens);
      if (tokens.acceptWords("WITHOUT", "TIME", "ZONE")) {
        // The only kind there is: the reference's times have no zone.
      }
      return { name: token.value, precision: precision ?? (token.value === "TIMESTAMP" ? 3 : 0) };
    }
    case "INTERVAL": {
      const qualifier = parseIntervalQualifier(tokens);
      return { name: qualifier.yearMonth ? "INTERVAL_YEAR_MONTH" : "INTERVAL_DAY_TIME", qualifier: qualifier.text, ...(qualifier.precision === undefined ? {} : { precision: qualifier.precision }) };
    }
    case "ROW":
      return rowType(tokens);
    default:
      tokens.fail(["a data type"], token);
  }
}

function decimalType(tokens: TokenStream, at: TokenStream["position"]): SqlType {
  let precision = decimalPrecisionDefault;
  let scale = 0;
  if (tokens.acceptSymbol("(")) {
    precision = unsignedInteger(tokens, "a precision");
    if (tokens.acceptSymbol(",")) scale = unsignedInteger(tokens, "a scale");
    tokens.expectSymbol(")");
  }
  if (precision < 1 || precision > decimalPrecisionMax) tokens.failAt(`DECIMAL precision ${precision} out of range: it must be between 1 and ${decimalPrecisionMax}`, at);
  if (scale > precision) tokens.failAt(`DECIMAL scale ${scale} must not exceed its precision ${precision}`, at);
  return { name: "DECIMAL", precision, scale };
}

function fixed(tokens: TokenStream, name: "CHAR" | "BINARY", at: TokenStream["position"]): SqlType {
  const length = optionalLength(tokens) ?? 1;
  checkCharacterLength(tokens, length, at);
  return { name, precision: length };
}

/** VARCHAR / VARBINARY: the length may be left out in a CAST (an unbounded string). */
function varying(tokens: TokenStream, name: "VARCHAR" | "VARBINARY", at: TokenStream["position"]): SqlType {
  const length = optionalLength(tokens);
  if (length === undefined) return { name };
  checkCharacterLength(tokens, length, at);
  return { name, precision: length };
}

function rowType(tokens: TokenStream): SqlType {
  tokens.expectSymbol("(");
  const fields: Column[] = [];
  do {
    const name = tokens.identifier("a field name");
    fields.push({ name, type: parseDataType(tokens) });
  } while (tokens.acceptSymbol(","));
  tokens.expectSymbol(")");
  return { name: "ROW", fields };
}

function timeUnit(tokens: TokenStream): TimeUnit {
  const token = tokens.peek();
  if (token.kind !== "word" || !intervalUnits.has(token.value as TimeUnit)) tokens.fail(["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"].map((unit) => `"${unit}"`));
  tokens.next();
  return token.value as TimeUnit;
}

/** DAY | DAY(3) | HOUR TO MINUTE | SECOND(2, 3) | DAY TO SECOND(3) | YEAR TO MONTH. */
export function parseIntervalQualifier(tokens: TokenStream): IntervalQualifier {
  const startToken = tokens.peek();
  const start = timeUnit(tokens);
  let precision: number | undefined;
  if (tokens.acceptSymbol("(")) {
    precision = unsignedInteger(tokens, "a precision");
    // SECOND(p, f): the fractional precision; milliseconds are all there is, so it is read and kept out.
    if (start === "SECOND" && tokens.acceptSymbol(",")) unsignedInteger(tokens, "a fractional precision");
    tokens.expectSymbol(")");
  }
  let end: TimeUnit | undefined;
  if (tokens.acceptWord("TO")) {
    const endToken = tokens.peek();
    end = timeUnit(tokens);
    if (end === "SECOND") optionalLength(tokens);
    const yearMonthRange = start === "YEAR" && end === "MONTH";
    const dayTimeRange = dayTimeOrder.indexOf(start) >= 0 && dayTimeOrder.indexOf(end) > dayTimeOrder.indexOf(start);
    if (!yearMonthRange && !dayTimeRange) tokens.failAt(`Illegal interval qualifier ${start} TO ${end}`, endToken.at);
  }
  const yearMonth = start === "YEAR" || start === "MONTH";
  if (precision !== undefined && (precision < 1 || precision > 10)) tokens.failAt(`Interval leading field precision ${precision} out of range: it must be between 1 and 10`, startToken.at);
  return { start, ...(end === undefined ? {} : { end }), ...(precision === undefined ? {} : { precision }), yearMonth, text: end === undefined ? start : `${start} TO ${end}` };
}

/**
 * A SqlType from its text, as an input schema's RecordColumn.SqlType gives it ("VARCHAR(8)",
 * "DECIMAL(10,2)", "TIMESTAMP"). Throws SqlCompileError (positions within the text).
 */
export function parseSqlType(text: string): SqlType {
  const tokens = new TokenStream(tokenize(text));
  const type = parseDataType(tokens);
  if (tokens.acceptWord("NOT")) {
    tokens.expectWord("NULL");
    if (!tokens.isEnd()) tokens.fail(["<EOF>"]);
    return { ...type, nullable: false };
  }
  if (!tokens.isEnd()) tokens.fail(["<EOF>"]);
  return type;
}
