/**
 * The column lists the log parsers take as a string constant (VARIABLE_COLUMN_LOG_PARSE,
 * FIXED_COLUMN_LOG_PARSE, REGEX_LOG_PARSE): `name TYPE type [NOT NULL]`, a DATE/TIME/TIMESTAMP
 * type optionally followed by its SimpleDateFormat pattern in quotes ("name" TYPE TIMESTAMP
 * 'dd/MMM/yyyy:HH:mm:ss'), FIXED_COLUMN_LOG_PARSE's `START n [FOR m]`; and turning a field's text
 * into its column's value. Identifiers follow SQL: unquoted ones upper-cased, "quoted" verbatim.
 */
import type { Column, SqlType, SqlValue } from "../../../types.js";
import { compileDateFormat, type CompiledDateFormat } from "../date-format.js";
import { errorNames, rowError } from "../errors.js";
import { parseWithFormat } from "../datetime-functions.js";

export interface ColumnSpec {
  name: string;
  type: SqlType;
  notNull: boolean;
  /** The pattern a DATE, TIME or TIMESTAMP field is written in. */
  format?: CompiledDateFormat;
  /** FIXED_COLUMN_LOG_PARSE: 0-based start and optional width. */
  start?: number;
  width?: number;
}

export interface SpecOptions {
  /** REGEX_LOG_PARSE writes `name type` without TYPE, and the first type may be left out. */
  typeKeyword: "required" | "optional";
  /** FIXED_COLUMN_LOG_PARSE's START n [FOR m]. */
  positions: boolean;
}

/** The parsers' default column type. */
export const defaultColumnType: SqlType = { name: "VARCHAR", precision: 1024 };

type Token = { kind: "word" | "quoted" | "string" | "number" | "symbol"; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const ch = text[index]!;
    if (/\s/.test(ch)) {
      index += 1;
    } else if (ch === '"' || ch === "'") {
      let value = "";
      index += 1;
      for (;;) {
        if (index >= text.length) throw new Error(`unterminated ${ch === '"' ? "identifier" : "string"}`);
        if (text[index] === ch) {
          if (text[index + 1] === ch) {
            value += ch;
            index += 2;
            continue;
          }
          index += 1;
          break;
        }
        value += text[index];
        index += 1;
      }
      tokens.push({ kind: ch === '"' ? "quoted" : "string", value });
    } else if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+/.exec(text.slice(index))!;
      tokens.push({ kind: "number", value: match[0] });
      index += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_$#]*/.exec(text.slice(index))!;
      tokens.push({ kind: "word", value: match[0].toUpperCase() });
      index += match[0].length;
    } else if ("(),".includes(ch)) {
      tokens.push({ kind: "symbol", value: ch });
      index += 1;
    } else {
      throw new Error(`unexpected '${ch}'`);
    }
  }
  return tokens;
}

class Reader {
  index = 0;
  constructor(readonly tokens: Token[]) {}
  peek(): Token | undefined {
    return this.tokens[this.index];
  }
  isWord(...words: string[]): boolean {
    const token = this.peek();
    return token?.kind === "word" && words.includes(token.value);
  }
  acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.index += 1;
    return true;
  }
  expectWord(word: string): void {
    if (!this.acceptWord(word)) throw new Error(`expected ${word}`);
  }
  acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind !== "symbol" || token.value !== symbol) return false;
    this.index += 1;
    return true;
  }
  number(): number {
    const token = this.peek();
    if (token?.kind !== "number") throw new Error("expected a number");
    this.index += 1;
    return Number(token.value);
  }
}

const integerTypes: Readonly<Record<string, SqlType["name"]>> = { INTEGER: "INTEGER", INT: "INTEGER", BIGINT: "BIGINT", SMALLINT: "SMALLINT", TINYINT: "TINYINT" };

function lengthArgument(reader: Reader): number | undefined {
  if (!reader.acceptSymbol("(")) return undefined;
  const length = reader.number();
  if (!reader.acceptSymbol(")")) throw new Error("expected )");
  return length;
}

function parseType(reader: Reader): SqlType {
  const token = reader.peek();
  if (token?.kind !== "word") throw new Error("expected a data type");
  reader.index += 1;
  const word = token.value;
  if (integerTypes[word] !== undefined) return { name: integerTypes[word]! };
  switch (word) {
    case "VARCHAR":
      return { name: "VARCHAR", precision: lengthArgument(reader) ?? 1 };
    case "CHAR":
    case "CHARACTER":
      if (reader.acceptWord("VARYING")) return { name: "VARCHAR", precision: lengthArgument(reader) ?? 1 };
      return { name: "CHAR", precision: lengthArgument(reader) ?? 1 };
    case "DECIMAL":
    case "DEC":
    case "NUMERIC": {
      let precision = 19;
      let scale = 0;
      if (reader.acceptSymbol("(")) {
        precision = reader.number();
        if (reader.acceptSymbol(",")) scale = reader.number();
        if (!reader.acceptSymbol(")")) throw new Error("expected )");
      }
      return { name: "DECIMAL", precision, scale };
    }
    case "REAL":
      return { name: "REAL" };
    case "FLOAT":
      return { name: "DOUBLE" };
    case "DOUBLE":
      reader.acceptWord("PRECISION");
      return { name: "DOUBLE" };
    case "BOOLEAN":
      return { name: "BOOLEAN" };
    case "DATE":
      return { name: "DATE" };
    case "TIME":
      return { name: "TIME", precision: lengthArgument(reader) ?? 0 };
    case "TIMESTAMP":
      return { name: "TIMESTAMP", precision: lengthArgument(reader) ?? 3 };
    default:
      throw new Error(`unknown data type ${word}`);
  }
}

