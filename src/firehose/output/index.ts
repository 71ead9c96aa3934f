/**
 * What the S3 destination needs to lay out an object (docs/firehose.md, "Object keys, prefixes and
 * compression"): the CompressionFormat codecs, Prefix / ErrorOutputPrefix evaluation and
 * validation, the default key layout, and the error record lines of the error output.
 * Pure functions, no I/O besides compression.
 */
export { codecInfo, compressAll, compressorFor, compressionFormats } from "./compression/codecs.js";
export type { CodecInfo, CompressionFormat, CompressorOptions } from "./compression/codecs.js";
export type { Compressor } from "./compression/compressor.js";
export { compileDatePattern, DatePatternError, formatDate } from "./keys/java-date-format.js";
export { hasExpressions, parsePrefix } from "./keys/prefix-expression.js";
export type { ParseResult, Segment } from "./keys/prefix-expression.js";
export { prefixConstraint, prefixEvaluatedLengthMax, validatePrefixes } from "./keys/validate-prefixes.js";
export type { PrefixProcessors } from "./keys/validate-prefixes.js";
export {
  errorObjectKey,
  evaluateDataPrefix,
  evaluateErrorPrefix,
  MissingPartitionKeyError,
  objectExtension,
  objectKey,
  randomString,
  randomStringLength,
} from "./keys/object-key.js";
export type { ErrorObjectKeyInput, KeyTime, ObjectKeyInput } from "./keys/object-key.js";
export { errorRecord, errorRecordLine } from "./error-record.js";
export type { ErrorRecordDetails } from "./error-record.js";
