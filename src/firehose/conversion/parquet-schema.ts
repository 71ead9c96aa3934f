/**
 * A Glue table's columns as a Parquet schema, laid out as Hive's Parquet writer (the
 * ParquetHiveSerDe Firehose writes with) lays them out: every column and field OPTIONAL; arrays
 * as `optional group <name> (LIST) { repeated group bag { optional <type> array_element } }`;
 * maps as `optional group <name> (MAP) { repeated group map (MAP_KEY_VALUE) { required <key> key;
 * optional <value> value } }`; decimals as FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold
 * the precision; tinyint/smallint as INT32 (INT_8/INT_16); date as INT32 (DATE). One difference:
 * Hive writes timestamps as INT96, which the writer here cannot; they are INT64
 * TIMESTAMP_MILLIS, which Athena, Spark, DuckDB and pyarrow read as timestamps.
 */
import type { HiveType } from "./hive-type.js";

/** The parquet-format SchemaElement fields the writer reads (thrift names). */
export interface SchemaElementInput {
  name: string;
  type?: "BOOLEAN" | "INT32" | "INT64" | "FLOAT" | "DOUBLE" | "BYTE_ARRAY" | "FIXED_LEN_BYTE_ARRAY";
  type_length?: number;
  repetition_type?: "REQUIRED" | "OPTIONAL" | "REPEATED";
  converted_type?: "UTF8" | "INT_8" | "INT_16" | "DATE" | "TIMESTAMP_MILLIS" | "DECIMAL" | "LIST" | "MAP" | "MAP_KEY_VALUE";
  num_children?: number;
  precision?: number;
  scale?: number;
}

export interface ColumnType {
  readonly name: string;
  readonly type: HiveType;
}

export function parquetSchemaOf(columns: readonly ColumnType[]): SchemaElementInput[] {
  const elements: SchemaElementInput[] = [{ name: "hive_schema", num_children: columns.length }];
  for (const column of columns) addElements(elements, column.name, column.type, "OPTIONAL");
  return elements;
}

/** The bytes of a FIXED_LEN_BYTE_ARRAY two's-complement decimal of `precision` digits (Hive's table). */
export function decimalBytes(precision: number): number {
  let bytes = 1;
  while (2n ** BigInt(8 * bytes - 1) <= 10n ** BigInt(precision)) bytes++;
  return bytes;
}

function addElements(out: SchemaElementInput[], name: string, type: HiveType, repetition: "REQUIRED" | "OPTIONAL"): void {
  switch (type.kind) {
    case "string":
      out.push({ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: repetition });
      return;
    case "binary":
      out.push({ name, type: "BYTE_ARRAY", repetition_type: repetition });
      return;
    case "int":
      out.push({ name, type: "INT32", repetition_type: repetition });
      return;
    case "smallint":
      out.push({ name, type: "INT32", converted_type: "INT_16", repetition_type: repetition });
      return;
    case "tinyint":
      out.push({ name, type: "INT32", converted_type: "INT_8", repetition_type: repetition });
      return;
    case "bigint":
      out.push({ name, type: "INT64", repetition_type: repetition });
      return;
    case "double":
      out.push({ name, type: "DOUBLE", repetition_type: repetition });
      return;
    case "float":
      out.push({ name, type: "FLOAT", repetition_type: repetition });
      return;
    case "boolean":
      out.push({ name, type: "BOOLEAN", repetition_type: repetition });
      return;
    case "timestamp":
      out.push({ name, type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type: repetition });
      return;
    case "date":
      out.push({ name, type: "INT32", converted_type: "DATE", repetition_type: repetition });
      return;
    case "decimal":
      out.push({ name, type: "FIXED_LEN_BYTE_ARRAY", type_length: decimalBytes(type.precision), converted_type: "DECIMAL", precision: type.precision, scale: type.scale, repetition_type: repetition });
      return;
    case "array":
      out.push({ name, converted_type: "LIST", repetition_type: repetition, num_children: 1 });
      out.push({ name: "bag", repetition_type: "REPEATED", num_children: 1 });
      addElements(out, "array_element", type.element, "OPTIONAL");
      return;
    case "map":
      out.push({ name, converted_type: "MAP", repetition_type: repetition, num_children: 1 });
      out.push({ name: "map", converted_type: "MAP_KEY_VALUE", repetition_type: "REPEATED", num_children: 2 });
      addElements(out, "key", type.key, "REQUIRED");
      addElements(out, "value", type.value, "OPTIONAL");
      return;
    case "struct":
      out.push({ name, repetition_type: repetition, num_children: type.fields.length });
      for (const field of type.fields) addElements(out, field.name, field.type, "OPTIONAL");
      return;
  }
}
