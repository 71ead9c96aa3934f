/**
 * DiscoverInputSchema's inference: from sample records, an InputSchema in the API's shape and the
 * samples as the schema reads them. JSON objects give one column per leaf element (nested objects
 * are walked, `$.a.b`; arrays are mapped whole, `$.a[0:]`, as text), named by the element's key.
 * Anything else is tried as CSV: lines (`\r\n` or `\n`) are rows, and the delimiter (`,` `\t`
 * `|` `;`) is the one that splits every line into the same number of fields; columns are named by
 * an S3 object's header line, or COL1, COL2, ….
 * Names as the developer guide's "Column Naming During Schema Discovery" says: only letters, digits
 * and _ are kept, and a name that was changed, is a reserved word, starts with a digit or is longer
 * than 100 characters gets the COL_ prefix (USER → COL_USER, USER@DOMAIN → COL_USERDOMAIN, and
 * COL_<position> when nothing is left: @@ → COL_0).
 * Types: booleans BOOLEAN; whole numbers INTEGER (BIGINT beyond 32 bits); other numbers REAL (the
 * getting-started exercise's CHANGE and PRICE); date-time strings TIMESTAMP or DATE; anything else
 * VARCHAR of the longest value rounded up to a power of two, at least 4 (the guide's static-data
 * example: "AK" VARCHAR(4), "ShortTons" VARCHAR(16), producer types of 35 characters VARCHAR(64)).
 */
import type { RecordColumn, SourceSchema } from "../model.js";
import { parseDateText, parseTimestampText } from "./datetime-text.js";
import { parseJsonPath, select } from "./json-path.js";
import { createRecordMapper } from "./record-mapper.js";

export interface DiscoveryResult {
  InputSchema: SourceSchema;
  ParsedInputRecords: (string | null)[][];
  ProcessedInputRecords: string[];
  RawInputRecords: string[];
}

export interface DiscoveryOptions {
  /**
   * The first line of delimited text names the columns: an S3 object's header, as the developer
   * guide's reference data example (`Ticker, Company`) is read into columns "Ticker" and "Company".
   * The line is not typed but is still a row of ParsedInputRecords (NULL where it doesn't convert).
   */
  csvHeader?: boolean;
}

/** No schema could be inferred (the API answers UnableToDetectSchemaException with these records). */
export class SchemaDiscoveryError extends Error {
  override name = "SchemaDiscoveryError";
  constructor(
    message: string,
    readonly RawInputRecords: string[],
    readonly ProcessedInputRecords: string[],
  ) {
    super(message);
  }
}

/** SQL reserved words a discovered column name must not be (compared upper-cased). */
const reservedNames = new Set(
  (
    "ALL AND ANY ARRAY AS ASC AVG BETWEEN BIGINT BINARY BOOLEAN BOTH BY CASE CAST CEIL CHAR CHARACTER CHECK COLUMN COUNT CREATE " +
    "CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURSOR DATE DAY DEC DECIMAL DEFAULT DELETE DESC DISTINCT DOUBLE " +
    "ELSE END ESCAPE EXCEPT EXISTS EXTRACT FALSE FLOAT FLOOR FOR FROM FULL GROUP HAVING HOUR IN INNER INSERT INT INTEGER " +
    "INTERSECT INTERVAL INTO IS JOIN LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP LOWER MAX MIN MINUTE MONTH NATURAL NOT NULL " +
    "NUMERIC OF ON OR ORDER OUTER OVER PARTITION POSITION PRECISION RANGE REAL RIGHT ROW ROWS ROWTIME SECOND SELECT SET SIMILAR " +
    "SMALLINT SOME STREAM SUM TABLE THEN TIME TIMESTAMP TINYINT TO TRAILING TRIM TRUE UNION UNKNOWN UPDATE UPPER USER USING " +
    "VALUE VALUES VARBINARY VARCHAR WHEN WHERE WINDOW WITH YEAR"
  ).split(" "),
);

const csvDelimiters = [",", "\t", "|", ";"];
const varcharLengthMin = 4;
const int32Max = 2147483647;
const decoder = new TextDecoder("utf-8");

