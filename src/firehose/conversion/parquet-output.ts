/**
 * Rows → one Parquet file through hyparquet-writer (docs/dependencies.md), with ParquetSerDe's
 * options: Compression (SNAPPY by default; GZIP through node:zlib; UNCOMPRESSED), PageSizeBytes
 * as the page size, BlockSizeBytes as the row group size (the writer sizes row groups in rows: the
 * rows of BlockSizeBytes at the batch's mean row size), EnableDictionaryCompression (dictionary
 * pages where they pay, or none). MaxPaddingBytes pads row groups to HDFS blocks, which an
 * object has none of: it changes nothing here. WriterVersion: the writer writes only
 * DATA_PAGE_V2 pages (what parquet-mr's V2 writes); V1 is accepted and written the same way.
 */
import { gzipSync } from "node:zlib";
import { ByteWriter, parquetWrite } from "hyparquet-writer";
import { parquetDefaults, type ParquetSerDe } from "./config.js";
import type { SchemaElementInput } from "./parquet-schema.js";

export const createdBy = "tributary (hyparquet-writer)";

export function writeParquet(schema: readonly SchemaElementInput[], columnNames: readonly string[], rows: readonly Record<string, unknown>[], inputBytes: number, serde: ParquetSerDe): Buffer {
  const codec = serde.Compression ?? parquetDefaults.Compression;
  const blockSizeBytes = serde.BlockSizeBytes ?? parquetDefaults.BlockSizeBytes;
  const meanRowBytes = Math.max(1, inputBytes / Math.max(1, rows.length));
  const rowGroupSize = Math.max(1, Math.floor(blockSizeBytes / meanRowBytes));
  const dictionary = serde.EnableDictionaryCompression ?? parquetDefaults.EnableDictionaryCompression;
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: schema as never,
    columnData: columnNames.map((name) => ({
      name,
      data: rows.map((row) => row[name] ?? null),
      // With dictionaries on, the writer keeps one for a column chunk wherever it at least halves the encoded size.
      encoding: dictionary ? undefined : "PLAIN",
    })) as never,
    codec,
    compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
    pageSize: serde.PageSizeBytes ?? parquetDefaults.PageSizeBytes,
    rowGroupSize,
    createdBy,
  });
  return Buffer.from(writer.getBuffer());
}
