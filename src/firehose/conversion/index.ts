/**
 * Firehose's record format conversion (docs/firehose.md, "Format conversion"): JSON records →
 * one Apache Parquet file per batch, with the schema of a Glue table (storage/schema-catalog.ts).
 * The deserializer (OpenX or Hive JSON SerDe) reads each record's JSON documents as rows of the
 * table's columns; the serializer (ParquetSerDe) writes them. A record that is not JSON or does not
 * fit the schema fails alone, to the error output as `format-conversion-failed`.
 *
 * @example
 * const converter = createConverter(config, table);
 * if ("error" in converter) failAll(converter.errorCode, converter.error);
 * else { const { file, failed } = converter.convert(records); }
 */
import type { FailedRecord, PipelineRecord } from "../delivery/contracts.js";
import type { SchemaTable } from "../../storage/schema-catalog.js";
import { parquetDefaults, type DataFormatConversionConfiguration } from "./config.js";
import { HiveTypeError, parseHiveType, type HiveType } from "./hive-type.js";
import { parquetSchemaOf } from "./parquet-schema.js";
import { coerceStruct, MismatchError, type KeyOptions } from "./coerce.js";
import { parseJsonRecord } from "./json-records.js";
import { hiveTimestampParser, parseOpenXTimestamp } from "./timestamps.js";
import { writeParquet } from "./parquet-output.js";

export { conversionSupportError, parquetDefaults, type DataFormatConversionConfiguration } from "./config.js";

export interface ConversionResult {
  /** The Parquet file; empty (zero bytes) when no record converted, so there is nothing to write. */
  readonly file: Buffer;
  readonly failed: FailedRecord[];
  /** Rows written (a record may hold several JSON documents). */
  readonly rowCount: number;
}

export interface Converter {
  convert(records: readonly PipelineRecord[]): ConversionResult;
}

/** Why no record can be converted (every record then fails with this code and message). */
export interface ConverterError {
  readonly error: string;
  readonly errorCode: string;
}

export function createConverter(config: DataFormatConversionConfiguration, table: SchemaTable): Converter | ConverterError {
  const deserializer = config.InputFormatConfiguration?.Deserializer ?? {};
  const serde = config.OutputFormatConfiguration?.Serializer?.ParquetSerDe;
  if (serde === undefined) return { errorCode: "DataFormatConversion.InvalidSchema", error: "Only ParquetSerDe output is supported here." };
  if (table.Columns.length === 0) return { errorCode: "DataFormatConversion.NonExistentColumns", error: "The table does not have columns" };
  const openX = deserializer.HiveJsonSerDe === undefined;
  let columns: { name: string; type: HiveType }[];
  try {
    columns = table.Columns.map((column) => ({ name: column.Name, type: parseHiveType(column.Type) }));
  } catch (error) {
    if (!(error instanceof HiveTypeError)) throw error;
    return { errorCode: "DataFormatConversion.InvalidSchema", error: `The schema is invalid. ${error.message}` };
  }
  if (openX && columns.some((column) => containsBinary(column.type))) {
    return { errorCode: "DataFormatConversion.InvalidSchema", error: "The schema is invalid. One or more columns have types that are not supported by org.openx.data.JsonSerDe" };
  }
  const openXOptions = deserializer.OpenXJsonSerDe ?? {};
  const options: KeyOptions = openX
    ? {
        caseInsensitive: openXOptions.CaseInsensitive ?? true,
        dotsToUnderscores: openXOptions.ConvertDotsInJsonKeysToUnderscores ?? false,
        mappings: new Map(Object.entries(openXOptions.ColumnToJsonKeyMappings ?? {})),
        parseTimestamp: parseOpenXTimestamp,
      }
    : // Hive's JSON SerDe lowercases keys to match its (lowercase) column names.
      { caseInsensitive: true, dotsToUnderscores: false, mappings: new Map(), parseTimestamp: hiveTimestampParser(deserializer.HiveJsonSerDe?.TimestampFormats) };
  const schema = parquetSchemaOf(columns);
  const columnNames = columns.map((column) => column.name);
  return {
    convert(records) {
      const rows: Record<string, unknown>[] = [];
      const failed: FailedRecord[] = [];
      let inputBytes = 0;
      for (const record of records) {
        const outcome = convertRecord(record, columns, options);
        if ("rows" in outcome) {
          for (const row of outcome.rows) rows.push(row);
          inputBytes += record.data.length;
        } else {
          failed.push(outcome);
        }
      }
      const file = rows.length === 0 ? Buffer.alloc(0) : writeParquet(schema, columnNames, rows, inputBytes, { ...parquetDefaults, ...serde });
      return { file, failed, rowCount: rows.length };
    },
  };
}

function convertRecord(record: PipelineRecord, columns: readonly { name: string; type: HiveType }[], options: KeyOptions): { rows: Record<string, unknown>[] } | FailedRecord {
  const failure = (errorCode: string, errorMessage: string): FailedRecord => ({
    recordId: record.recordId,
    rawData: record.data,
    approximateArrivalTimestampMs: record.approximateArrivalTimestampMs,
    errorCode,
    errorMessage,
    errorOutputType: "format-conversion-failed",
  });
  const parsed = parseJsonRecord(record.data);
  if (!parsed.ok) return failure(parsed.errorCode, parsed.errorMessage);
  try {
    return { rows: parsed.rows.map((document) => coerceStruct(document, columns, options)) };
  } catch (error) {
    if (!(error instanceof MismatchError)) throw error;
    return failure("DataFormatConversion.MalformedData", `Data does not match the schema. ${error.message}`);
  }
}

function containsBinary(type: HiveType): boolean {
  switch (type.kind) {
    case "binary":
      return true;
    case "array":
      return containsBinary(type.element);
    case "map":
      return containsBinary(type.key) || containsBinary(type.value);
    case "struct":
      return type.fields.some((field) => containsBinary(field.type));
    default:
      return false;
  }
}
