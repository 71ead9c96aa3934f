/**
 * Records in and rows out: an input schema applied to source records (record-mapper.ts), schema
 * discovery (discover.ts), reference data objects (reference-data.ts), and rows formatted for
 * destinations (output-format.ts).
 */
export { CoercionError, fromJson, fromText } from "./coerce.js";
export { formatDateText, formatTimeText, formatTimestampText, parseTimestampText } from "./datetime-text.js";
export { discoverInputSchema, SchemaDiscoveryError, type DiscoveryOptions, type DiscoveryResult } from "./discover.js";
export { JsonPathError, parseJsonPath } from "./json-path.js";
export { formatDouble, formatReal, formatRow, jsonText, valueText, type OutputFormat } from "./output-format.js";
export {
  coercionErrorName,
  columnType,
  createRecordMapper,
  firehoseSourceColumns,
  InputSchemaError,
  kinesisSourceColumns,
  parseErrorName,
  sourceColumns,
  type MappedRecord,
  type RecordMapper,
  type RecordMetadata,
  type SourceKind,
} from "./record-mapper.js";
export { parseReferenceObject, splitJsonDocuments, type ReferenceLoad } from "./reference-data.js";
