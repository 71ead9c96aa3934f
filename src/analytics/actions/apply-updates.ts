/**
 * UpdateApplication's per-item updates (v1's InputUpdate, OutputUpdate, ReferenceDataSourceUpdate,
 * CloudWatchLoggingOptionUpdate; v2's SQL updates have the same members less the roles), applied to
 * the stored items by id. A member left out keeps its value; an id the application does not have
 * is ResourceNotFoundException.
 */
import type { RecordColumn, RecordFormat, ResourceRole, SourceSchema, StoredApplication, StoredInput, StoredLoggingOption, StoredOutput, StoredReference } from "../model.js";
import { analyticsErrors } from "../errors.js";
import { checkSourceSchema } from "./configuration.js";

type RoleUpdate = { ResourceARNUpdate?: string; RoleARNUpdate?: string };

export interface InputUpdate {
  InputId: string;
  NamePrefixUpdate?: string;
  InputProcessingConfigurationUpdate?: { InputLambdaProcessorUpdate: RoleUpdate };
  KinesisStreamsInputUpdate?: RoleUpdate;
  KinesisFirehoseInputUpdate?: RoleUpdate;
  InputSchemaUpdate?: { RecordFormatUpdate?: RecordFormat; RecordEncodingUpdate?: string; RecordColumnUpdates?: RecordColumn[] };
  InputParallelismUpdate?: { CountUpdate?: number };
}

export interface OutputUpdate {
  OutputId: string;
  NameUpdate?: string;
  KinesisStreamsOutputUpdate?: RoleUpdate;
  KinesisFirehoseOutputUpdate?: RoleUpdate;
  LambdaOutputUpdate?: RoleUpdate;
  DestinationSchemaUpdate?: { RecordFormatType: "JSON" | "CSV" };
}

export interface ReferenceUpdate {
  ReferenceId: string;
  TableNameUpdate?: string;
  S3ReferenceDataSourceUpdate?: { BucketARNUpdate?: string; FileKeyUpdate?: string; ReferenceRoleARNUpdate?: string };
  ReferenceSchemaUpdate?: SourceSchema;
}

export interface LoggingOptionUpdate {
  CloudWatchLoggingOptionId: string;
  LogStreamARNUpdate?: string;
  RoleARNUpdate?: string;
}

export interface ItemUpdates {
  InputUpdates?: InputUpdate[];
  OutputUpdates?: OutputUpdate[];
  ReferenceDataSourceUpdates?: ReferenceUpdate[];
  CloudWatchLoggingOptionUpdates?: LoggingOptionUpdate[];
}

export function applyItemUpdates(application: StoredApplication, updates: ItemUpdates): StoredApplication {
  const applyById = <T, U>(items: readonly T[], changes: readonly U[] | undefined, idOf: (item: T) => string, targetOf: (update: U) => string, what: string, apply: (item: T, update: U) => T) =>
    appliedById(application.ApplicationName, items, changes, idOf, targetOf, what, apply);
  return {
    ...application,
    inputs: applyById(application.inputs, updates.InputUpdates, (input) => input.InputId, (update) => update.InputId, "Input", updatedInput),
    outputs: applyById(application.outputs, updates.OutputUpdates, (output) => output.OutputId, (update) => update.OutputId, "Output", updatedOutput),
    references: applyById(application.references, updates.ReferenceDataSourceUpdates, (reference) => reference.ReferenceId, (update) => update.ReferenceId, "Reference data source", updatedReference),
    loggingOptions: applyById(application.loggingOptions, updates.CloudWatchLoggingOptionUpdates, (option) => option.CloudWatchLoggingOptionId, (update) => update.CloudWatchLoggingOptionId, "CloudWatch logging option", updatedLoggingOption),
  };
}

function appliedById<T, U>(name: string, items: readonly T[], updates: readonly U[] | undefined, idOf: (item: T) => string, targetOf: (update: U) => string, what: string, apply: (item: T, update: U) => T): T[] {
  if (updates === undefined) return [...items];
  let out = [...items];
  for (const update of updates) {
    const id = targetOf(update);
    const at = out.findIndex((item) => idOf(item) === id);
    if (at < 0) throw analyticsErrors.itemNotFound(what, id, name);
    out = out.map((item, index) => (index === at ? apply(item, update) : item));
  }
  return out;
}

