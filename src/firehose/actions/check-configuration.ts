/**
 * CreateDeliveryStream's and UpdateDestination's checks beyond the request shape (which already
 * holds every member to botocore's types, enums, patterns and ranges: BufferingHints SizeInMBs
 * 1–128 and IntervalInSeconds 0–900, ProcessorType and ProcessorParameterName enums).
 */
import { firehoseErrors } from "../errors.js";

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
      if (value !== "JQ-1.6") throw firehoseErrors.invalidArgument(`JsonParsingEngine value ${value} is not supported; the supported engine is JQ-1.6.`);
      return;
    default:
  }
}

/** Dynamic partitioning can only be turned on at creation, and needs an ErrorOutputPrefix. */
export function checkDynamicPartitioning(configuration: Record<string, unknown>): void {
  const dynamic = configuration.DynamicPartitioningConfiguration as { Enabled?: boolean } | undefined;
  if (dynamic?.Enabled !== true) return;
  if (configuration.ErrorOutputPrefix === undefined || configuration.ErrorOutputPrefix === "") {
    throw firehoseErrors.invalidArgument("ErrorOutputPrefix cannot be null or empty when dynamic partitioning is enabled.");
  }
  const prefix = String(configuration.Prefix ?? "");
  if (!prefix.includes("!{partitionKeyFrom")) {
    throw firehoseErrors.invalidArgument("When dynamic partitioning is enabled, you must specify at least one partitionKeyFromQuery or partitionKeyFromLambda expression in the prefix.");
  }
}
