/** The v2 API's Add/Delete actions for SQL applications: v1's, with v2's answers (the application's ARN, version and the part's descriptions). */
import { defineAction } from "../../context.js";
import { kinesisAnalyticsV2RequestShapes as shapes } from "../../shapes/v2.generated.js";
import type { ResourceRole, StoredApplication } from "../../model.js";
import { addInput, setProcessing } from "../inputs.js";
import { addOutput, deleteOutput } from "../outputs.js";
import { addReference, deleteReference } from "../references.js";
import { addLoggingOption, deleteLoggingOption } from "../logging-options.js";
import { inputDescription, outputDescription, referenceDescription } from "../application-detail.js";
import type { InputRequest, OutputRequest, ReferenceRequest } from "../configuration.js";
import { versionOf } from "./applications.js";

type Versioned = { ApplicationName: string; CurrentApplicationVersionId: number };
type Changed = { ApplicationARN: string; ApplicationVersionId: number };

const changed = (application: StoredApplication): Changed => ({ ApplicationARN: application.ApplicationARN, ApplicationVersionId: application.ApplicationVersionId });

export const addApplicationInputV2 = defineAction<Versioned & { Input: InputRequest }, Changed & { InputDescriptions: unknown[] }>({
  iamAction: "kinesisanalytics:AddApplicationInput",
  shape: shapes.AddApplicationInput,
  async run(context, input) {
    const application = await addInput(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.Input);
    return { ...changed(application), InputDescriptions: application.inputs.map(inputDescription) };
  },
});

export const addApplicationInputProcessingConfigurationV2 = defineAction<Versioned & { InputId: string; InputProcessingConfiguration: { InputLambdaProcessor: ResourceRole } }, Changed & { InputId: string; InputProcessingConfigurationDescription: unknown }>({
  iamAction: "kinesisanalytics:AddApplicationInputProcessingConfiguration",
  shape: shapes.AddApplicationInputProcessingConfiguration,
  async run(context, input) {
    const application = await setProcessing(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.InputId, input.InputProcessingConfiguration);
    return { ...changed(application), InputId: input.InputId, InputProcessingConfigurationDescription: { InputLambdaProcessorDescription: { ...input.InputProcessingConfiguration.InputLambdaProcessor } } };
  },
});

export const deleteApplicationInputProcessingConfigurationV2 = defineAction<Versioned & { InputId: string }, Changed>({
  iamAction: "kinesisanalytics:DeleteApplicationInputProcessingConfiguration",
  shape: shapes.DeleteApplicationInputProcessingConfiguration,
  async run(context, input) {
    return changed(await setProcessing(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.InputId, undefined));
  },
});

export const addApplicationOutputV2 = defineAction<Versioned & { Output: OutputRequest }, Changed & { OutputDescriptions: unknown[] }>({
  iamAction: "kinesisanalytics:AddApplicationOutput",
  shape: shapes.AddApplicationOutput,
  async run(context, input) {
    const application = await addOutput(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.Output);
    return { ...changed(application), OutputDescriptions: application.outputs.map(outputDescription) };
  },
});

export const deleteApplicationOutputV2 = defineAction<Versioned & { OutputId: string }, Changed>({
  iamAction: "kinesisanalytics:DeleteApplicationOutput",
  shape: shapes.DeleteApplicationOutput,
  async run(context, input) {
    return changed(await deleteOutput(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.OutputId));
  },
});

export const addApplicationReferenceDataSourceV2 = defineAction<Versioned & { ReferenceDataSource: ReferenceRequest }, Changed & { ReferenceDataSourceDescriptions: unknown[] }>({
  iamAction: "kinesisanalytics:AddApplicationReferenceDataSource",
  shape: shapes.AddApplicationReferenceDataSource,
  async run(context, input) {
    const application = await addReference(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.ReferenceDataSource);
    return { ...changed(application), ReferenceDataSourceDescriptions: application.references.map(referenceDescription) };
  },
});

export const deleteApplicationReferenceDataSourceV2 = defineAction<Versioned & { ReferenceId: string }, Changed>({
  iamAction: "kinesisanalytics:DeleteApplicationReferenceDataSource",
  shape: shapes.DeleteApplicationReferenceDataSource,
  async run(context, input) {
    return changed(await deleteReference(context, input.ApplicationName, { api: "v2", versionId: input.CurrentApplicationVersionId }, input.ReferenceId));
  },
});

type LoggingInput = { ApplicationName: string; CurrentApplicationVersionId?: number; ConditionalToken?: string };

export const addApplicationCloudWatchLoggingOptionV2 = defineAction<LoggingInput & { CloudWatchLoggingOption: { LogStreamARN: string } }, Changed & { CloudWatchLoggingOptionDescriptions: unknown[] }>({
  iamAction: "kinesisanalytics:AddApplicationCloudWatchLoggingOption",
  shape: shapes.AddApplicationCloudWatchLoggingOption,
  async run(context, input) {
    const versionId = await versionOf(context, input.ApplicationName, input.CurrentApplicationVersionId, input.ConditionalToken);
    const application = await addLoggingOption(context, input.ApplicationName, { api: "v2", versionId }, input.CloudWatchLoggingOption);
    return { ...changed(application), CloudWatchLoggingOptionDescriptions: application.loggingOptions.map((option) => ({ ...option })) };
  },
});

export const deleteApplicationCloudWatchLoggingOptionV2 = defineAction<LoggingInput & { CloudWatchLoggingOptionId: string }, Changed & { CloudWatchLoggingOptionDescriptions: unknown[] }>({
  iamAction: "kinesisanalytics:DeleteApplicationCloudWatchLoggingOption",
  shape: shapes.DeleteApplicationCloudWatchLoggingOption,
  async run(context, input) {
    const versionId = await versionOf(context, input.ApplicationName, input.CurrentApplicationVersionId, input.ConditionalToken);
    const application = await deleteLoggingOption(context, input.ApplicationName, { api: "v2", versionId }, input.CloudWatchLoggingOptionId);
    return { ...changed(application), CloudWatchLoggingOptionDescriptions: application.loggingOptions.map((option) => ({ ...option })) };
  },
});