/**
 * Infers the schema of sample records. `samples` are the records as the application would read
 * them (after any Lambda preprocessing); `raw`, when given, the records before it.
 */
export function discoverInputSchema(samples: readonly Uint8Array[], raw?: readonly Uint8Array[], options: DiscoveryOptions = {}): DiscoveryResult {
  const processed = samples.map((sample) => decoder.decode(sample));
  const rawTexts = raw === undefined ? processed : raw.map((sample) => decoder.decode(sample));
  const texts = processed.filter((text) => text.trim() !== "");
  if (texts.length === 0) throw new SchemaDiscoveryError("No records to infer a schema from", rawTexts, processed);
  const schema = jsonSchema(texts) ?? csvSchema(texts, options.csvHeader === true);
  if (schema === undefined) throw new SchemaDiscoveryError("Unable to determine the format of the records: they are neither JSON objects nor delimited text", rawTexts, processed);
  return { InputSchema: schema, ParsedInputRecords: parsedRecords(schema, texts), ProcessedInputRecords: processed, RawInputRecords: rawTexts };
}

/**
 * ParsedInputRecords: each row's values as the record has them (CSV fields, JSON values as text),
 * NULL where the value is missing or doesn't convert to its column's type — the static-data
 * example shows a header line as `null, null, "state", …` and "energy_source" untruncated in a
 * VARCHAR(4) column.
 */
function parsedRecords(schema: SourceSchema, texts: string[]): (string | null)[][] {
  const mapper = createRecordMapper(schema, "none", { lenient: true });
  const encoder = new TextEncoder();
  const parsed: (string | null)[][] = [];
  for (const text of texts) {
    const mapped = mapper.map(encoder.encode(text));
    if (!mapped.ok) continue;
    const raws = rawValues(schema, text);
    mapped.rows.forEach((row, index) => parsed.push(row.map((value, column) => (value === null ? null : (raws[index]?.[column] ?? null)))));
  }
  return parsed;
}

/** The values of a discovered schema's rows as text, before conversion. */
function rawValues(schema: SourceSchema, text: string): (string | null)[][] {
  const csv = schema.RecordFormat.MappingParameters?.CSVMappingParameters;
  if (csv !== undefined) {
    const lines = text.split(csv.RecordRowDelimiter);
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    return lines.map((line) => {
      const fields = line.split(csv.RecordColumnDelimiter);
      return schema.RecordColumns.map((_, index) => fields[index] ?? null);
    });
  }
  const record: unknown = JSON.parse(text);
  return [
    schema.RecordColumns.map((column) => {
      const path = parseJsonPath(column.Mapping ?? "$");
      const last = path.segments[path.segments.length - 1];
      const value = select(record, path.segments, 0, last?.kind === "all" ? path.segments.length - 1 : path.segments.length);
      if (value === null || value === undefined) return null;
      return typeof value === "string" ? value : JSON.stringify(value);
    }),
  ];
}

interface Leaf {
  path: string;
  key: string;
  values: unknown[];
}

function jsonSchema(texts: string[]): SourceSchema | undefined {
  const leaves = new Map<string, Leaf>();
  for (const text of texts) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    collectLeaves(value as Record<string, unknown>, "$", leaves);
  }
  if (leaves.size === 0) return undefined;
  const names = new Set<string>();
  const columns: RecordColumn[] = [...leaves.values()].map((leaf, position) => ({
    Name: uniqueName(columnName(leaf.key, position), names),
    Mapping: leaf.path,
    SqlType: inferType(leaf.values),
  }));
  return { RecordFormat: { RecordFormatType: "JSON", MappingParameters: { JSONMappingParameters: { RecordRowPath: "$" } } }, RecordEncoding: "UTF-8", RecordColumns: columns };
}

