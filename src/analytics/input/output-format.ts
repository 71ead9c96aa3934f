/**
 * Rows as destinations receive them (an Output's DestinationSchema RecordFormatType): JSON, one
 * object per row with the stream's column names as keys, or CSV, the values joined by commas. One
 * row is one destination record, without a trailing line break (the service writes none).
 * Values print as the service's Java engine prints them: DOUBLE 84.0 and 1.0E-4, REAL as the
 * shortest float text, DECIMAL with its scale's digits, TIMESTAMP "YYYY-MM-DD HH:MM:SS.fff", DATE,
 * TIME, BOOLEAN true/false, binary as base64 (the reference's JSON type for BINARY).
 */
import type { Column, Row, SqlType, SqlValue } from "../sql/types.js";
import { formatDateText, formatTimeText, formatTimestampText } from "./datetime-text.js";

export type OutputFormat = "JSON" | "CSV";

/** Java's Double.toString: 1.0, 84.51, 1.0E-4, 1.0E10. */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes(".") ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** Java's Float.toString: the fewest digits that read back as the same 32-bit float. */
export function formatReal(value: number): string {
  if (!Number.isFinite(value) || value === 0) return formatDouble(value);
  const float = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(float.toPrecision(digits));
    if (Math.fround(candidate) === float) return formatDouble(candidate);
  }
  return formatDouble(float);
}

/** A value's text in a destination record; null for SQL NULL. */
export function valueText(value: SqlValue, type: SqlType): string | null {
  if (value === null) return null;
  switch (type.name) {
    case "DOUBLE":
      return formatDouble(value as number);
    case "REAL":
      return formatReal(value as number);
    case "DECIMAL":
      return (value as number).toFixed(type.scale ?? 0);
    case "TIMESTAMP":
      return formatTimestampText(value as number);
    case "DATE":
      return formatDateText(value as number);
    case "TIME":
      return formatTimeText(value as number);
    case "BOOLEAN":
      return value ? "true" : "false";
    case "BINARY":
    case "VARBINARY":
      return Buffer.from(value as Uint8Array).toString("base64");
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

const jsonNumberTypes = new Set(["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "DECIMAL", "REAL", "DOUBLE"]);

/** A value as JSON text: numbers as the Java engine prints them, timestamps and binary as strings. */
export function jsonText(value: SqlValue, type: SqlType): string {
  if (value === null) return "null";
  if (type.name === "BOOLEAN") return value ? "true" : "false";
  if (type.name === "ROW" && Array.isArray(value)) {
    const fields = type.fields ?? [];
    return `{${fields.map((field, index) => `${JSON.stringify(field.name)}:${jsonText(value[index] ?? null, field.type)}`).join(",")}}`;
  }
  const text = valueText(value, type)!;
  if (jsonNumberTypes.has(type.name) && typeof value === "number" && Number.isFinite(value)) return text;
  return JSON.stringify(text);
}

/** One row as a destination record's text. */
export function formatRow(columns: readonly Column[], row: Row, format: OutputFormat): string {
  if (format === "CSV") return columns.map((column, index) => valueText(row[index] ?? null, column.type) ?? "").join(",");
  return `{${columns.map((column, index) => `${JSON.stringify(column.name)}:${jsonText(row[index] ?? null, column.type)}`).join(",")}}`;
}
