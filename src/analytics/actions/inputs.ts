/** AddApplicationInput, AddApplicationInputProcessingConfiguration, DeleteApplicationInputProcessingConfiguration. */
import { defineAction } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { ResourceRole, StoredApplication } from "../model.js";
import { changeApplication, itemId } from "./common.js";
import { checkApplicationParts, normaliseInput, type InputRequest } from "./configuration.js";
import { checkCode } from "./code-check.js";
import type { AnalyticsContext } from "../context.js";

type Versioned = { ApplicationName: string; CurrentApplicationVersionId: number };

export const addApplicationInput = defineAction<Versioned & { Input: InputRequest }, Record<string, never>>({
  iamAction: "kinesisanalytics:AddApplicationInput",
  shape: kinesisAnalyticsRequestShapes.AddApplicationInput,
  async run(context, input) {
    await addInput(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.Input);
    return {};
  },
});

export async function addInput(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, request: InputRequest): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application, nextVersionId) => {
    if (application.inputs.length > 0) throw analyticsErrors.invalidArgument(`Application ${name} already has an input; an application can have only one.`);
    const changed = { ...application, inputs: [...application.inputs, normaliseInput(request, itemId(nextVersionId, 1))] };
    checkApplicationParts(changed);
    checkCode(context, changed);
    return changed;
  });
}

export const addApplicationInputProcessingConfiguration = defineAction<Versioned & { InputId: string; InputProcessingConfiguration: { InputLambdaProcessor: ResourceRole } }, Record<string, never>>({
  iamAction: "kinesisanalytics:AddApplicationInputProcessingConfiguration",
  shape: kinesisAnalyticsRequestShapes.AddApplicationInputProcessingConfiguration,
  async run(context, input) {
    await setProcessing(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.InputId, input.InputProcessingConfiguration);
    return {};
  },
});

export const deleteApplicationInputProcessingConfiguration = defineAction<Versioned & { InputId: string }, Record<string, never>>({
  iamAction: "kinesisanalytics:DeleteApplicationInputProcessingConfiguration",
  shape: kinesisAnalyticsRequestShapes.DeleteApplicationInputProcessingConfiguration,
  async run(context, input) {
    await setProcessing(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.InputId, undefined);
    return {};
  },
});

/** Adds (a configuration) or removes (undefined) an input's Lambda preprocessing. */
export async function setProcessing(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, inputId: string, configuration: { InputLambdaProcessor: ResourceRole } | undefined): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application) => {
    const target = application.inputs.find((stored) => stored.InputId === inputId);
    if (target === undefined) throw analyticsErrors.itemNotFound("Input", inputId, name);
    if (configuration !== undefined && target.InputProcessingConfiguration !== undefined) {
      throw analyticsErrors.invalidArgument(`Input ${inputId} of application ${name} already has an input processing configuration.`);
    }
    if (configuration === undefined && target.InputProcessingConfiguration === undefined) {
      throw analyticsErrors.itemNotFound("Input processing configuration of input", inputId, name);
    }
    const inputs = application.inputs.map((stored) => {
      if (stored !== target) return stored;
      const { InputProcessingConfiguration: _previous, ...rest } = stored;
      return configuration === undefined ? rest : { ...rest, InputProcessingConfiguration: configuration };
    });
    return { ...application, inputs };
  });
}