function collectLeaves(object: Record<string, unknown>, path: string, leaves: Map<string, Leaf>): void {
  for (const [key, value] of Object.entries(object)) {
    const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}['${key}']`;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      collectLeaves(value as Record<string, unknown>, childPath, leaves);
      continue;
    }
    const leafPath = Array.isArray(value) ? `${childPath}[0:]` : childPath;
    let leaf = leaves.get(leafPath);
    if (leaf === undefined) {
      leaf = { path: leafPath, key, values: [] };
      leaves.set(leafPath, leaf);
    }
    leaf.values.push(value);
  }
}

const nameLengthMax = 100;

/** A discovered column's name: the key kept where SQL can use it, else COL_ and what is left. */
function columnName(key: string, position: number): string {
  const kept = key.replace(/[^A-Za-z0-9_]/g, "");
  if (kept === "") return `COL_${position}`;
  const renamed = kept !== key || reservedNames.has(kept.toUpperCase()) || /^\d/.test(kept) || kept.length > nameLengthMax;
  return renamed ? `COL_${kept.slice(0, nameLengthMax)}` : kept;
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let suffix = 2; taken.has(candidate.toUpperCase()); suffix++) candidate = `${name}_${suffix}`;
  taken.add(candidate.toUpperCase());
  return candidate;
}

function varcharFor(values: unknown[]): string {
  let longest = 1;
  for (const value of values) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    longest = Math.max(longest, text.length);
  }
  let length = varcharLengthMin;
  while (length < longest) length *= 2;
  return `VARCHAR(${length})`;
}

/** The SqlType of a column from its sample values (JSON values, or CSV fields as strings). */
function inferType(all: unknown[]): string {
  const values = all.filter((value) => value !== null && value !== undefined);
  if (values.length === 0) return "VARCHAR(1)";
  if (values.every((value) => typeof value === "boolean")) return "BOOLEAN";
  if (values.every((value) => typeof value === "number")) {
    const numbers = values as number[];
    if (numbers.every((value) => Number.isInteger(value))) return numbers.every((value) => Math.abs(value) <= int32Max) ? "INTEGER" : "BIGINT";
    return "REAL";
  }
  if (values.every((value) => typeof value === "string")) {
    const strings = values as string[];
    if (strings.every((text) => /\d[ T]\d/.test(text) && parseTimestampText(text) !== undefined)) return "TIMESTAMP";
    if (strings.every((text) => /^\s*\d{4}-\d{1,2}-\d{1,2}\s*$/.test(text) && parseDateText(text) !== undefined)) return "DATE";
  }
  return varcharFor(values);
}

function csvSchema(texts: string[], header: boolean): SourceSchema | undefined {
  const rowDelimiter = texts.some((text) => text.includes("\r\n")) ? "\r\n" : "\n";
  const all = texts.flatMap((text) => text.split(rowDelimiter)).filter((line) => line !== "");
  const lines = header && all.length > 1 ? all.slice(1) : all;
  if (lines.length === 0 || lines.some((line) => /[\u0000-\u0008\u000e-\u001f]/.test(line))) return undefined;
  const delimiter =
    csvDelimiters.find((candidate) => {
      const count = lines[0]!.split(candidate).length;
      return count > 1 && lines.every((line) => line.split(candidate).length === count);
    }) ?? ",";
  const rows = lines.map((line) => line.split(delimiter));
  const width = Math.max(...rows.map((row) => row.length));
  const names = header && all.length > 1 ? all[0]!.split(delimiter).map((name) => name.trim()) : [];
  const taken = new Set<string>();
  const columns: RecordColumn[] = Array.from({ length: width }, (_, index) => ({
    Name: uniqueName(names[index] ? columnName(names[index]!, index) : `COL${index + 1}`, taken),
    SqlType: inferType(rows.map((row) => csvTyped(row[index]))),
  }));
  return {
    RecordFormat: { RecordFormatType: "CSV", MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: rowDelimiter, RecordColumnDelimiter: delimiter } } },
    RecordEncoding: "UTF-8",
    RecordColumns: columns,
  };
}

/** A CSV field read as the JSON value it looks like, so one set of rules types both formats. */
function csvTyped(field: string | undefined): unknown {
  if (field === undefined || field === "") return null;
  if (/^[+-]?\d+$/.test(field) && Math.abs(Number(field)) <= Number.MAX_SAFE_INTEGER) return Number(field);
  if (/^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$/.test(field)) return Number(field);
  if (field === "true" || field === "false") return field === "true";
  return field;
}
