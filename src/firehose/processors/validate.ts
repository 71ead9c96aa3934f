/**
 * validateProcessingConfiguration: CreateDeliveryStream's and UpdateDestination's checks of
 * ProcessingConfiguration beyond the request shape, answered as InvalidArgumentException.
 */
import { compileError, loadJq } from "./jq-engine.js";
import {
  isProcessorType,
  lambdaBufferIntervalSecondsMax,
  lambdaBufferIntervalSecondsMin,
  lambdaBufferSizeMBMax,
  lambdaBufferSizeMBMin,
  lambdaNumberOfRetriesMax,
  parametersByType,
  parameterValue,
  type ProcessingConfiguration,
  type ProcessorConfig,
  type ProcessorType,
} from "./parameters.js";

export interface ProcessingValidationOptions {
  /** Whether DynamicPartitioningConfiguration.Enabled is true: MetadataExtraction needs it. */
  readonly dynamicPartitioningEnabled?: boolean;
}

/** The message of Firehose's InvalidArgumentException for a bad ProcessingConfiguration, or undefined when it is good. */
export async function validateProcessingConfiguration(config: ProcessingConfiguration | undefined, options: ProcessingValidationOptions = {}): Promise<{ message: string } | undefined> {
  if (config === undefined) return undefined;
  const processors = config.Processors ?? [];
  const seen = new Set<string>();
  for (const processor of processors) {
    if (!isProcessorType(processor.Type)) return { message: `Processor type ${processor.Type} is not supported. Supported types are ${Object.keys(parametersByType).join(", ")}.` };
    // One processor of each type: a second Lambda is refused (captured from AWS), and the others run once each.
    if (seen.has(processor.Type)) return { message: `Only one processor of type ${processor.Type} is allowed.` };
    seen.add(processor.Type);
    const problem = checkProcessor(processor, processor.Type, config.Enabled === true);
    if (problem !== undefined) return { message: problem };
  }
  if (config.Enabled === true && seen.has("CloudWatchLogProcessing") && !seen.has("Decompression")) {
    return { message: "CloudWatchLogProcessingProcessor can only be enabled with DecompressionProcessor" };
  }
  if (config.Enabled === true && seen.has("MetadataExtraction") && options.dynamicPartitioningEnabled === false) {
    // The service's own text, its internal class name included.
    return { message: "class com.amazonaws.services.firehose.internal.model.MetadataExtractionProcessor can only be present when Dynamic Partitioning is enabled." };
  }
  const query = processors.find((processor) => processor.Type === "MetadataExtraction");
  const text = query === undefined ? undefined : parameterValue(query, "MetadataExtractionQuery");
  if (text !== undefined) {
    const error = compileError(await loadJq(), text);
    if (error !== undefined) return { message: `MetadataExtractionQuery is not a valid JQ query: ${error}` };
  }
  return undefined;
}

function checkProcessor(processor: ProcessorConfig, type: ProcessorType, enabled: boolean): string | undefined {
  const spec = parametersByType[type];
  for (const parameter of processor.Parameters ?? []) {
    if (!spec.allowed.includes(parameter.ParameterName)) return `Parameter ${parameter.ParameterName} is not valid for processor type ${type}.`;
    const problem = checkValue(type, parameter.ParameterName, parameter.ParameterValue);
    if (problem !== undefined) return problem;
  }
  if (enabled) {
    for (const name of spec.required) {
      if (parameterValue(processor, name) === undefined) return `Processor type ${type} requires parameter ${name}.`;
    }
    if (type === "RecordDeAggregation" && parameterValue(processor, "SubRecordType") === "DELIMITED" && parameterValue(processor, "Delimiter") === undefined) {
      return "RecordDeAggregation processor with SubRecordType DELIMITED requires parameter Delimiter.";
    }
  }
  return undefined;
}

function checkValue(type: ProcessorType, name: string, value: string): string | undefined {
  const number = Number(value);
  switch (name) {
    case "NumberOfRetries":
      return Number.isInteger(number) && number >= 0 && number <= lambdaNumberOfRetriesMax ? undefined : `NumberOfRetries must be an integer between 0 and ${lambdaNumberOfRetriesMax}; got ${value}.`;
    case "BufferSizeInMBs":
      return value.trim() !== "" && number >= lambdaBufferSizeMBMin && number <= lambdaBufferSizeMBMax ? undefined : `BufferSizeInMBs must be between ${lambdaBufferSizeMBMin} and ${lambdaBufferSizeMBMax}; got ${value}.`;
    case "BufferIntervalInSeconds":
      return Number.isInteger(number) && number >= lambdaBufferIntervalSecondsMin && number <= lambdaBufferIntervalSecondsMax ? undefined : `BufferIntervalInSeconds must be an integer between ${lambdaBufferIntervalSecondsMin} and ${lambdaBufferIntervalSecondsMax}; got ${value}.`;
    case "JsonParsingEngine":
      return value === "JQ-1.6" ? undefined : "MetaDataExtraction JSON Parsing Engine has to be one of JQ-1.6";
    case "SubRecordType":
      return value === "JSON" || value === "DELIMITED" ? undefined : "SubRecordType has to be one of JSON, DELIMITED";
    case "CompressionFormat":
      return value === "GZIP" ? undefined : `CompressionFormat ${value} is not supported for processor type ${type}. Supported value is GZIP.`;
    case "DataMessageExtraction":
      return value.toLowerCase() === "true" || value.toLowerCase() === "false" ? undefined : `DataMessageExtraction must be true or false; got ${value}.`;
    case "Delimiter":
      return type === "RecordDeAggregation" && !isBase64(value) ? `Delimiter must be base64-encoded for processor type ${type}.` : undefined;
    default:
      return undefined;
  }
}

function isBase64(value: string): boolean {
  return value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, "base64").length > 0;
}
