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
import { formatDouble, formatReal } from "../sql/java-number-text.js";

export { formatDouble, formatReal };

export type OutputFormat = "JSON" | "CSV";

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
