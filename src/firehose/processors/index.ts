/**
 * ProcessingConfiguration's processors (docs/firehose.md "Processors"): createProcessors builds the
 * chain in Firehose's order — Decompression → CloudWatchLogProcessing → RecordDeAggregation →
 * Lambda → MetadataExtraction → AppendDelimiterToRecord — whatever order the configuration lists
 * them in; validateProcessingConfiguration checks a configuration at CreateDeliveryStream and
 * UpdateDestination.
 *
 * @example
 *   const chain = createProcessors(destination.ProcessingConfiguration, deps);
 *   for (const processor of chain) outcome = await processor.process(outcome.ok);
 */
import type { RecordProcessor } from "../delivery/contracts.js";
import type { FunctionInvoker } from "../../storage/function-invoker.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { Logger } from "../../util/logger.js";
import { LambdaProcessor } from "./lambda-processor.js";
import type { DeliveryStreamMetrics } from "../metrics.js";
import { MetadataExtractionProcessor } from "./metadata-extraction.js";
import { lambdaDefaults, parameterValue, processingOrder, type ProcessingConfiguration, type ProcessorConfig, type ProcessorType } from "./parameters.js";
import { createAppendDelimiter, createCloudWatchLogProcessing, createDecompression, createRecordDeAggregation } from "./simple-processors.js";

export { validateProcessingConfiguration, type ProcessingValidationOptions } from "./validate.js";
export type { ProcessingConfiguration, ProcessorConfig, ProcessorParameter } from "./parameters.js";
export { lambdaDefaults, processingOrder } from "./parameters.js";

export interface ProcessorDeps {
  accountId: string;
  region: string;
  deliveryStreamArn: string;
  /** The Kinesis stream a KinesisStreamAsSource delivery stream reads: transformation events name it. */
  sourceKinesisStreamArn?: string;
  functionInvoker: FunctionInvoker;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** ExecuteProcessing.* and SucceedProcessing.* of the stream (src/firehose/metrics.ts); absent under `--metrics off`. */
  metrics?: DeliveryStreamMetrics;
}

/** The processors to run, in order; none when processing is off. Assumes a configuration validateProcessingConfiguration accepted. */
export function createProcessors(config: ProcessingConfiguration | undefined, deps: ProcessorDeps): RecordProcessor[] {
  if (config?.Enabled !== true) return [];
  const byType = new Map<string, ProcessorConfig>();
  for (const processor of config.Processors ?? []) if (!byType.has(processor.Type)) byType.set(processor.Type, processor);
  const chain: RecordProcessor[] = [];
  for (const type of processingOrder) {
    const processor = byType.get(type);
    if (processor !== undefined) chain.push(create(type, processor, deps));
  }
  return chain;
}

/**
 * How long records may wait for the Lambda processor's BufferSizeInMBs / BufferIntervalInSeconds
 * (the engine's buffering before the chain runs), or undefined without a Lambda processor.
 */
export function lambdaBufferingOf(config: ProcessingConfiguration | undefined): { sizeMB: number; intervalSeconds: number } | undefined {
  const lambda = config?.Enabled === true ? config.Processors?.find((processor) => processor.Type === "Lambda") : undefined;
  if (lambda === undefined) return undefined;
  return {
    sizeMB: Number(parameterValue(lambda, "BufferSizeInMBs") ?? lambdaDefaults.bufferSizeMB),
    intervalSeconds: Number(parameterValue(lambda, "BufferIntervalInSeconds") ?? lambdaDefaults.bufferIntervalSeconds),
  };
}

function create(type: ProcessorType, processor: ProcessorConfig, deps: ProcessorDeps): RecordProcessor {
  switch (type) {
    case "Decompression":
      return createDecompression();
    case "CloudWatchLogProcessing":
      return createCloudWatchLogProcessing(parameterValue(processor, "DataMessageExtraction")?.toLowerCase() === "true");
    case "RecordDeAggregation":
      return createRecordDeAggregation(parameterValue(processor, "SubRecordType") === "DELIMITED" ? "DELIMITED" : "JSON", parameterValue(processor, "Delimiter"));
    case "Lambda":
      return new LambdaProcessor({
        functionArn: parameterValue(processor, "LambdaArn")!,
        numberOfRetries: Number(parameterValue(processor, "NumberOfRetries") ?? lambdaDefaults.numberOfRetries),
        bufferSizeMB: Number(parameterValue(processor, "BufferSizeInMBs") ?? lambdaDefaults.bufferSizeMB),
        accountId: deps.accountId,
        region: deps.region,
        deliveryStreamArn: deps.deliveryStreamArn,
        ...(deps.sourceKinesisStreamArn !== undefined && { sourceKinesisStreamArn: deps.sourceKinesisStreamArn }),
        functionInvoker: deps.functionInvoker,
        clock: deps.clock,
        random: deps.random,
        logger: deps.logger,
        ...(deps.metrics !== undefined && { metrics: deps.metrics }),
      });
    case "MetadataExtraction":
      return new MetadataExtractionProcessor(parameterValue(processor, "MetadataExtractionQuery")!);
    case "AppendDelimiterToRecord":
      return createAppendDelimiter();
  }
}
