/**
 * ProcessingConfiguration's processor types and parameters (botocore's ProcessorType and
 * ProcessorParameterName enums), which parameters each type takes, their defaults and ranges
 * (Firehose's data transformation, dynamic partitioning and CloudWatch Logs docs).
 */

export const processorTypes = ["RecordDeAggregation", "Decompression", "CloudWatchLogProcessing", "Lambda", "MetadataExtraction", "AppendDelimiterToRecord"] as const;
export type ProcessorType = (typeof processorTypes)[number];

export const processorParameterNames = [
  "LambdaArn",
  "NumberOfRetries",
  "MetadataExtractionQuery",
  "JsonParsingEngine",
  "RoleArn",
  "BufferSizeInMBs",
  "BufferIntervalInSeconds",
  "SubRecordType",
  "Delimiter",
  "CompressionFormat",
  "DataMessageExtraction",
] as const;

export interface ProcessorParameter {
  ParameterName: string;
  ParameterValue: string;
}

export interface ProcessorConfig {
  Type: string;
  Parameters?: ProcessorParameter[];
}

export interface ProcessingConfiguration {
  Enabled?: boolean;
  Processors?: ProcessorConfig[];
}

/** Which parameters each type takes, and which it cannot do without. */
export const parametersByType: Readonly<Record<ProcessorType, { readonly required: readonly string[]; readonly allowed: readonly string[] }>> = {
  Lambda: { required: ["LambdaArn"], allowed: ["LambdaArn", "NumberOfRetries", "RoleArn", "BufferSizeInMBs", "BufferIntervalInSeconds"] },
  MetadataExtraction: { required: ["MetadataExtractionQuery", "JsonParsingEngine"], allowed: ["MetadataExtractionQuery", "JsonParsingEngine"] },
  RecordDeAggregation: { required: ["SubRecordType"], allowed: ["SubRecordType", "Delimiter"] },
  AppendDelimiterToRecord: { required: [], allowed: ["Delimiter"] },
  Decompression: { required: [], allowed: ["CompressionFormat"] },
  CloudWatchLogProcessing: { required: ["DataMessageExtraction"], allowed: ["DataMessageExtraction"] },
};

/** Firehose's order, whatever order the configuration lists them in (docs/firehose.md "Processors"). */
export const processingOrder: readonly ProcessorType[] = ["Decompression", "CloudWatchLogProcessing", "RecordDeAggregation", "Lambda", "MetadataExtraction", "AppendDelimiterToRecord"];

export const lambdaDefaults = { numberOfRetries: 3, bufferSizeMB: 1, bufferIntervalSeconds: 60 } as const;
export const lambdaBufferSizeMBMin = 0.2;
export const lambdaBufferSizeMBMax = 3;
// "The Lambda buffering interval hint ranges between 0 and 900 seconds" (Firehose developer guide, data transformation).
export const lambdaBufferIntervalSecondsMin = 0;
export const lambdaBufferIntervalSecondsMax = 900;
export const lambdaNumberOfRetriesMax = 300;

export function isProcessorType(type: string): type is ProcessorType {
  return (processorTypes as readonly string[]).includes(type);
}

/** The value of a parameter, the last one when it is given twice. */
export function parameterValue(processor: ProcessorConfig, name: string): string | undefined {
  let value: string | undefined;
  for (const parameter of processor.Parameters ?? []) if (parameter.ParameterName === name) value = parameter.ParameterValue;
  return value;
}
