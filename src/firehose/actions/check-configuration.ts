/**
 * CreateDeliveryStream's and UpdateDestination's checks beyond the request shape (which already
 * holds every member to botocore's types, enums, patterns and ranges: BufferingHints SizeInMBs
 * 1–128 and IntervalInSeconds 0–900, ProcessorType and ProcessorParameterName enums).
 */
import { firehoseErrors } from "../errors.js";
import type { DestinationKind } from "../model.js";
import { destinationFactories } from "../destinations/index.js";
import { factoryKindOf } from "../delivery/engine/destination-registry.js";
import { conversionOf } from "../destinations/s3/conversion.js";
import { isKnownTimeZone } from "../destinations/s3/time-zone.js";
import { validatePrefixes } from "../output/index.js";
import { conversionSupportError } from "../conversion/index.js";
import { validateProcessingConfiguration, type ProcessingConfiguration } from "../processors/index.js";

interface Processor {
  Type: string;
  Parameters?: { ParameterName: string; ParameterValue: string }[];
}

/** Which parameters each processor type takes (Firehose's data transformation and dynamic partitioning docs). */
const processorParameters: Record<string, { required: readonly string[]; allowed: readonly string[] }> = {
  Lambda: { required: ["LambdaArn"], allowed: ["LambdaArn", "NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds"] },
  MetadataExtraction: { required: ["MetadataExtractionQuery", "JsonParsingEngine"], allowed: ["MetadataExtractionQuery", "JsonParsingEngine"] },
  RecordDeAggregation: { required: ["SubRecordType"], allowed: ["SubRecordType", "Delimiter"] },
  AppendDelimiterToRecord: { required: [], allowed: ["Delimiter"] },
  Decompression: { required: ["CompressionFormat"], allowed: ["CompressionFormat"] },
  CloudWatchLogProcessing: { required: ["DataMessageExtraction"], allowed: ["DataMessageExtraction"] },
};

export function checkProcessingConfiguration(configuration: Record<string, unknown>): void {
  const processing = configuration.ProcessingConfiguration as { Enabled?: boolean; Processors?: Processor[] } | undefined;
  for (const processor of processing?.Processors ?? []) {
    const spec = processorParameters[processor.Type];
    if (spec === undefined) throw firehoseErrors.invalidArgument(`Processor type ${processor.Type} is not supported.`);
    const names = (processor.Parameters ?? []).map((parameter) => parameter.ParameterName);
    for (const name of names) {
      if (!spec.allowed.includes(name)) throw firehoseErrors.invalidArgument(`Parameter ${name} is not supported for processor type ${processor.Type}.`);
    }
    if (processing?.Enabled === true) {
      for (const name of spec.required) {
        if (!names.includes(name)) throw firehoseErrors.invalidArgument(`Processor ${processor.Type} requires parameter ${name}.`);
      }
    }
    for (const parameter of processor.Parameters ?? []) checkParameterValue(processor.Type, parameter.ParameterName, parameter.ParameterValue);
  }
}

function checkParameterValue(type: string, name: string, value: string): void {
  const number = Number(value);
  switch (name) {
    case "NumberOfRetries":
      if (!Number.isInteger(number) || number < 0 || number > 300) throw firehoseErrors.invalidArgument(`NumberOfRetries value ${value} for processor ${type} must be an integer between 0 and 300.`);
      return;
    case "BufferSizeInMBs":
      if (!(number >= 0.2 && number <= 3)) throw firehoseErrors.invalidArgument(`BufferSizeInMBs value ${value} for processor ${type} must be between 0.2 and 3.`);
      return;
    case "BufferIntervalInSeconds":
      if (!Number.isInteger(number) || number < 0 || number > 900) throw firehoseErrors.invalidArgument(`BufferIntervalInSeconds value ${value} for processor ${type} must be between 0 and 900.`);
      return;
    case "JsonParsingEngine":
      if (value !== "JQ-1.6") throw firehoseErrors.invalidArgument("MetaDataExtraction JSON Parsing Engine has to be one of JQ-1.6");
      return;
    default:
  }
}

/**
 * The destination's own checks, on the configuration as it will be stored (for UpdateDestination,
 * merged): the non-S3 kinds' factory checks (destinations/index.ts), and for S3 the prefixes
 * (output's validatePrefixes, with dynamic partitioning and the processors), CustomTimeZone,
 * format conversion and S3BackupMode; then the processors' own (jq queries compile).
 */
