/**
 * The Kinesis options of CreateEventSourceMapping and UpdateEventSourceMapping: Lambda's model
 * constraints (ValidationException, "N validation errors detected: …", members named as Lambda's
 * model names them) and then its own checks (InvalidParameterValueException), with its defaults.
 */
import { LambdaError, lambdaErrors } from "../errors.js";
import type { FilterCriteria, StartingPosition } from "./mapping.js";

export interface MappingOptions {
  BatchSize?: number;
  MaximumBatchingWindowInSeconds?: number;
  ParallelizationFactor?: number;
  BisectBatchOnFunctionError?: boolean;
  MaximumRetryAttempts?: number;
  MaximumRecordAgeInSeconds?: number;
  TumblingWindowInSeconds?: number;
  FunctionResponseTypes?: string[];
  FilterCriteria?: FilterCriteria;
  /** "" removes the destination (UpdateEventSourceMapping). */
  OnFailureDestination?: string;
  Enabled?: boolean;
}

export interface CreateOptions extends MappingOptions {
  StartingPosition?: StartingPosition;
  StartingPositionTimestampMs?: number;
}

export const kinesisDefaults = {
  BatchSize: 100,
  MaximumBatchingWindowInSeconds: 0,
  ParallelizationFactor: 1,
  BisectBatchOnFunctionError: false,
  MaximumRetryAttempts: -1,
  MaximumRecordAgeInSeconds: -1,
  TumblingWindowInSeconds: 0,
} as const;

interface IntegerRange {
  member: string;
  wire: string;
  min: number;
  max: number;
}

const integerRanges: readonly IntegerRange[] = [
  { member: "BatchSize", wire: "batchSize", min: 1, max: 10_000 },
  { member: "MaximumBatchingWindowInSeconds", wire: "maximumBatchingWindowInSeconds", min: 0, max: 300 },
  { member: "ParallelizationFactor", wire: "parallelizationFactor", min: 1, max: 10 },
  { member: "MaximumRecordAgeInSeconds", wire: "maximumRecordAgeInSeconds", min: -1, max: 604_800 },
  { member: "MaximumRetryAttempts", wire: "maximumRetryAttempts", min: -1, max: 10_000 },
  { member: "TumblingWindowInSeconds", wire: "tumblingWindowInSeconds", min: 0, max: 900 },
];

const startingPositions: readonly string[] = ["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
const functionResponseTypes: readonly string[] = ["ReportBatchItemFailures"];
/** The model's ARN pattern for EventSourceArn and OnFailure.Destination. */
export const arnPattern = /^arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9-])+:([a-z]{2}(-gov)?(-iso([a-z])?)?-[a-z]+-\d{1})?:(\d{12})?:(.*)$/;

