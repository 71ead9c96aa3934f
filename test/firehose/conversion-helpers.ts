/** Shared by the conversion tests: records, a table, and the independent readers (hyparquet, DuckDB). */
import { gunzipSync } from "node:zlib";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import type { PipelineRecord } from "../../src/firehose/delivery/contracts.js";
import type { SchemaTable } from "../../src/storage/schema-catalog.js";
import type { DataFormatConversionConfiguration } from "../../src/firehose/conversion/index.js";

export function records(...documents: (string | object)[]): PipelineRecord[] {
  return documents.map((document, index) => ({
    recordId: `r${index}`,
    data: Buffer.from(typeof document === "string" ? document : JSON.stringify(document)),
    approximateArrivalTimestampMs: 1_700_000_000_000 + index,
  }));
}

export function table(columns: [string, string][]): SchemaTable {
  return { DatabaseName: "db", Name: "t", Columns: columns.map(([Name, Type]) => ({ Name, Type })), PartitionKeys: [], Parameters: {} };
}

export function config(deserializer: object = { OpenXJsonSerDe: {} }, parquet: object = {}): DataFormatConversionConfiguration {
  return {
    Enabled: true,
    SchemaConfiguration: { DatabaseName: "db", TableName: "t", RoleARN: "arn:aws:iam::000000000000:role/r" },
    InputFormatConfiguration: { Deserializer: deserializer },
    OutputFormatConfiguration: { Serializer: { ParquetSerDe: parquet } },
  };
}

function arrayBufferOf(file: Buffer): ArrayBuffer {
  return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
}

/** Rows as hyparquet reads them (GZIP pages through node:zlib: hyparquet reads SNAPPY itself). */
export async function readRows(file: Buffer, options: { utf8?: boolean } = {}): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ ...options, file: arrayBufferOf(file), compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)) } }) as Promise<Record<string, unknown>[]>;
}

export function metadata(file: Buffer) {
  return parquetMetadata(arrayBufferOf(file));
}

/** Reads the file with DuckDB (an independent C++ reader): its column types and rows as JSON-able values. */
export async function duckRead(file: Buffer): Promise<{ types: Record<string, string>; rows: Record<string, unknown>[] }> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const directory = mkdtempSync(join(tmpdir(), "conversion-"));
  const path = join(directory, "file.parquet");
  writeFileSync(path, file);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    const types = Object.fromEntries(described.getRowObjectsJson().map((row) => [String(row.column_name), String(row.column_type)]));
    const read = await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
    return { types, rows: read.getRowObjectsJson() as Record<string, unknown>[] };
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(directory, { recursive: true, force: true });
  }
}
