/** DescribeApplication's ApplicationDetail and the ApplicationSummary of CreateApplication and ListApplications (v1). */
import type { StoredApplication, StoredInput, StoredOutput, StoredReference } from "../model.js";
import { inputStreamNames } from "../runtime/application-schema.js";

export interface ApplicationSummary {
  ApplicationName: string;
  ApplicationARN: string;
  ApplicationStatus: string;
}

export function summaryOf(application: StoredApplication): ApplicationSummary {
  return { ApplicationName: application.ApplicationName, ApplicationARN: application.ApplicationARN, ApplicationStatus: application.status };
}

export function detailOf(application: StoredApplication): Record<string, unknown> {
  return {
    ApplicationName: application.ApplicationName,
    ...(application.ApplicationDescription !== undefined && { ApplicationDescription: application.ApplicationDescription }),
    ApplicationARN: application.ApplicationARN,
    ApplicationStatus: application.status,
    CreateTimestamp: new Date(application.createdAtMs),
    ...(application.lastUpdatedAtMs !== undefined && { LastUpdateTimestamp: new Date(application.lastUpdatedAtMs) }),
    InputDescriptions: application.inputs.map(inputDescription),
    OutputDescriptions: application.outputs.map(outputDescription),
    ReferenceDataSourceDescriptions: application.references.map(referenceDescription),
    CloudWatchLoggingOptionDescriptions: application.loggingOptions.map((option) => ({ ...option })),
    ...(application.ApplicationCode !== "" && { ApplicationCode: application.ApplicationCode }),
    ApplicationVersionId: application.ApplicationVersionId,
  };
}

export function inputDescription(input: StoredInput): Record<string, unknown> {
  return {
    InputId: input.InputId,
    NamePrefix: input.NamePrefix,
    InAppStreamNames: inputStreamNames(input),
    ...(input.InputProcessingConfiguration !== undefined && {
      InputProcessingConfigurationDescription: { InputLambdaProcessorDescription: { ...input.InputProcessingConfiguration.InputLambdaProcessor } },
    }),
    ...(input.KinesisStreamsInput !== undefined && { KinesisStreamsInputDescription: { ...input.KinesisStreamsInput } }),
    ...(input.KinesisFirehoseInput !== undefined && { KinesisFirehoseInputDescription: { ...input.KinesisFirehoseInput } }),
    InputSchema: input.InputSchema,
    InputParallelism: input.InputParallelism,
    InputStartingPositionConfiguration: input.InputStartingPositionConfiguration ?? {},
  };
}

export function outputDescription(output: StoredOutput): Record<string, unknown> {
  return {
    OutputId: output.OutputId,
    Name: output.Name,
    ...(output.KinesisStreamsOutput !== undefined && { KinesisStreamsOutputDescription: { ...output.KinesisStreamsOutput } }),
    ...(output.KinesisFirehoseOutput !== undefined && { KinesisFirehoseOutputDescription: { ...output.KinesisFirehoseOutput } }),
    ...(output.LambdaOutput !== undefined && { LambdaOutputDescription: { ...output.LambdaOutput } }),
    DestinationSchema: output.DestinationSchema,
  };
}

export function referenceDescription(reference: StoredReference): Record<string, unknown> {
  return {
    ReferenceId: reference.ReferenceId,
    TableName: reference.TableName,
    S3ReferenceDataSourceDescription: { ...reference.S3ReferenceDataSource },
    ReferenceSchema: reference.ReferenceSchema,
  };
}