function role(current: ResourceRole | undefined, update: RoleUpdate): ResourceRole {
  const ResourceARN = update.ResourceARNUpdate ?? current?.ResourceARN;
  if (ResourceARN === undefined) throw analyticsErrors.invalidArgument("ResourceARNUpdate is required when changing the kind of a source or destination.");
  const RoleARN = update.RoleARNUpdate ?? current?.RoleARN;
  return { ResourceARN, ...(RoleARN !== undefined && { RoleARN }) };
}

function updatedInput(input: StoredInput, update: InputUpdate): StoredInput {
  const next: StoredInput = { ...input };
  if (update.NamePrefixUpdate !== undefined) next.NamePrefix = update.NamePrefixUpdate;
  if (update.InputProcessingConfigurationUpdate !== undefined) {
    next.InputProcessingConfiguration = { InputLambdaProcessor: role(input.InputProcessingConfiguration?.InputLambdaProcessor, update.InputProcessingConfigurationUpdate.InputLambdaProcessorUpdate) };
  }
  if (update.KinesisStreamsInputUpdate !== undefined) {
    next.KinesisStreamsInput = role(input.KinesisStreamsInput, update.KinesisStreamsInputUpdate);
    delete next.KinesisFirehoseInput;
  }
  if (update.KinesisFirehoseInputUpdate !== undefined) {
    next.KinesisFirehoseInput = role(input.KinesisFirehoseInput, update.KinesisFirehoseInputUpdate);
    delete next.KinesisStreamsInput;
  }
  const schema = update.InputSchemaUpdate;
  if (schema !== undefined) {
    next.InputSchema = {
      RecordFormat: schema.RecordFormatUpdate ?? input.InputSchema.RecordFormat,
      ...((schema.RecordEncodingUpdate ?? input.InputSchema.RecordEncoding) !== undefined && { RecordEncoding: schema.RecordEncodingUpdate ?? input.InputSchema.RecordEncoding! }),
      RecordColumns: schema.RecordColumnUpdates ?? input.InputSchema.RecordColumns,
    };
    checkSourceSchema(next.InputSchema, "InputSchemaUpdate");
  }
  if (update.InputParallelismUpdate?.CountUpdate !== undefined) next.InputParallelism = { Count: update.InputParallelismUpdate.CountUpdate };
  return next;
}

function updatedOutput(output: StoredOutput, update: OutputUpdate): StoredOutput {
  const next: StoredOutput = { ...output };
  if (update.NameUpdate !== undefined) next.Name = update.NameUpdate;
  const kinds = [
    ["KinesisStreamsOutput", update.KinesisStreamsOutputUpdate],
    ["KinesisFirehoseOutput", update.KinesisFirehoseOutputUpdate],
    ["LambdaOutput", update.LambdaOutputUpdate],
  ] as const;
  for (const [member, change] of kinds) {
    if (change === undefined) continue;
    const updated = role(output[member], change);
    delete next.KinesisStreamsOutput;
    delete next.KinesisFirehoseOutput;
    delete next.LambdaOutput;
    next[member] = updated;
  }
  if (update.DestinationSchemaUpdate !== undefined) next.DestinationSchema = update.DestinationSchemaUpdate;
  return next;
}

function updatedReference(reference: StoredReference, update: ReferenceUpdate): StoredReference {
  const next: StoredReference = { ...reference };
  if (update.TableNameUpdate !== undefined) next.TableName = update.TableNameUpdate;
  const s3 = update.S3ReferenceDataSourceUpdate;
  if (s3 !== undefined) {
    const ReferenceRoleARN = s3.ReferenceRoleARNUpdate ?? reference.S3ReferenceDataSource.ReferenceRoleARN;
    next.S3ReferenceDataSource = {
      BucketARN: s3.BucketARNUpdate ?? reference.S3ReferenceDataSource.BucketARN,
      FileKey: s3.FileKeyUpdate ?? reference.S3ReferenceDataSource.FileKey,
      ...(ReferenceRoleARN !== undefined && { ReferenceRoleARN }),
    };
  }
  if (update.ReferenceSchemaUpdate !== undefined) {
    checkSourceSchema(update.ReferenceSchemaUpdate, "ReferenceSchemaUpdate");
    next.ReferenceSchema = update.ReferenceSchemaUpdate;
  }
  return next;
}

function updatedLoggingOption(option: StoredLoggingOption, update: LoggingOptionUpdate): StoredLoggingOption {
  const RoleARN = update.RoleARNUpdate ?? option.RoleARN;
  return { CloudWatchLoggingOptionId: option.CloudWatchLoggingOptionId, LogStreamARN: update.LogStreamARNUpdate ?? option.LogStreamARN, ...(RoleARN !== undefined && { RoleARN }) };
}
