/**
 * AddApplicationCloudWatchLoggingOption and DeleteApplicationCloudWatchLoggingOption: kept and
 * described as configured. The runtime writes its configuration errors to the server's log (there
 * is no CloudWatch Logs here), docs/analytics/api.md.
 */
import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StoredApplication } from "../model.js";
import { changeApplication, itemId } from "./common.js";
import { checkApplicationParts, normaliseLoggingOption } from "./configuration.js";

type Versioned = { ApplicationName: string; CurrentApplicationVersionId: number };

export const addApplicationCloudWatchLoggingOption = defineAction<Versioned & { CloudWatchLoggingOption: { LogStreamARN: string; RoleARN: string } }, Record<string, never>>({
  iamAction: "kinesisanalytics:AddApplicationCloudWatchLoggingOption",
  shape: kinesisAnalyticsRequestShapes.AddApplicationCloudWatchLoggingOption,
  async run(context, input) {
    await addLoggingOption(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.CloudWatchLoggingOption);
    return {};
  },
});

export const deleteApplicationCloudWatchLoggingOption = defineAction<Versioned & { CloudWatchLoggingOptionId: string }, Record<string, never>>({
  iamAction: "kinesisanalytics:DeleteApplicationCloudWatchLoggingOption",
  shape: kinesisAnalyticsRequestShapes.DeleteApplicationCloudWatchLoggingOption,
  async run(context, input) {
    await deleteLoggingOption(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.CloudWatchLoggingOptionId);
    return {};
  },
});

export function addLoggingOption(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, option: { LogStreamARN: string; RoleARN?: string }): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application, nextVersionId) => {
    if (application.loggingOptions.some((existing) => existing.LogStreamARN === option.LogStreamARN)) {
      throw analyticsErrors.invalidArgument(`CloudWatch logging option with log stream ${option.LogStreamARN} already exists.`);
    }
    const changed = { ...application, loggingOptions: [...application.loggingOptions, normaliseLoggingOption(option, itemId(nextVersionId, 1))] };
    checkApplicationParts(changed);
    return changed;
  });
}

export function deleteLoggingOption(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, optionId: string): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application) => {
    if (!application.loggingOptions.some((option) => option.CloudWatchLoggingOptionId === optionId)) throw analyticsErrors.itemNotFound("CloudWatch logging option", optionId, name);
    return { ...application, loggingOptions: application.loggingOptions.filter((option) => option.CloudWatchLoggingOptionId !== optionId) };
  });
}
