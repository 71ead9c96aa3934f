import { randomUUIDFrom } from "../../../util/uuid.js";
import { systemRandom, type Random } from "../../../util/random.js";
import { gzipCompressor } from "./gzip.js";
import { snappyCompressor } from "./snappy.js";
import { uncompressedCompressor, type Compressor } from "./compressor.js";
import { zipCompressor } from "./zip.js";

/** ExtendedS3DestinationConfiguration.CompressionFormat, spelled as on the wire. */
export type CompressionFormat = "UNCOMPRESSED" | "GZIP" | "ZIP" | "Snappy" | "HADOOP_SNAPPY";

export const compressionFormats: readonly CompressionFormat[] = ["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"];

export interface CodecInfo {
  /** What Firehose appends to the object key when FileExtension is absent or empty. */
  readonly extension: string;
  /** The Content-Encoding Firehose puts on the object (none when uncompressed). */
  readonly contentEncoding: string | undefined;
}

/**
 * Extensions and encodings as Firehose delivers them. The S3 object name page tables `.hsnappy`
 * for Hadoop-Snappy, but objects the service delivered carry `.snappy` for both Snappy formats
 * (captured against AWS by two independent emulators, floci and stackd); only Content-Encoding
 * tells them apart. We follow the service.
 */
const codecs: Readonly<Record<CompressionFormat, CodecInfo>> = {
  UNCOMPRESSED: { extension: "", contentEncoding: undefined },
  GZIP: { extension: ".gz", contentEncoding: "gzip" },
  ZIP: { extension: ".zip", contentEncoding: "zip" },
  Snappy: { extension: ".snappy", contentEncoding: "snappy-java" },
  HADOOP_SNAPPY: { extension: ".snappy", contentEncoding: "hadoop-snappy" },
};

export function codecInfo(format: CompressionFormat): CodecInfo {
  return codecs[format];
}

export interface CompressorOptions {
  /** ZIP: the entry's name. Default: a UUID drawn from `random`. */
  readonly zipEntryName?: string;
  /** ZIP: where the default entry name is drawn from (inject the server's `random`). */
  readonly random?: Random;
  /** ZIP: the entry's modification time. Default: 1980-01-01 (the DOS epoch). */
  readonly modifiedMs?: number;
  /** GZIP and ZIP: the deflate level (default 6, zlib's and Java's default). */
  readonly deflateLevel?: number;
}

/**
 * The incremental compressor of a CompressionFormat.
 *
 * @example
 *   const compressor = compressorFor("GZIP");
 *   for (const record of batch.records) compressor.write(record.data);
 *   const body = await compressor.finish();
 *   await objectClient.putObject({ Bucket, Key: key + codecInfo("GZIP").extension, Body: body, ContentEncoding: "gzip" });
 */
export function compressorFor(format: CompressionFormat, options: CompressorOptions = {}): Compressor {
  switch (format) {
    case "UNCOMPRESSED":
      return uncompressedCompressor();
    case "GZIP":
      return gzipCompressor(options.deflateLevel);
    case "ZIP":
      return zipCompressor({
        entryName: options.zipEntryName ?? randomUUIDFrom(options.random ?? systemRandom),
        modifiedMs: options.modifiedMs ?? Date.UTC(1980, 0, 1),
        ...(options.deflateLevel !== undefined ? { level: options.deflateLevel } : {}),
      });
    case "Snappy":
      return snappyCompressor("snappy-java");
    case "HADOOP_SNAPPY":
      return snappyCompressor("hadoop");
  }
}

/** One-shot helper: the whole body compressed. */
export async function compressAll(format: CompressionFormat, chunks: Iterable<Uint8Array>, options?: CompressorOptions): Promise<Buffer> {
  const compressor = compressorFor(format, options);
  for (const chunk of chunks) compressor.write(chunk);
  return compressor.finish();
}
