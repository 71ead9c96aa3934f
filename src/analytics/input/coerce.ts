/**
 * Source values → SQL values of an input column, by the developer guide's "Mapping JSON Data Types
 * to SQL Data Types": null is NULL for every type; booleans become 1/0, a one-byte binary, TRUE/FALSE
 * or 'true'/'false'; numbers convert directly unless they don't fit (123.4 to INT fails), become a
 * string, or TRUE unless 0; strings are parsed for the target type (X'..' for binary, "true" in any
 * case for BOOLEAN, "1992-02-14 18:35:44.0" for datetimes) and truncated for CHAR/VARCHAR without an
 * error; arrays and objects become their JSON text in character columns. Anything else is a coercion
 * error: the record goes to error_stream. CSV fields follow the string rules.
 */
import type { SqlType, SqlValue } from "../sql/types.js";
import { parseDateText, parseTimeText, parseTimestampText } from "./datetime-text.js";

/** Why a value could not become the column's type: the record goes to error_stream. */
export class CoercionError extends Error {
  override name = "CoercionError";
}

export type Coercer = (value: unknown) => SqlValue;

const integerRanges: Record<string, readonly [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
  BIGINT: [Number.MIN_SAFE_INTEGER * 1024, Number.MAX_SAFE_INTEGER * 1024],
};

const javaDouble = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?$/;
const javaDecimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Java's NumberFormatException text, which the service's engine reports. */
function notANumber(text: string): CoercionError {
  return new CoercionError(`For input string: "${text}"`);
}

function describeJson(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

function cannot(value: unknown, type: SqlType): CoercionError {
  const text = typeof value === "string" ? `"${value}"` : typeof value === "object" ? JSON.stringify(value) : String(value);
  return new CoercionError(`Cannot coerce JSON ${describeJson(value)} ${text} to ${typeName(type)}`);
}

export function typeName(type: SqlType): string {
  if (type.name === "DECIMAL") return `DECIMAL(${type.precision},${type.scale ?? 0})`;
  if (type.precision !== undefined && ["CHAR", "VARCHAR", "BINARY", "VARBINARY"].includes(type.name)) return `${type.name}(${type.precision})`;
  return type.name;
}

function checkInteger(value: number, type: SqlType, original: unknown): number {
  const range = integerRanges[type.name]!;
  if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
    throw new CoercionError(`Value ${typeof original === "string" ? `"${original}"` : String(original)} does not fit ${typeName(type)}`);
  }
  return value === 0 ? 0 : value;
}

/** DECIMAL(p, s): the value must fit p - s whole digits and s fraction digits. */
function checkDecimal(value: number, type: SqlType, original: unknown): number {
  const precision = type.precision ?? 18;
  const scale = type.scale ?? 0;
  const whole = Math.trunc(Math.abs(value));
  const wholeDigits = whole === 0 ? 0 : String(whole).length;
  if (!Number.isFinite(value) || whole >= 1e21 || wholeDigits > precision - scale || fractionOf(value) > scale) {
    throw new CoercionError(`Value ${typeof original === "string" ? `"${original}"` : String(original)} does not fit ${typeName(type)}`);
  }
  return value === 0 ? 0 : value;
}

/** Fraction digits of a number as JavaScript prints it (84.51 → 2, 1e-7 → 7). */
function fractionOf(value: number): number {
  const text = String(Math.abs(value));
  const exponent = /e([+-]\d+)$/.exec(text);
  const mantissa = exponent === null ? text : text.slice(0, exponent.index);
  const digits = mantissa.includes(".") ? mantissa.length - mantissa.indexOf(".") - 1 : 0;
  return Math.max(0, digits - (exponent === null ? 0 : Number(exponent[1])));
}

function fitText(text: string, type: SqlType): string {
  const length = type.precision;
  const cut = length !== undefined && text.length > length ? text.slice(0, length) : text;
  return type.name === "CHAR" && length !== undefined ? cut.padEnd(length, " ") : cut;
}

