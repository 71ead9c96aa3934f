/**
 * What the S3 destination needs to lay out an object (docs/firehose.md, "Object keys, prefixes and
 * compression"): the CompressionFormat codecs, Prefix / ErrorOutputPrefix evaluation and
 * validation, the default key layout, and the error record lines of the error output.
 * Pure functions, no I/O besides compression.
 */
export { codecInfo, compressAll, compressorFor, compressionFormats } from "./compression/codecs.js";
export type { CodecInfo, CompressionFormat, CompressorOptions } from "./compression/codecs.js";
export type { Compressor } from "./compression/compressor.js";
