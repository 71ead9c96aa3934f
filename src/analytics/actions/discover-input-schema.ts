/**
 * DiscoverInputSchema: samples records from a Kinesis stream, a delivery stream or an S3 object
 * (runtime/sampling.ts), runs them through the Lambda preprocessing given, if any, and infers the
 * schema from them (the input owner's discoverInputSchema, src/analytics/input/discover.ts).
 */
import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { ResourceRole, SourceSchema, StartingPosition } from "../model.js";
import { discoverInputSchema as inferSchema, SchemaDiscoveryError } from "../input/discover.js";
import { sampleDeliveryStream, sampleObject, sampleStream, type SampleOutcome } from "../runtime/sampling.js";
import { preprocess, type PreprocessRecord } from "../runtime/preprocessing.js";

export interface DiscoverInput {
  ResourceARN?: string;
  RoleARN?: string;
  InputStartingPositionConfiguration?: { InputStartingPosition?: StartingPosition };
  S3Configuration?: { RoleARN?: string; BucketARN: string; FileKey: string };
  InputProcessingConfiguration?: { InputLambdaProcessor: ResourceRole };
}

export interface DiscoverOutput {
  InputSchema: SourceSchema;
  ParsedInputRecords: (string | null)[][];
  ProcessedInputRecords?: string[];
  RawInputRecords: string[];
}

/** How long a NOW sample waits for records to arrive. */
export const discoverWaitMs = 5000;

export const discoverInputSchema = defineAction<DiscoverInput, DiscoverOutput>({
  iamAction: "kinesisanalytics:DiscoverInputSchema",
  shape: kinesisAnalyticsRequestShapes.DiscoverInputSchema,
  run: (context, input) => discover(context, input),
});

export async function discover(context: AnalyticsContext, input: DiscoverInput): Promise<DiscoverOutput> {
  if ((input.ResourceARN === undefined) === (input.S3Configuration === undefined)) {
    throw analyticsErrors.invalidArgument("Either ResourceARN or S3Configuration must be provided, and not both.");
  }
  const sampled = await samplesOf(context, input);
  if (!sampled.ok) throw analyticsErrors.invalidArgument(sampled.message);
  const raw = sampled.records;
  let processed: PreprocessRecord[] = raw;
  if (input.InputProcessingConfiguration !== undefined) {
    const target = { accountId: context.accountId, functionArn: input.InputProcessingConfiguration.InputLambdaProcessor.ResourceARN, applicationArn: "", streamArn: input.ResourceARN ?? input.S3Configuration!.BucketARN, invocationId: context.random.bytes(8).toString("hex") };
    const outcome = await preprocess(context.functionInvoker, target, raw);
    if (!outcome.ok) throw analyticsErrors.invalidArgument(`The input processing function failed: ${outcome.message}`);
    processed = outcome.results.flatMap((result) => (result.result === "Ok" ? [{ ...raw.find((record) => record.recordId === result.recordId)!, data: result.data }] : []));
  }
  try {
    const result = inferSchema(
      processed.map((record) => record.data),
      raw.map((record) => record.data),
      { csvHeader: input.S3Configuration !== undefined },
    );
    return {
      InputSchema: result.InputSchema,
      ParsedInputRecords: result.ParsedInputRecords,
      ...(input.InputProcessingConfiguration !== undefined && { ProcessedInputRecords: result.ProcessedInputRecords }),
      RawInputRecords: result.RawInputRecords,
    };
  } catch (error) {
    if (error instanceof SchemaDiscoveryError) throw analyticsErrors.unableToDetectSchema(error.message);
    throw error;
  }
}

function samplesOf(context: AnalyticsContext, input: DiscoverInput): Promise<SampleOutcome> {
  if (input.S3Configuration !== undefined) return sampleObject(context.objectClient, context.clock, input.S3Configuration.BucketARN, input.S3Configuration.FileKey);
  const arn = input.ResourceARN!;
  if (/^arn:[^:]+:firehose:/.test(arn)) return sampleDeliveryStream(context.deliveryStreamAccess, arn);
  const position = input.InputStartingPositionConfiguration?.InputStartingPosition ?? "NOW";
  if (position === "LAST_STOPPED_POINT") throw analyticsErrors.invalidArgument("LAST_STOPPED_POINT is not a valid starting position for schema discovery.");
  return sampleStream(context.streamAccess, context.clock, arn, position, discoverWaitMs);
}
