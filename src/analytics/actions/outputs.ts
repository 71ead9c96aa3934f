/** AddApplicationOutput and DeleteApplicationOutput. */
import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StoredApplication } from "../model.js";
import { changeApplication, itemId } from "./common.js";
import { checkApplicationParts, normaliseOutput, type OutputRequest } from "./configuration.js";

type Versioned = { ApplicationName: string; CurrentApplicationVersionId: number };

export const addApplicationOutput = defineAction<Versioned & { Output: OutputRequest }, Record<string, never>>({
  iamAction: "kinesisanalytics:AddApplicationOutput",
  shape: kinesisAnalyticsRequestShapes.AddApplicationOutput,
  async run(context, input) {
    await addOutput(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.Output);
    return {};
  },
});

export const deleteApplicationOutput = defineAction<Versioned & { OutputId: string }, Record<string, never>>({
  iamAction: "kinesisanalytics:DeleteApplicationOutput",
  shape: kinesisAnalyticsRequestShapes.DeleteApplicationOutput,
  async run(context, input) {
    await deleteOutput(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.OutputId);
    return {};
  },
});

export function addOutput(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, request: OutputRequest): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application, nextVersionId) => {
    const changed = { ...application, outputs: [...application.outputs, normaliseOutput(request, itemId(nextVersionId, 1))] };
    checkApplicationParts(changed);
    return changed;
  });
}

export function deleteOutput(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, outputId: string): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application) => {
    if (!application.outputs.some((output) => output.OutputId === outputId)) throw analyticsErrors.itemNotFound("Output", outputId, name);
    return { ...application, outputs: application.outputs.filter((output) => output.OutputId !== outputId) };
  });
}
