/**
 * One event source mapping as stored (the `event-source-mappings` service table, one item per
 * UUID) and as Lambda's API shows it (EventSourceMappingConfiguration: the members in the order
 * Lambda writes them for a Kinesis source).
 */

export type StartingPosition = "TRIM_HORIZON" | "LATEST" | "AT_TIMESTAMP";

/** Lambda's states of a mapping; the transient ones end when the manager has (re)started or stopped its pollers. */
export type MappingState = "Creating" | "Enabling" | "Enabled" | "Disabling" | "Disabled" | "Updating" | "Deleting";

export interface FilterCriteria {
  Filters?: { Pattern?: string }[];
}

export interface MappingRecord {
  UUID: string;
  accountId: string;
  region: string;
  /** The function's ARN as the mapping names it: unqualified, or with the version or alias given. */
  FunctionArn: string;
  /** A stream ARN, or a registered consumer's ARN (records over enhanced fan-out). */
  EventSourceArn: string;
  StartingPosition: StartingPosition;
  StartingPositionTimestampMs?: number;
  BatchSize: number;
  MaximumBatchingWindowInSeconds: number;
  ParallelizationFactor: number;
  BisectBatchOnFunctionError: boolean;
  MaximumRetryAttempts: number;
  MaximumRecordAgeInSeconds: number;
  TumblingWindowInSeconds: number;
  FunctionResponseTypes: string[];
  FilterCriteria?: FilterCriteria;
  /** DestinationConfig.OnFailure.Destination ("" or absent: none). */
  OnFailureDestination?: string;
  /** What the user asked for; State follows it once the manager has acted. */
  Enabled: boolean;
  State: MappingState;
  StateTransitionReason: string;
  LastModifiedMs: number;
  LastProcessingResult: string;
  /** When the mapping was created: a LATEST start means "records from here on". */
  createdAtMs: number;
}

export const noRecordsProcessed = "No records processed";
export const processingOk = "OK";
export const processingFailed = "PROBLEM: Function call failed";

export function mappingArn(record: Pick<MappingRecord, "region" | "accountId" | "UUID">): string {
  return `arn:aws:lambda:${record.region}:${record.accountId}:event-source-mapping:${record.UUID}`;
}

/** The API's EventSourceMappingConfiguration for a Kinesis mapping, members in Lambda's order. */
export function mappingConfiguration(record: MappingRecord): Record<string, unknown> {
  const out: Record<string, unknown> = { UUID: record.UUID, StartingPosition: record.StartingPosition };
  if (record.StartingPositionTimestampMs !== undefined) out.StartingPositionTimestamp = record.StartingPositionTimestampMs / 1000;
  out.BatchSize = record.BatchSize;
  out.MaximumBatchingWindowInSeconds = record.MaximumBatchingWindowInSeconds;
  out.ParallelizationFactor = record.ParallelizationFactor;
  out.EventSourceArn = record.EventSourceArn;
  if (record.FilterCriteria !== undefined) out.FilterCriteria = record.FilterCriteria;
  out.FunctionArn = record.FunctionArn;
  out.LastModified = record.LastModifiedMs / 1000;
  out.LastProcessingResult = record.LastProcessingResult;
  out.State = record.State;
  out.StateTransitionReason = record.StateTransitionReason;
  out.DestinationConfig = { OnFailure: record.OnFailureDestination ? { Destination: record.OnFailureDestination } : {} };
  out.MaximumRecordAgeInSeconds = record.MaximumRecordAgeInSeconds;
  out.BisectBatchOnFunctionError = record.BisectBatchOnFunctionError;
  out.MaximumRetryAttempts = record.MaximumRetryAttempts;
  out.TumblingWindowInSeconds = record.TumblingWindowInSeconds;
  out.FunctionResponseTypes = record.FunctionResponseTypes;
  out.EventSourceMappingArn = mappingArn(record);
  return out;
}
