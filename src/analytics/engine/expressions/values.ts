/**
 * Operations on run-time values shared by the operators: ordering and equality within a type
 * family (CHAR compares without its trailing pad, as SQL's PAD SPACE rule says), numbers printed
 * as the service's Java engine prints them, rounding, and the text of a whole row for
 * error_stream's DATA_ROW.
 */
import { isInterval, type SqlType, type SqlValue } from "../../sql/types.js";
import { formatDate, formatInterval, formatTime, formatTimestamp } from "./datetime.js";
import { formatDouble, formatReal } from "../../sql/java-number-text.js";

export { formatDouble, formatReal };

/** Rounds half away from zero to `scale` decimal digits (DECIMAL and integer CAST). */
export function roundHalfAway(value: number, scale = 0): number {
  if (scale === 0) return value < 0 ? -Math.round(-value) : Math.round(value);
  const factor = 10 ** scale;
  const scaled = Math.abs(value) * factor;
  // Correct for binary representation error (1.005 * 100 = 100.49999…).
  const rounded = Math.round(Number(scaled.toPrecision(15)));
  return (value < 0 ? -rounded : rounded) / factor;
}

function trimPad(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 32) end--;
  return end === text.length ? text : text.slice(0, end);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] as number) - (b[i] as number);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Orders two non-null values of one family: negative, zero or positive. `padded` (either side
 * CHAR) compares strings without trailing spaces.
 */
export function compareValues(a: SqlValue, b: SqlValue, padded = false): number {
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") {
    const left = padded ? trimPad(a) : a;
    const right = padded ? trimPad(b) : b;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  if (a !== null && b !== null && isInterval(a) && isInterval(b)) {
    const left = a.ms ?? a.months ?? 0;
    const right = b.ms ?? b.months ?? 0;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
      const x = a[i] as SqlValue;
      const y = b[i] as SqlValue;
      if (x === null || y === null) {
        if (x !== y) return x === null ? -1 : 1;
        continue;
      }
      const diff = compareValues(x, y, padded);
      if (diff !== 0) return diff;
    }
    return a.length - b.length;
  }
  return 0;
}

/** DECIMAL(p, s) → text with exactly s fraction digits. */
export function formatDecimal(value: number, scale: number): string {
  return scale > 0 ? value.toFixed(scale) : String(Math.trunc(value));
}

export function toHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0").toUpperCase();
  return text;
}

/** A value as text in its type's canonical form (what CAST(x AS VARCHAR) gives). */
export function valueText(value: SqlValue, type: SqlType): string {
  if (value === null) return "NULL";
  switch (type.name) {
    case "DOUBLE":
      return formatDouble(value as number);
    case "REAL":
      return formatReal(value as number);
    case "DECIMAL":
      return formatDecimal(value as number, type.scale ?? 0);
    case "TIMESTAMP":
      return formatTimestamp(value as number, type.precision ?? 3);
    case "DATE":
      return formatDate(value as number);
    case "TIME":
      return formatTime(value as number, type.precision ?? 0);
    case "BOOLEAN":
      return value ? "TRUE" : "FALSE";
    case "INTERVAL_DAY_TIME":
    case "INTERVAL_YEAR_MONTH":
      return isInterval(value) ? formatInterval(value, type.qualifier) : String(value);
    case "BINARY":
    case "VARBINARY":
      return value instanceof Uint8Array ? toHex(value) : String(value);
    case "ROW": {
      const fields = type.fields ?? [];
      const values = value as SqlValue[];
      return `{${values.map((field, i) => valueText(field, fields[i]?.type ?? { name: "VARCHAR" })).join(", ")}}`;
    }
    default:
      return String(value);
  }
}

/** The JSON-compatible form of a value (timestamps as their text), for error_stream's DATA_ROW. */
export function jsonValue(value: SqlValue, type: SqlType): unknown {
  if (value === null) return null;
  switch (type.name) {
    case "BOOLEAN":
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT":
    case "DECIMAL":
    case "REAL":
    case "DOUBLE":
    case "CHAR":
    case "VARCHAR":
      return value;
    default:
      return valueText(value, type);
  }
}
