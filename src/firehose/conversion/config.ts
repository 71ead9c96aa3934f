/**
 * DataFormatConversionConfiguration as Firehose's API carries it (botocore's firehose model), the
 * part format conversion reads, and the configurations this server cannot serve.
 */

export interface DataFormatConversionConfiguration {
  readonly SchemaConfiguration?: {
    readonly RoleARN?: string;
    readonly CatalogId?: string;
    readonly DatabaseName?: string;
    readonly TableName?: string;
    readonly Region?: string;
    readonly VersionId?: string;
  };
  readonly InputFormatConfiguration?: { readonly Deserializer?: Deserializer };
  readonly OutputFormatConfiguration?: { readonly Serializer?: Serializer };
  /** Defaults to true when the configuration is present. */
  readonly Enabled?: boolean;
}

export interface Deserializer {
  readonly OpenXJsonSerDe?: OpenXJsonSerDe;
  readonly HiveJsonSerDe?: HiveJsonSerDe;
}

export interface OpenXJsonSerDe {
  /** `a.b` keys read as `a_b` (Hive cannot name a column with a dot). Default false. */
  readonly ConvertDotsInJsonKeysToUnderscores?: boolean;
  /** Keys match columns without regard to case. Default true. */
  readonly CaseInsensitive?: boolean;
  /** Column name → the JSON key it is read from (a key that is a Hive keyword, `timestamp`). */
  readonly ColumnToJsonKeyMappings?: Readonly<Record<string, string>>;
}

export interface HiveJsonSerDe {
  /** Joda-Time DateTimeFormat patterns, or `millis`; java.sql.Timestamp.valueOf's format when absent. */
  readonly TimestampFormats?: readonly string[];
}

export interface Serializer {
  readonly ParquetSerDe?: ParquetSerDe;
  readonly OrcSerDe?: Readonly<Record<string, unknown>>;
}

export interface ParquetSerDe {
  /** The HDFS block size a row group is sized to: 256 MiB by default, 64 MiB at least. */
  readonly BlockSizeBytes?: number;
  /** Page size: 1 MiB by default, 64 KiB at least. */
  readonly PageSizeBytes?: number;
  readonly Compression?: "UNCOMPRESSED" | "GZIP" | "SNAPPY";
  readonly EnableDictionaryCompression?: boolean;
  readonly MaxPaddingBytes?: number;
  readonly WriterVersion?: "V1" | "V2";
}

export const parquetDefaults = {
  BlockSizeBytes: 256 * 1024 * 1024,
  PageSizeBytes: 1024 * 1024,
  Compression: "SNAPPY",
  EnableDictionaryCompression: false,
  MaxPaddingBytes: 0,
  WriterVersion: "V1",
} as const;

/**
 * Why this server cannot serve the configuration (the InvalidArgumentException message of
 * CreateDeliveryStream / UpdateDestination), or undefined. ORC output needs an ORC writer and no
 * maintained one exists for Node.js (npm has none; the Apache ORC project ships Java and C++).
 */
export function conversionSupportError(config: DataFormatConversionConfiguration): string | undefined {
  if (config.Enabled === false) return undefined;
  if (config.OutputFormatConfiguration?.Serializer?.OrcSerDe !== undefined) {
    return "OrcSerDe is not supported by this server: ORC output needs an ORC writer, and no maintained one exists for Node.js. Use ParquetSerDe.";
  }
  return undefined;
}
