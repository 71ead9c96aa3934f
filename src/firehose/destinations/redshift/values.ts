/**
 * A field's value → what PostgreSQL's COPY text format gets for its column, after the COPY
 * options Redshift applies per value: NULL AS, EMPTYASNULL and BLANKSASNULL (character columns),
 * empty fields of other types as NULL (Redshift loads them so), TRIMBLANKS, TIMEFORMAT
 * 'epochsecs'/'epochmillisecs' for timestamp columns, TRUNCATECOLUMNS to the column's declared
 * length (characters here; Redshift counts bytes). Encoding: backslash, newline, carriage return
 * and tab escaped, NULL as \N (PostgreSQL's COPY text format).
 */
import type { CopyPlan } from "./copy-options.js";
import type { FieldValue } from "./rows.js";

export interface ColumnInfo {
  readonly name: string;
  /** information_schema.columns.data_type: "character varying", "integer", "timestamp without time zone"… */
  readonly dataType: string;
  readonly characterLengthMax: number | null;
}

const isCharacter = (column: ColumnInfo): boolean => /char|text/.test(column.dataType);
const isTimestamp = (column: ColumnInfo): boolean => column.dataType.startsWith("timestamp");
const isDate = (column: ColumnInfo): boolean => column.dataType === "date";

export type ValueResult = { ok: true; value: string | null } | { ok: false; message: string };

export function columnValue(raw: FieldValue, column: ColumnInfo, plan: CopyPlan, defaultNull: string | undefined): ValueResult {
  if (raw === null) return { ok: true, value: null };
  let value = raw;
  const nullAs = plan.nullAs ?? defaultNull;
  if (nullAs !== undefined && value === nullAs) return { ok: true, value: null };
  if (plan.trimBlanks && isCharacter(column)) value = value.replace(/ +$/, "");
  if (isCharacter(column)) {
    if (plan.emptyAsNull && value === "") return { ok: true, value: null };
    if (plan.blanksAsNull && value !== "" && value.trim() === "") return { ok: true, value: null };
    if (plan.truncateColumns && column.characterLengthMax !== null && [...value].length > column.characterLengthMax) {
      value = [...value].slice(0, column.characterLengthMax).join("");
    }
    return { ok: true, value };
  }
  if (value.trim() === "") return { ok: true, value: null };
  if ((isTimestamp(column) || isDate(column)) && plan.timeFormat !== "auto" && /^-?\d+(\.\d+)?$/.test(value.trim())) {
    const epochMs = Number(value) * (plan.timeFormat === "epochsecs" ? 1000 : 1);
    const at = new Date(epochMs);
    if (Number.isNaN(at.getTime())) return { ok: false, message: `Invalid timestamp '${value}' for column ${column.name}.` };
    const iso = at.toISOString();
    value = isDate(column) ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 23)}${column.dataType.includes("with time zone") ? "+00" : ""}`;
  }
  return { ok: true, value };
}

/** PostgreSQL COPY text format for one row. */
export function encodeRow(values: readonly (string | null)[]): string {
  return `${values.map((value) => (value === null ? "\\N" : value.replace(/[\\\n\r\t]/g, (char) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[char]!))).join("\t")}\n`;
}
