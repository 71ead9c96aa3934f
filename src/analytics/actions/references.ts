/** AddApplicationReferenceDataSource and DeleteApplicationReferenceDataSource. */
import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StoredApplication } from "../model.js";
import { changeApplication, itemId } from "./common.js";
import { checkApplicationParts, normaliseReference, type ReferenceRequest } from "./configuration.js";

type Versioned = { ApplicationName: string; CurrentApplicationVersionId: number };

export const addApplicationReferenceDataSource = defineAction<Versioned & { ReferenceDataSource: ReferenceRequest }, Record<string, never>>({
  iamAction: "kinesisanalytics:AddApplicationReferenceDataSource",
  shape: kinesisAnalyticsRequestShapes.AddApplicationReferenceDataSource,
  async run(context, input) {
    await addReference(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.ReferenceDataSource);
    return {};
  },
});

export const deleteApplicationReferenceDataSource = defineAction<Versioned & { ReferenceId: string }, Record<string, never>>({
  iamAction: "kinesisanalytics:DeleteApplicationReferenceDataSource",
  shape: kinesisAnalyticsRequestShapes.DeleteApplicationReferenceDataSource,
  async run(context, input) {
    await deleteReference(context, input.ApplicationName, { versionId: input.CurrentApplicationVersionId }, input.ReferenceId);
    return {};
  },
});

export function addReference(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, request: ReferenceRequest): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application, nextVersionId) => {
    const changed = { ...application, references: [...application.references, normaliseReference(request, itemId(nextVersionId, 1))] };
    checkApplicationParts(changed);
    return changed;
  });
}

export function deleteReference(context: AnalyticsContext, name: string, options: { versionId?: number; api?: "v1" | "v2" }, referenceId: string): Promise<StoredApplication> {
  return changeApplication(context, name, options, (application) => {
    if (!application.references.some((reference) => reference.ReferenceId === referenceId)) throw analyticsErrors.itemNotFound("Reference data source", referenceId, name);
    return { ...application, references: application.references.filter((reference) => reference.ReferenceId !== referenceId) };
  });
}
