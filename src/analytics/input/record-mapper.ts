/**
 * One source record → rows of an in-application input stream, per an InputSchema in the API's shape
 * (developer guide, "Mapping Streaming Source Elements to SQL Input Columns"):
 * - JSON: RecordRowPath selects the row (`$`) or rows (`$.rows[0:]`); each RecordColumn's Mapping
 *   is a JSONPath into it; one array may be flattened (`$.orders[0:].orderId`), giving a row per
 *   element with the other columns repeated (at least one row, nulls for an empty array).
 * - CSV: RecordRowDelimiter splits a record into rows, RecordColumnDelimiter a row into fields,
 *   taken by position (the first N; missing ones are null, as are empty non-character fields).
 * Then the columns the service adds for the source: APPROXIMATE_ARRIVAL_TIME, PARTITION_KEY,
 * SEQUENCE_NUMBER and SHARD_ID for a Kinesis stream, APPROXIMATE_ARRIVAL_TIME for a delivery stream.
 * A record that can't be read or converted yields an error (error_stream's name and message) and no rows.
 */
import type { SourceSchema } from "../model.js";
import { parseSqlType } from "../sql/parser/data-types.js";
import { sqlTypes, type Column, type Row, type SqlType, type SqlValue } from "../sql/types.js";
import { CoercionError, fromJson, fromText } from "./coerce.js";
import { flattenIndex, parseJsonPath, sameSegments, select, type JsonPath, type PathSegment } from "./json-path.js";

/** Where records come from: which columns the service adds after the schema's. */
export type SourceKind = "kinesis" | "firehose" | "none";

export const kinesisSourceColumns: readonly Column[] = [
  { name: "APPROXIMATE_ARRIVAL_TIME", type: sqlTypes.timestamp },
  { name: "PARTITION_KEY", type: sqlTypes.varchar(256) },
  { name: "SEQUENCE_NUMBER", type: sqlTypes.varchar(128) },
  { name: "SHARD_ID", type: sqlTypes.varchar(64) },
];
export const firehoseSourceColumns: readonly Column[] = [kinesisSourceColumns[0]!];

export function sourceColumns(source: SourceKind): readonly Column[] {
  return source === "kinesis" ? kinesisSourceColumns : source === "firehose" ? firehoseSourceColumns : [];
}

export interface RecordMetadata {
  approximateArrivalMs?: number;
  partitionKey?: string;
  sequenceNumber?: string;
  shardId?: string;
}

/** error_stream's ERROR_NAME for a record that is not valid JSON. */
export const parseErrorName = "Parse error";
/** error_stream's ERROR_NAME for a value that doesn't convert to its column's type. */
export const coercionErrorName = "Coercion error";

export type MappedRecord = { ok: true; rows: Row[] } | { ok: false; errorName: string; message: string };

export interface RecordMapper {
  /** The stream's columns: the schema's, then the source's. */
  readonly columns: readonly Column[];
  map(data: Uint8Array, metadata?: RecordMetadata): MappedRecord;
}

/** An input schema the mapper can't use (a bad SqlType or Mapping). */
export class InputSchemaError extends Error {
  override name = "InputSchemaError";
}

interface JsonColumn {
  name: string;
  type: SqlType;
  path: JsonPath;
}

const decoder = new TextDecoder("utf-8");

export function columnType(sqlType: string, name: string): SqlType {
  try {
    return parseSqlType(sqlType);
  } catch (error) {
    throw new InputSchemaError(`Column ${name}: invalid SqlType "${sqlType}": ${(error as Error).message}`, { cause: error });
  }
}

export interface MapperOptions {
  /**
   * A value that doesn't convert becomes NULL instead of failing its record: DiscoverInputSchema's
   * ParsedInputRecords show a CSV header line so (the developer guide's "Using the Schema
   * Discovery Feature on Static Data": `null, null, "state", …`).
   */
  lenient?: boolean;
}

type Convert = (convert: () => SqlValue) => SqlValue;

const strict: Convert = (convert) => convert();
const lenient: Convert = (convert) => {
  try {
    return convert();
  } catch (error) {
    if (error instanceof CoercionError) return null;
    throw error;
  }
};

/** Builds a mapper; throws InputSchemaError for a schema it can't apply. */
export function createRecordMapper(schema: SourceSchema, source: SourceKind = "none", options: MapperOptions = {}): RecordMapper {
  const encoding = schema.RecordEncoding ?? "UTF-8";
  if (encoding.toUpperCase() !== "UTF-8") throw new InputSchemaError(`Unsupported RecordEncoding ${encoding}: only UTF-8 is`);
  const schemaColumns = schema.RecordColumns.map((column) => ({ name: column.Name, type: columnType(column.SqlType, column.Name) }));
  const columns = [...schemaColumns, ...sourceColumns(source)];
  const convert = options.lenient === true ? lenient : strict;
  const rowsOf = schema.RecordFormat.RecordFormatType === "CSV" ? csvRows(schema, schemaColumns, convert) : jsonRows(schema, schemaColumns, convert);
  return {
    columns,
    map(data, metadata = {}) {
      let rows: Row[];
      try {
        rows = rowsOf(decoder.decode(data));
      } catch (error) {
        if (error instanceof CoercionError) return { ok: false, errorName: coercionErrorName, message: error.message };
        if (error instanceof SyntaxError) return { ok: false, errorName: parseErrorName, message: `Unable to parse the record as JSON: ${error.message}` };
        throw error;
      }
      if (source !== "none") for (const row of rows) appendSource(row, source, metadata);
      return { ok: true, rows };
    },
  };
}