export async function checkDestination(kind: DestinationKind, configuration: Record<string, unknown>): Promise<void> {
  const factoryKind = factoryKindOf(kind);
  if (factoryKind !== undefined) {
    const problem = destinationFactories[factoryKind].validate(configuration);
    if (problem !== undefined) throw firehoseErrors.invalidArgument(problem.message);
  }
  if (kind === "S3" || kind === "ExtendedS3") checkS3Destination(configuration);
  const processing = configuration.ProcessingConfiguration as ProcessingConfiguration | undefined;
  const dynamic = (configuration.DynamicPartitioningConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true;
  const problem = await validateProcessingConfiguration(processing, kind === "ExtendedS3" ? { dynamicPartitioningEnabled: dynamic } : {});
  if (problem !== undefined) throw firehoseErrors.invalidArgument(problem.message);
}

function checkS3Destination(configuration: Record<string, unknown>): void {
  const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  const processing = configuration.ProcessingConfiguration as ProcessingConfiguration | undefined;
  const enabled = processing?.Enabled === true;
  const types = new Set(enabled ? (processing?.Processors ?? []).map((processor) => processor.Type) : []);
  const dynamic = (configuration.DynamicPartitioningConfiguration as { Enabled?: boolean } | undefined)?.Enabled === true;
  const prefixes = validatePrefixes(text(configuration.Prefix), text(configuration.ErrorOutputPrefix), dynamic, { metadataExtraction: types.has("MetadataExtraction"), lambda: types.has("Lambda") });
  if (prefixes !== undefined) throw firehoseErrors.invalidArgument(prefixes.message);
  // Firehose's minimum buffer for these two (its texts, as recorded).
  const sizeMB = (configuration.BufferingHints as { SizeInMBs?: number } | undefined)?.SizeInMBs;
  if (dynamic && sizeMB !== undefined && sizeMB < 64) throw firehoseErrors.invalidArgument("BufferingHints.SizeInMBs must be at least 64 when Dynamic Partitioning is enabled.");
  if (conversionOf(configuration) !== undefined && sizeMB !== undefined && sizeMB < 64) {
    throw firehoseErrors.invalidArgument("BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.");
  }
  const zone = text(configuration.CustomTimeZone);
  if (!isKnownTimeZone(zone)) throw firehoseErrors.invalidArgument(`CustomTimeZone ${zone} is not a supported time zone.`);

  const conversion = conversionOf(configuration);
  if (conversion !== undefined) {
    const unsupported = conversionSupportError(conversion);
    if (unsupported !== undefined) throw firehoseErrors.invalidArgument(unsupported);
    const schema = conversion.SchemaConfiguration;
    if (schema?.DatabaseName === undefined || schema.TableName === undefined) {
      throw firehoseErrors.invalidArgument("SchemaConfiguration with DatabaseName and TableName is required when DataFormatConversionConfiguration is enabled.");
    }
    if (conversion.InputFormatConfiguration?.Deserializer === undefined || conversion.OutputFormatConfiguration?.Serializer === undefined) {
      throw firehoseErrors.invalidArgument("InputFormatConfiguration and OutputFormatConfiguration are required when DataFormatConversionConfiguration is enabled.");
    }
    const format = text(configuration.CompressionFormat) ?? "UNCOMPRESSED";
    // Parquet compresses its own pages (ParquetSerDe.Compression); Firehose takes no S3 compression on top.
    if (format !== "UNCOMPRESSED") throw firehoseErrors.invalidArgument("The S3 destination's compression format must be set to UNCOMPRESSED when data format conversion is enabled");
  }

  if (configuration.S3BackupMode === "Enabled") {
    const backup = configuration.S3BackupConfiguration as Record<string, unknown> | undefined;
    if (backup === undefined) throw firehoseErrors.invalidArgument("S3BackupConfiguration is required when S3BackupMode is Enabled.");
    // The engine hands the destination processed records only; it keeps no copy of the source records.
    if (enabled && (processing?.Processors ?? []).length > 0) {
      throw firehoseErrors.invalidArgument("S3BackupMode Enabled together with ProcessingConfiguration is not supported by this server: source records are not kept past the processors. Disable one of them.");
    }
    const backupPrefixes = validatePrefixes(text(backup.Prefix), text(backup.ErrorOutputPrefix), false);
    if (backupPrefixes !== undefined) throw firehoseErrors.invalidArgument(backupPrefixes.message);
  }
}
