/**
 * The checks the service makes of an application's parts beyond their shapes, and their stored
 * forms: an input reads exactly one source, an output writes exactly one destination, a schema's
 * columns have distinct names and SQL types the service knows, a record format carries the mapping
 * parameters of its type. Wire names throughout; `normalise*` return the stored items with ids.
 */
import type { RecordFormat, ResourceRole, SourceSchema, StoredApplication, StoredInput, StoredLoggingOption, StoredOutput, StoredReference } from "../model.js";
import { analyticsErrors } from "../errors.js";
import { createRecordMapper, InputSchemaError } from "../input/record-mapper.js";
import { itemId } from "./common.js";

/** The service's limits on an application's parts. */
export const applicationLimits = { inputsMax: 1, outputsMax: 3, referencesMax: 1, loggingOptionsMax: 1 } as const;

/** In-application names: no whitespace, hyphen, angle bracket or ampersand (the console and CloudFormation's pattern). */
const inAppNamePattern = /^[^-\s<>&]+$/;

export interface InputRequest {
  NamePrefix: string;
  InputProcessingConfiguration?: { InputLambdaProcessor: ResourceRole };
  KinesisStreamsInput?: ResourceRole;
  KinesisFirehoseInput?: ResourceRole;
  InputParallelism?: { Count?: number };
  InputSchema: SourceSchema;
}

export interface OutputRequest {
  Name: string;
  KinesisStreamsOutput?: ResourceRole;
  KinesisFirehoseOutput?: ResourceRole;
  LambdaOutput?: ResourceRole;
  DestinationSchema: { RecordFormatType: "JSON" | "CSV" };
}

export interface ReferenceRequest {
  TableName: string;
  S3ReferenceDataSource?: StoredReference["S3ReferenceDataSource"];
  ReferenceSchema: SourceSchema;
}

export function checkSourceSchema(schema: SourceSchema, where: string): void {
  checkRecordFormat(schema.RecordFormat, where);
  const names = new Set<string>();
  for (const column of schema.RecordColumns) {
    if (!inAppNamePattern.test(column.Name)) throw analyticsErrors.invalidArgument(`${where}: invalid column name ${column.Name}.`);
    if (names.has(column.Name)) throw analyticsErrors.invalidArgument(`${where}: duplicate column name ${column.Name}.`);
    names.add(column.Name);
  }
  // The mapper checks what it needs to apply the schema: each SqlType, each Mapping, the encoding.
  try {
    createRecordMapper(schema);
  } catch (error) {
    if (error instanceof InputSchemaError) throw analyticsErrors.invalidArgument(`${where}: ${error.message}`);
    throw error;
  }
}

export function checkRecordFormat(format: RecordFormat, where: string): void {
  const parameters = format.MappingParameters;
  if (format.RecordFormatType === "JSON" && parameters?.JSONMappingParameters === undefined) {
    throw analyticsErrors.invalidArgument(`${where}: JSONMappingParameters are required for the JSON record format.`);
  }
  if (format.RecordFormatType === "CSV" && parameters?.CSVMappingParameters === undefined) {
    throw analyticsErrors.invalidArgument(`${where}: CSVMappingParameters are required for the CSV record format.`);
  }
}

export function normaliseInput(input: InputRequest, id: string): StoredInput {
  checkInAppName(input.NamePrefix, "NamePrefix");
  const sources = [input.KinesisStreamsInput, input.KinesisFirehoseInput].filter((source) => source !== undefined);
  if (sources.length !== 1) throw analyticsErrors.invalidArgument("Exactly one of KinesisStreamsInput or KinesisFirehoseInput must be provided.");
  checkSourceSchema(input.InputSchema, "InputSchema");
  return {
    InputId: id,
    NamePrefix: input.NamePrefix,
    ...(input.InputProcessingConfiguration !== undefined && { InputProcessingConfiguration: input.InputProcessingConfiguration }),
    ...(input.KinesisStreamsInput !== undefined && { KinesisStreamsInput: input.KinesisStreamsInput }),
    ...(input.KinesisFirehoseInput !== undefined && { KinesisFirehoseInput: input.KinesisFirehoseInput }),
    InputParallelism: { Count: input.InputParallelism?.Count ?? 1 },
    InputSchema: input.InputSchema,
  };
}