function appendSource(row: Row, source: SourceKind, metadata: RecordMetadata): void {
  row.push(metadata.approximateArrivalMs ?? null);
  if (source === "kinesis") row.push(metadata.partitionKey ?? null, metadata.sequenceNumber ?? null, metadata.shardId ?? null);
}

function csvRows(schema: SourceSchema, columns: Column[], convert: Convert): (text: string) => Row[] {
  const parameters = schema.RecordFormat.MappingParameters?.CSVMappingParameters;
  const rowDelimiter = parameters?.RecordRowDelimiter ?? "\n";
  const columnDelimiter = parameters?.RecordColumnDelimiter ?? ",";
  if (rowDelimiter === "" || columnDelimiter === "") throw new InputSchemaError("CSV delimiters must not be empty");
  return (text) => {
    const lines = text.split(rowDelimiter);
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    return lines.map((line) => {
      const fields = line.split(columnDelimiter);
      return columns.map((column, index) => convert(() => csvValue(fields[index], column.type)));
    });
  };
}

function csvValue(field: string | undefined, type: SqlType): SqlValue {
  if (field === undefined) return null;
  if (field === "" && type.name !== "CHAR" && type.name !== "VARCHAR") return null;
  return fromText(field, type);
}

function pathOf(mapping: string | undefined, name: string): JsonPath {
  try {
    return parseJsonPath(mapping ?? `$.${name}`);
  } catch (error) {
    throw new InputSchemaError(`Column ${name}: ${(error as Error).message}`, { cause: error });
  }
}

function jsonRows(schema: SourceSchema, columns: Column[], convert: Convert): (text: string) => Row[] {
  const rowPath = pathOf(schema.RecordFormat.MappingParameters?.JSONMappingParameters?.RecordRowPath ?? "$", "RecordRowPath");
  const mapped: JsonColumn[] = schema.RecordColumns.map((column, index) => {
    const path = pathOf(column.Mapping, column.Name);
    return { name: column.Name, type: columns[index]!.type, path: { text: path.text, segments: relativeTo(path.segments, rowPath.segments) } };
  });
  const flattened = checkFlattening(mapped);
  return (text) => {
    const record: unknown = JSON.parse(text);
    return rowNodes(record, rowPath).flatMap((node) => rowsOfNode(node, mapped, flattened, convert));
  };
}

/** Mappings are written from the record's root; within RecordRowPath's rows they apply to the row. */
function relativeTo(segments: PathSegment[], rowSegments: PathSegment[]): PathSegment[] {
  return rowSegments.length > 0 && sameSegments(segments, rowSegments, rowSegments.length) ? segments.slice(rowSegments.length) : segments;
}

/** The row path's nodes: one, or each element of the array its trailing [0:] names. */
function rowNodes(record: unknown, rowPath: JsonPath): unknown[] {
  const segments = rowPath.segments;
  const last = segments[segments.length - 1];
  if (last?.kind === "all") {
    const array = select(record, segments, 0, segments.length - 1);
    return Array.isArray(array) ? array : [];
  }
  return [select(record, segments)];
}

interface Flattening {
  /** Segments up to and including the flattened [0:]. */
  prefixLength: number;
  columns: Set<number>;
}

/** At most one array may be flattened ("Working with JSONPath"): every flattening column shares it. */
function checkFlattening(columns: JsonColumn[]): Flattening | undefined {
  let flattening: Flattening | undefined;
  let first: JsonColumn | undefined;
  columns.forEach((column, index) => {
    const at = flattenIndex(column.path);
    if (at < 0) return;
    if (column.path.segments.slice(at + 1).some((segment) => segment.kind === "all")) {
      throw new InputSchemaError(`Column ${column.name}: only one level of array dereferencing is supported in "${column.path.text}"`);
    }
    if (flattening === undefined || first === undefined) {
      flattening = { prefixLength: at + 1, columns: new Set([index]) };
      first = column;
    } else if (flattening.prefixLength === at + 1 && sameSegments(first.path.segments, column.path.segments, at + 1)) {
      flattening.columns.add(index);
    } else {
      throw new InputSchemaError(`Column ${column.name}: only one array can be flattened in a schema ("${first.path.text}" and "${column.path.text}")`);
    }
  });
  return flattening;
}

function rowsOfNode(node: unknown, columns: JsonColumn[], flattening: Flattening | undefined, convert: Convert): Row[] {
  if (flattening === undefined) return [columns.map((column) => convert(() => fromJson(select(node, column.path.segments), column.type)))];
  const first = columns[[...flattening.columns][0]!]!;
  const array = select(node, first.path.segments, 0, flattening.prefixLength);
  const elements = Array.isArray(array) ? array : [];
  const count = Math.max(1, elements.length);
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    rows.push(
      columns.map((column, index) => {
        const value = flattening.columns.has(index) ? select(elements[i], column.path.segments, flattening.prefixLength) : select(node, column.path.segments);
        return convert(() => fromJson(value, column.type));
      }),
    );
  }
  return rows;
}
