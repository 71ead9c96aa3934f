/**
 * The SqlType strings of a schema's RecordColumns ("VARCHAR(4)", "DECIMAL(8,2)", "TIMESTAMP") as
 * the engine's SqlType: the types of the SQL reference's "Data Types" page, case-insensitive,
 * with the synonyms it lists. Undefined for a string that names no type.
 */
import type { SqlType, SqlTypeName } from "../sql/types.js";

const simple: Readonly<Record<string, SqlTypeName>> = {
  BOOLEAN: "BOOLEAN",
  TINYINT: "TINYINT",
  SMALLINT: "SMALLINT",
  INTEGER: "INTEGER",
  INT: "INTEGER",
  BIGINT: "BIGINT",
  REAL: "REAL",
  FLOAT: "DOUBLE",
  DOUBLE: "DOUBLE",
  "DOUBLE PRECISION": "DOUBLE",
  DATE: "DATE",
  TIME: "TIME",
  TIMESTAMP: "TIMESTAMP",
};

const sized: Readonly<Record<string, SqlTypeName>> = {
  VARCHAR: "VARCHAR",
  "CHARACTER VARYING": "VARCHAR",
  "CHAR VARYING": "VARCHAR",
  CHAR: "CHAR",
  CHARACTER: "CHAR",
  VARBINARY: "VARBINARY",
  "BINARY VARYING": "VARBINARY",
  BINARY: "BINARY",
  DECIMAL: "DECIMAL",
  DEC: "DECIMAL",
  NUMERIC: "DECIMAL",
};

/** DECIMAL without a precision; CHAR and BINARY without a length are 1 long. */
const decimalDefault = { precision: 19, scale: 0 };
const lengthMax = 65535;

export function parseColumnType(text: string): SqlType | undefined {
  const match = /^\s*([A-Za-z][A-Za-z ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*$/.exec(text);
  if (match === null) return undefined;
  const name = match[1]!.toUpperCase().replace(/\s+/g, " ");
  const first = match[2] === undefined ? undefined : Number(match[2]);
  const second = match[3] === undefined ? undefined : Number(match[3]);
  const plain = simple[name];
  if (plain !== undefined) {
    if (second !== undefined) return undefined;
    if (first !== undefined && plain !== "TIMESTAMP" && plain !== "TIME") return undefined;
    if (plain === "TIMESTAMP" || plain === "TIME") return { name: plain, precision: first ?? (plain === "TIMESTAMP" ? 3 : 0) };
    return { name: plain };
  }
  const kind = sized[name];
  if (kind === undefined) return undefined;
  if (kind === "DECIMAL") {
    const precision = first ?? decimalDefault.precision;
    const scale = second ?? decimalDefault.scale;
    if (precision < 1 || precision > 38 || scale > precision) return undefined;
    return { name: kind, precision, scale };
  }
  if (second !== undefined) return undefined;
  const length = first ?? ((kind === "CHAR" || kind === "BINARY") ? 1 : undefined);
  if (length === undefined || length < 1 || length > lengthMax) return undefined;
  return { name: kind, precision: length };
}