function hexBytes(text: string, type: SqlType): Uint8Array {
  const match = /^\s*[xX]'([0-9A-Fa-f]*)'\s*$/.exec(text);
  if (match === null || match[1]!.length % 2 !== 0) throw new CoercionError(`"${text}" is not a binary literal such as X'3F67A23A' for ${typeName(type)}`);
  return fitBytes(Uint8Array.from(Buffer.from(match[1]!, "hex")), type);
}

function fitBytes(bytes: Uint8Array, type: SqlType): Uint8Array {
  const length = type.precision;
  if (length === undefined) return bytes;
  if (bytes.length > length) throw new CoercionError(`Binary value of ${bytes.length} bytes does not fit ${typeName(type)}`);
  if (type.name !== "BINARY" || bytes.length === length) return bytes;
  const padded = new Uint8Array(length);
  padded.set(bytes);
  return padded;
}

function fromBoolean(value: boolean, type: SqlType): SqlValue {
  switch (type.name) {
    case "BOOLEAN":
      return value;
    case "CHAR":
    case "VARCHAR":
      return fitText(String(value), type);
    case "BINARY":
    case "VARBINARY": {
      const length = type.name === "BINARY" ? Math.max(type.precision ?? 1, 1) : 1;
      const bytes = new Uint8Array(length);
      bytes[length - 1] = value ? 1 : 0;
      return bytes;
    }
    case "DATE":
    case "TIME":
    case "TIMESTAMP":
      throw cannot(value, type);
    default:
      return fromNumber(value ? 1 : 0, type);
  }
}

function fromNumber(value: number, type: SqlType, original: unknown = value): SqlValue {
  switch (type.name) {
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT":
      return checkInteger(value, type, original);
    case "DECIMAL":
      return checkDecimal(value, type, original);
    case "REAL":
      return Math.fround(value);
    case "DOUBLE":
      return value;
    case "BOOLEAN":
      return value !== 0;
    case "CHAR":
    case "VARCHAR":
      return fitText(String(value), type);
    default:
      throw cannot(original, type);
  }
}

/** A string for a column: the string rules, also used for every CSV field. */
export function fromText(text: string, type: SqlType): SqlValue {
  switch (type.name) {
    case "CHAR":
    case "VARCHAR":
      return fitText(text, type);
    case "BOOLEAN":
      return text.toLowerCase() === "true";
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT":
      if (!/^[+-]?\d+$/.test(text)) throw notANumber(text);
      return checkInteger(Number(text), type, text);
    case "DECIMAL":
      if (!javaDecimal.test(text)) throw notANumber(text);
      return checkDecimal(Number(text), type, text);
    case "REAL":
    case "DOUBLE": {
      const trimmed = text.trim();
      if (!javaDouble.test(trimmed)) throw notANumber(text);
      const value = Number(trimmed.replace(/[fFdD]$/, ""));
      return type.name === "REAL" ? Math.fround(value) : value;
    }
    case "BINARY":
    case "VARBINARY":
      return hexBytes(text, type);
    case "TIMESTAMP":
      return datetime(parseTimestampText(text), text, type);
    case "DATE":
      return datetime(parseDateText(text), text, type);
    case "TIME":
      return datetime(parseTimeText(text), text, type);
    default:
      throw new CoercionError(`Cannot coerce "${text}" to ${typeName(type)}`);
  }
}

function datetime(ms: number | undefined, text: string, type: SqlType): number {
  if (ms === undefined) throw new CoercionError(`Cannot parse "${text}" as ${type.name}`);
  return ms;
}

/** A JSON value (JSON.parse's result; undefined for a missing element) for a column. */
export function fromJson(value: unknown, type: SqlType): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "boolean") return fromBoolean(value, type);
  if (typeof value === "number") return fromNumber(value, type);
  if (typeof value === "string") return fromText(value, type);
  if (type.name === "CHAR" || type.name === "VARCHAR") return fitText(JSON.stringify(value), type);
  throw cannot(value, type);
}
