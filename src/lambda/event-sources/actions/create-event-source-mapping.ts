/**
 * CreateEventSourceMapping (POST /2015-03-31/event-source-mappings/, 202) for a Kinesis stream or
 * a registered stream consumer. The mapping is stored in state Creating; the manager starts its
 * pollers and moves it to Enabled (or Disabled when `Enabled` is false).
 */
import { randomUUIDFrom } from "../../../util/uuid.js";
import { lambdaErrors } from "../../errors.js";
import type { LambdaAction, LambdaContext } from "../../action.js";
import { noRecordsProcessed, type MappingRecord } from "../mapping.js";
import { arnPattern, kinesisDefaults, readOptions } from "../options.js";
import { validateFilterCriteria } from "../filter-port.js";
import { answer, functionNameOf, mappedFunctionArn, mappingsPath, readFunctionName } from "./shared.js";

export const createEventSourceMapping: LambdaAction = {
  name: "CreateEventSourceMapping",
  method: "POST",
  path: mappingsPath,
  iamAction: "lambda:CreateEventSourceMapping",
  async run(context, request) {
    const json = request.json;
    const options = readOptions(json, "create");
    validateFilters(options);
    const functionName = readFunctionName(json, true)!;
    const eventSourceArn = await checkedSource(context, json.EventSourceArn);
    if (options.StartingPosition === undefined) {
      throw lambdaErrors.invalidParameterValue("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    }
    if (options.StartingPosition === "AT_TIMESTAMP" && options.StartingPositionTimestampMs === undefined) {
      throw lambdaErrors.invalidParameterValue("StartingPositionTimestamp must be provided with StartingPosition AT_TIMESTAMP");
    }
    const functionArn = await mappedFunctionArn(context, request.accountId, functionName);
    await checkStreamExists(context, eventSourceArn);
    for (const existing of await context.eventSources.mappings.list(request.accountId)) {
      if (existing.FunctionArn === functionArn && existing.EventSourceArn === eventSourceArn) {
        throw lambdaErrors.resourceConflict(
          `The event source arn (" ${eventSourceArn} ") and function (" ${functionNameOf(functionName).name} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${existing.UUID}`,
        );
      }
    }
    const nowMs = context.clock.nowMs();
    const record: MappingRecord = {
      UUID: randomUUIDFrom(context.random),
      accountId: request.accountId,
      region: context.region,
      FunctionArn: functionArn,
      EventSourceArn: eventSourceArn,
      StartingPosition: options.StartingPosition,
      ...(options.StartingPositionTimestampMs === undefined ? {} : { StartingPositionTimestampMs: options.StartingPositionTimestampMs }),
      BatchSize: options.BatchSize ?? kinesisDefaults.BatchSize,
      MaximumBatchingWindowInSeconds: options.MaximumBatchingWindowInSeconds ?? kinesisDefaults.MaximumBatchingWindowInSeconds,
      ParallelizationFactor: options.ParallelizationFactor ?? kinesisDefaults.ParallelizationFactor,
      BisectBatchOnFunctionError: options.BisectBatchOnFunctionError ?? kinesisDefaults.BisectBatchOnFunctionError,
      MaximumRetryAttempts: options.MaximumRetryAttempts ?? kinesisDefaults.MaximumRetryAttempts,
      MaximumRecordAgeInSeconds: options.MaximumRecordAgeInSeconds ?? kinesisDefaults.MaximumRecordAgeInSeconds,
      TumblingWindowInSeconds: options.TumblingWindowInSeconds ?? kinesisDefaults.TumblingWindowInSeconds,
      FunctionResponseTypes: options.FunctionResponseTypes ?? [],
      ...(options.FilterCriteria === undefined ? {} : { FilterCriteria: options.FilterCriteria }),
      ...(options.OnFailureDestination ? { OnFailureDestination: options.OnFailureDestination } : {}),
      Enabled: options.Enabled ?? true,
      State: "Creating",
      StateTransitionReason: "User action",
      LastModifiedMs: nowMs,
      LastProcessingResult: noRecordsProcessed,
      createdAtMs: nowMs,
    };
    if (!(await context.eventSources.mappings.create(record))) throw lambdaErrors.service();
    context.eventSources.changed(request.accountId, record.UUID);
    return answer(202, record);
  },
};

/** EventSourceArn: present, an ARN, and a Kinesis stream or consumer (the only sources this server has). */
async function checkedSource(_context: LambdaContext, value: unknown): Promise<string> {
  if (value === undefined || value === null) throw lambdaErrors.invalidParameterValue("Unrecognized event source.");
  if (typeof value !== "string") throw lambdaErrors.invalidParameterValue("Invalid type for parameter EventSourceArn, value type must be string.");
  if (!arnPattern.test(value)) {
    throw lambdaErrors.validation([`Value '${value}' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${arnPattern.source.slice(1, -1)}`]);
  }
  if (value.split(":")[2] !== "kinesis") throw lambdaErrors.invalidParameterValue("Unrecognized event source, must be kinesis stream or consumer on this server.");
  return value;
}

/** The stream (or an ACTIVE consumer) must exist when the mapping is made, as on Lambda. */
export async function checkStreamExists(context: LambdaContext, eventSourceArn: string): Promise<void> {
  if (eventSourceArn.includes("/consumer/")) {
    const consumer = await context.streamAccess.describeConsumer(eventSourceArn);
    if (consumer === undefined) throw lambdaErrors.invalidParameterValue(`Stream consumer not found: ${eventSourceArn}`);
    // Records come over the consumer's subscription, which a consumer has only once ACTIVE (our wording: Lambda's not found).
    if (consumer.status !== "ACTIVE") throw lambdaErrors.invalidParameterValue(`Stream consumer is not ACTIVE (${consumer.status}): ${eventSourceArn}`);
    return;
  }
  const stream = await context.streamAccess.describeStream(eventSourceArn);
  if (stream === undefined) throw lambdaErrors.invalidParameterValue(`Stream not found: ${eventSourceArn}`);
}

/** FilterCriteria are checked by the filter module once it exists (Lambda answers "Invalid filter pattern definition."). */
export function validateFilters(record: Pick<MappingRecord, "FilterCriteria">): void {
  if (record.FilterCriteria === undefined) return;
  const problem = validateFilterCriteria(record.FilterCriteria);
  if (problem !== undefined) throw problem;
}