function display(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(String).join(", ")}]`;
  return String(value);
}

function wrongType(member: string, expected: string): LambdaError {
  return lambdaErrors.invalidParameterValue(`Invalid type for parameter ${member}, value type must be ${expected}.`);
}

/** Reads and checks the options present in the body (absent ones stay undefined). */
export function readOptions(json: Record<string, unknown>, operation: "create" | "update"): CreateOptions {
  const out: CreateOptions = {};
  const problems: string[] = [];
  for (const range of integerRanges) {
    const value = json[range.member];
    if (value === undefined || value === null) continue;
    if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(range.member, "integer");
    if (value < range.min) problems.push(`Value '${value}' at '${range.wire}' failed to satisfy constraint: Member must have value greater than or equal to ${range.min}`);
    else if (value > range.max) problems.push(`Value '${value}' at '${range.wire}' failed to satisfy constraint: Member must have value less than or equal to ${range.max}`);
    (out as Record<string, unknown>)[range.member] = value;
  }
  if (operation === "create" && json.StartingPosition !== undefined && json.StartingPosition !== null) {
    const position = json.StartingPosition;
    if (typeof position !== "string" || !startingPositions.includes(position)) {
      problems.push(`Value '${display(position)}' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]`);
    } else out.StartingPosition = position as StartingPosition;
  }
  const types = json.FunctionResponseTypes;
  if (types !== undefined && types !== null) {
    if (!Array.isArray(types)) throw wrongType("FunctionResponseTypes", "list");
    if (types.length > 1) problems.push(`Value '${display(types)}' at 'functionResponseTypes' failed to satisfy constraint: Member must have length less than or equal to 1`);
    else if (types.some((type) => typeof type !== "string" || !functionResponseTypes.includes(type))) {
      problems.push(`Value '${display(types)}' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]`);
    }
    out.FunctionResponseTypes = types as string[];
  }
  if (problems.length > 0) throw lambdaErrors.validation(problems);

  for (const member of ["BisectBatchOnFunctionError", "Enabled"] as const) {
    const value = json[member];
    if (value === undefined || value === null) continue;
    if (typeof value !== "boolean") throw wrongType(member, "boolean");
    out[member] = value;
  }
  readTimestamp(json, out, operation);
  readFilterCriteria(json, out);
  readDestination(json, out);
  if (out.MaximumRecordAgeInSeconds !== undefined && out.MaximumRecordAgeInSeconds !== -1 && out.MaximumRecordAgeInSeconds < 60) {
    throw lambdaErrors.invalidParameterValue("MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800 seconds.");
  }
  return out;
}

function readTimestamp(json: Record<string, unknown>, out: CreateOptions, operation: "create" | "update"): void {
  const value = json.StartingPositionTimestamp;
  if (operation !== "create" || value === undefined || value === null) return;
  if (typeof value !== "number") throw wrongType("StartingPositionTimestamp", "timestamp");
  if (out.StartingPosition !== "AT_TIMESTAMP") throw lambdaErrors.invalidParameterValue("Timestamp only valid with StartingPosition AT_TIMESTAMP");
  if (value < 0) throw lambdaErrors.invalidParameterValue("Received Exception while reading from provided stream. class java.lang.Long can not be converted to a Timestamp");
  out.StartingPositionTimestampMs = Math.round(value * 1000);
}

function readFilterCriteria(json: Record<string, unknown>, out: CreateOptions): void {
  const criteria = json.FilterCriteria;
  if (criteria === undefined || criteria === null) return;
  if (typeof criteria !== "object" || Array.isArray(criteria)) throw wrongType("FilterCriteria", "structure");
  const filters = (criteria as Record<string, unknown>).Filters;
  if (filters !== undefined && !Array.isArray(filters)) throw wrongType("FilterCriteria.Filters", "list");
  const copied: FilterCriteria = {};
  if (Array.isArray(filters)) {
    copied.Filters = filters.map((filter) => {
      const pattern = typeof filter === "object" && filter !== null ? (filter as Record<string, unknown>).Pattern : undefined;
      if (typeof pattern !== "string" || pattern === "") throw lambdaErrors.invalidParameterValue("Invalid filter pattern definition.");
      return { Pattern: pattern };
    });
  }
  out.FilterCriteria = copied;
}

function readDestination(json: Record<string, unknown>, out: CreateOptions): void {
  const config = json.DestinationConfig;
  if (config === undefined || config === null) return;
  if (typeof config !== "object" || Array.isArray(config)) throw wrongType("DestinationConfig", "structure");
  if ("OnSuccess" in config && (config as Record<string, unknown>).OnSuccess !== null) {
    throw lambdaErrors.invalidParameterValue("Unsupported DestinationConfig parameter for given event source mapping type.");
  }
  const onFailure = (config as Record<string, unknown>).OnFailure;
  if (onFailure === undefined || onFailure === null) return;
  const destination = (onFailure as Record<string, unknown>).Destination;
  if (destination === undefined || destination === null || destination === "") {
    out.OnFailureDestination = "";
    return;
  }
  if (typeof destination !== "string") throw wrongType("DestinationConfig.OnFailure.Destination", "string");
  if (!arnPattern.test(destination) || destination.length > 350) {
    throw lambdaErrors.validation([`Value '${destination}' at 'destinationConfig.onFailure.destination' failed to satisfy constraint: Member must satisfy regular expression pattern: ${arnPattern.source.slice(1, -1)}`]);
  }
  if (s3BucketOf(destination) === undefined) {
    // Only the built-in object store is a destination here (no SQS or SNS in this server): say so rather than drop records.
    throw lambdaErrors.invalidParameterValue(`Unsupported destination ${destination}: this server delivers OnFailure records to S3 buckets (arn:aws:s3:::bucket) only.`);
  }
  out.OnFailureDestination = destination;
}

/** The bucket of an S3 bucket ARN (arn:aws:s3:::bucket), else undefined. */
export function s3BucketOf(arn: string): string | undefined {
  const match = /^arn:aws[a-zA-Z0-9-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])$/.exec(arn);
  return match?.[1];
}
