/**
 * The replay's app.json: `{"Inputs": [...], "ReferenceDataSources": [...]}` in the exact shapes of
 * CreateApplication's Inputs and AddApplicationReferenceDataSource's ReferenceDataSource. Read
 * strictly enough to say what is wrong and where; the schemas themselves are checked by the input
 * mapper when the replay builds it.
 */
import type { SourceSchema } from "../model.js";

export interface ReplayInput {
  NamePrefix: string;
  KinesisStreamsInput?: { ResourceARN: string; RoleARN?: string };
  KinesisFirehoseInput?: { ResourceARN: string; RoleARN?: string };
  InputProcessingConfiguration?: unknown;
  InputParallelism?: { Count?: number };
  InputSchema: SourceSchema;
}

export interface ReplayReference {
  TableName: string;
  S3ReferenceDataSource: { BucketARN: string; FileKey: string; ReferenceRoleARN?: string };
  ReferenceSchema: SourceSchema;
}

export interface ReplayConfig {
  Inputs: ReplayInput[];
  ReferenceDataSources: ReplayReference[];
}

/** app.json that can't be used: the message names the member. */
export class ReplayConfigError extends Error {
  override name = "ReplayConfigError";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function requireString(object: Record<string, unknown>, key: string, where: string): string {
  const value = object[key];
  if (typeof value !== "string" || value === "") throw new ReplayConfigError(`${where}.${key} must be a non-empty string`);
  return value;
}

function checkSchema(value: unknown, where: string): SourceSchema {
  if (!isObject(value)) throw new ReplayConfigError(`${where} must be an object with RecordFormat and RecordColumns`);
  const format = value.RecordFormat;
  if (!isObject(format) || (format.RecordFormatType !== "JSON" && format.RecordFormatType !== "CSV")) {
    throw new ReplayConfigError(`${where}.RecordFormat.RecordFormatType must be JSON or CSV`);
  }
  const columns = value.RecordColumns;
  if (!Array.isArray(columns) || columns.length === 0) throw new ReplayConfigError(`${where}.RecordColumns must be a non-empty array`);
  columns.forEach((column, index) => {
    if (!isObject(column)) throw new ReplayConfigError(`${where}.RecordColumns[${index}] must be an object`);
    requireString(column, "Name", `${where}.RecordColumns[${index}]`);
    requireString(column, "SqlType", `${where}.RecordColumns[${index}]`);
  });
  return value as unknown as SourceSchema;
}

/** Parses and checks app.json's text. */
export function parseReplayConfig(text: string): ReplayConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ReplayConfigError(`not JSON: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new ReplayConfigError('must be an object: {"Inputs": [...], "ReferenceDataSources": [...]}');
  const inputs = value.Inputs ?? [];
  const references = value.ReferenceDataSources ?? [];
  if (!Array.isArray(inputs)) throw new ReplayConfigError("Inputs must be an array");
  if (!Array.isArray(references)) throw new ReplayConfigError("ReferenceDataSources must be an array");
  inputs.forEach((input, index) => {
    const where = `Inputs[${index}]`;
    if (!isObject(input)) throw new ReplayConfigError(`${where} must be an object`);
    requireString(input, "NamePrefix", where);
    if (input.KinesisStreamsInput !== undefined && input.KinesisFirehoseInput !== undefined) {
      throw new ReplayConfigError(`${where} must have one of KinesisStreamsInput and KinesisFirehoseInput, not both`);
    }
    const count = isObject(input.InputParallelism) ? input.InputParallelism.Count : undefined;
    if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 64)) {
      throw new ReplayConfigError(`${where}.InputParallelism.Count must be a whole number from 1 to 64`);
    }
    checkSchema(input.InputSchema, `${where}.InputSchema`);
  });
  references.forEach((reference, index) => {
    const where = `ReferenceDataSources[${index}]`;
    if (!isObject(reference)) throw new ReplayConfigError(`${where} must be an object`);
    requireString(reference, "TableName", where);
    if (!isObject(reference.S3ReferenceDataSource)) throw new ReplayConfigError(`${where}.S3ReferenceDataSource must be an object with BucketARN and FileKey`);
    requireString(reference.S3ReferenceDataSource, "BucketARN", `${where}.S3ReferenceDataSource`);
    requireString(reference.S3ReferenceDataSource, "FileKey", `${where}.S3ReferenceDataSource`);
    checkSchema(reference.ReferenceSchema, `${where}.ReferenceSchema`);
  });
  return { Inputs: inputs as ReplayInput[], ReferenceDataSources: references as ReplayReference[] };
}

/** arn:aws:s3:::bucket → bucket. */
export function bucketOf(bucketArn: string): string {
  const match = /^arn:[^:]+:s3:::([^/]+)$/.exec(bucketArn);
  return match === null ? bucketArn : match[1]!;
}

/** The in-application streams of an input: NamePrefix_001 … one per InputParallelism. */
export function inputStreamNames(input: ReplayInput): string[] {
  const count = input.InputParallelism?.Count ?? 1;
  return Array.from({ length: count }, (_, index) => `${input.NamePrefix}_${String(index + 1).padStart(3, "0")}`);
}