export function normaliseOutput(output: OutputRequest, id: string): StoredOutput {
  checkInAppName(output.Name, "Output name");
  const destinations = [output.KinesisStreamsOutput, output.KinesisFirehoseOutput, output.LambdaOutput].filter((destination) => destination !== undefined);
  if (destinations.length !== 1) throw analyticsErrors.invalidArgument("Exactly one of KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput must be provided.");
  return {
    OutputId: id,
    Name: output.Name,
    ...(output.KinesisStreamsOutput !== undefined && { KinesisStreamsOutput: output.KinesisStreamsOutput }),
    ...(output.KinesisFirehoseOutput !== undefined && { KinesisFirehoseOutput: output.KinesisFirehoseOutput }),
    ...(output.LambdaOutput !== undefined && { LambdaOutput: output.LambdaOutput }),
    DestinationSchema: output.DestinationSchema,
  };
}

export function normaliseReference(reference: ReferenceRequest, id: string): StoredReference {
  checkInAppName(reference.TableName, "TableName");
  if (reference.S3ReferenceDataSource === undefined) throw analyticsErrors.invalidArgument("S3ReferenceDataSource must be provided.");
  checkSourceSchema(reference.ReferenceSchema, "ReferenceSchema");
  return { ReferenceId: id, TableName: reference.TableName, S3ReferenceDataSource: reference.S3ReferenceDataSource, ReferenceSchema: reference.ReferenceSchema };
}

export function normaliseLoggingOption(option: { LogStreamARN: string; RoleARN?: string }, id: string): StoredLoggingOption {
  return { CloudWatchLoggingOptionId: id, LogStreamARN: option.LogStreamARN, ...(option.RoleARN !== undefined && { RoleARN: option.RoleARN }) };
}

/** Whole-application checks after a change: the limits, distinct output and table names, no stream name used twice. */
export function checkApplicationParts(application: StoredApplication): void {
  if (application.inputs.length > applicationLimits.inputsMax) throw analyticsErrors.invalidArgument(`Application ${application.ApplicationName} can have at most ${applicationLimits.inputsMax} input.`);
  if (application.outputs.length > applicationLimits.outputsMax) throw analyticsErrors.limitExceeded(`Application ${application.ApplicationName} can have at most ${applicationLimits.outputsMax} outputs.`);
  if (application.references.length > applicationLimits.referencesMax) throw analyticsErrors.limitExceeded(`Application ${application.ApplicationName} can have at most ${applicationLimits.referencesMax} reference data source.`);
  if (application.loggingOptions.length > applicationLimits.loggingOptionsMax) throw analyticsErrors.limitExceeded(`Application ${application.ApplicationName} can have at most ${applicationLimits.loggingOptionsMax} CloudWatch logging option.`);
  const tables = new Set<string>();
  for (const reference of application.references) {
    if (tables.has(reference.TableName)) throw analyticsErrors.invalidArgument(`Reference data source with table name ${reference.TableName} already exists.`);
    tables.add(reference.TableName);
  }
  for (const output of application.outputs) {
    const twin = application.outputs.find((other) => other !== output && other.Name === output.Name && sameDestination(other, output));
    if (twin !== undefined) throw analyticsErrors.invalidArgument(`Output ${output.Name} with the same destination already exists.`);
  }
}

/** Numbers each new item `<version>.<n>` in order. */
export function numbered<T, R>(items: readonly T[], versionId: number, normalise: (item: T, id: string) => R): R[] {
  return items.map((item, index) => normalise(item, itemId(versionId, index + 1)));
}

function checkInAppName(name: string, what: string): void {
  if (!inAppNamePattern.test(name)) throw analyticsErrors.invalidArgument(`${what} ${name} must not contain whitespace, hyphens, angle brackets or ampersands.`);
}

function sameDestination(a: StoredOutput, b: StoredOutput): boolean {
  const arnOf = (output: StoredOutput) => (output.KinesisStreamsOutput ?? output.KinesisFirehoseOutput ?? output.LambdaOutput)?.ResourceARN;
  return arnOf(a) === arnOf(b);
}