function parseColumn(reader: Reader, options: SpecOptions): ColumnSpec {
  const token = reader.peek();
  if (token?.kind !== "word" && token?.kind !== "quoted") throw new Error("expected a column name");
  reader.index += 1;
  const column: ColumnSpec = { name: token.value, type: defaultColumnType, notNull: false };
  const hasType = reader.acceptWord("TYPE");
  if (!hasType && options.typeKeyword === "required") throw new Error(`expected TYPE after ${column.name}`);
  if (hasType || (reader.peek()?.kind === "word" && !reader.isWord("NOT", "START"))) column.type = parseType(reader);
  const next = reader.peek();
  if (next?.kind === "string") {
    if (!["DATE", "TIME", "TIMESTAMP"].includes(column.type.name)) throw new Error(`a format only follows DATE, TIME or TIMESTAMP (${column.name})`);
    column.format = compileDateFormat(next.value);
    reader.index += 1;
  }
  if (reader.acceptWord("NOT")) {
    reader.expectWord("NULL");
    column.notNull = true;
  }
  if (options.positions) {
    reader.expectWord("START");
    column.start = reader.number();
    if (reader.acceptWord("FOR")) column.width = reader.number();
  }
  return column;
}

/** Parses a column list; throws Error with what is wrong. */
export function parseColumnSpecs(text: string, options: SpecOptions): ColumnSpec[] {
  const reader = new Reader(tokenize(text));
  const columns: ColumnSpec[] = [];
  do columns.push(parseColumn(reader, options));
  while (reader.acceptSymbol(","));
  if (reader.peek() !== undefined) throw new Error(`unexpected '${reader.peek()!.value}'`);
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name)) throw new Error(`duplicate column name ${column.name}`);
    names.add(column.name);
  }
  return columns;
}

export function rowType(columns: readonly Pick<ColumnSpec, "name" | "type" | "notNull">[]): SqlType {
  const fields: Column[] = columns.map((column) => ({ name: column.name, type: column.notNull ? { ...column.type, nullable: false } : column.type }));
  return { name: "ROW", fields };
}

const integerRanges: Readonly<Record<string, number>> = { TINYINT: 2 ** 7, SMALLINT: 2 ** 15, INTEGER: 2 ** 31, BIGINT: 2 ** 63 };
const decimalText = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const defaultFormats: Readonly<Record<string, CompiledDateFormat>> = {
  DATE: compileDateFormat("yyyy-MM-dd"),
  TIME: compileDateFormat("HH:mm:ss"),
  TIMESTAMP: compileDateFormat("yyyy-MM-dd HH:mm:ss"),
};

function cannotConvert(text: string, column: ColumnSpec): never {
  throw rowError(errorNames.characterValue, `Cannot convert '${text}' to ${column.type.name} for column ${column.name}`);
}

function parseDatetime(text: string, column: ColumnSpec, nowMs: number): number {
  const format = column.format ?? defaultFormats[column.type.name]!;
  let value = parseWithFormat(format, text, nowMs);
  // Without a pattern, a TIMESTAMP may carry a fraction of a second: 'yyyy-MM-dd HH:mm:ss.fff'.
  if (column.format === undefined && column.type.name === "TIMESTAMP") {
    const fraction = /^\s*\S+\s+\S+?\.(\d+)\s*$/.exec(text);
    if (fraction !== null) value += Math.floor(Number(`0.${fraction[1]}`) * 1000);
  }
  if (column.type.name === "DATE") return Math.floor(value / 86_400_000) * 86_400_000;
  if (column.type.name === "TIME") return ((value % 86_400_000) + 86_400_000) % 86_400_000;
  return value;
}

/** A field's text as its column's value; a missing field is null. Throws row errors. */
export function convertField(text: string | null, column: ColumnSpec, nowMs: number): SqlValue {
  const type = column.type;
  if (text === null || (text.trim() === "" && type.name !== "CHAR" && type.name !== "VARCHAR")) {
    if (column.notNull) throw rowError(errorNames.nullValue, `Column ${column.name} is NOT NULL but its field is empty`);
    return null;
  }
  switch (type.name) {
    case "VARCHAR":
      return text.length > (type.precision ?? 1) ? text.slice(0, type.precision) : text;
    case "CHAR":
      return text.length > (type.precision ?? 1) ? text.slice(0, type.precision) : text.padEnd(type.precision ?? 1);
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT": {
      const trimmed = text.trim();
      if (!/^[+-]?\d+$/.test(trimmed)) return cannotConvert(text, column);
      const value = Number(trimmed);
      const limit = integerRanges[type.name]!;
      if (value < -limit || value >= limit) throw rowError(errorNames.overflow, `'${text}' is out of range for ${type.name} column ${column.name}`);
      return value;
    }
    case "DECIMAL": {
      const trimmed = text.trim();
      if (!decimalText.test(trimmed)) return cannotConvert(text, column);
      const factor = 10 ** (type.scale ?? 0);
      return Math.round(Number(trimmed) * factor) / factor;
    }
    case "REAL":
    case "DOUBLE": {
      const trimmed = text.trim();
      if (decimalText.test(trimmed)) return Number(trimmed);
      if (/^[+-]?(?:NaN|Infinity)$/.test(trimmed)) return Number(trimmed);
      return cannotConvert(text, column);
    }
    case "BOOLEAN": {
      const word = text.trim().toUpperCase();
      if (word === "TRUE") return true;
      if (word === "FALSE") return false;
      if (word === "UNKNOWN") return null;
      return cannotConvert(text, column);
    }
    case "DATE":
    case "TIME":
    case "TIMESTAMP":
      return parseDatetime(text, column, nowMs);
    default:
      return cannotConvert(text, column);
  }
}
