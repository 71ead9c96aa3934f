import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StoredApplication, Tag } from "../model.js";
import { applicationArn, settled } from "./common.js";
import { checkApplicationParts, normaliseInput, normaliseLoggingOption, normaliseOutput, numbered, type InputRequest, type OutputRequest } from "./configuration.js";
import { checkCode } from "./code-check.js";
import { checkTags } from "./tag-rules.js";
import { summaryOf, type ApplicationSummary } from "./application-detail.js";

interface CreateInput {
  ApplicationName: string;
  ApplicationDescription?: string;
  Inputs?: InputRequest[];
  Outputs?: OutputRequest[];
  CloudWatchLoggingOptions?: { LogStreamARN: string; RoleARN: string }[];
  ApplicationCode?: string;
  Tags?: Tag[];
}

export const createApplication = defineAction<CreateInput, { ApplicationSummary: ApplicationSummary }>({
  iamAction: "kinesisanalytics:CreateApplication",
  shape: kinesisAnalyticsRequestShapes.CreateApplication,
  async run(context, input) {
    const application = newApplication(context, input.ApplicationName, "v1", {
      ...(input.ApplicationDescription !== undefined && { ApplicationDescription: input.ApplicationDescription }),
      ApplicationCode: input.ApplicationCode ?? "",
      inputs: numbered(input.Inputs ?? [], 1, normaliseInput),
      outputs: numbered(input.Outputs ?? [], 1, normaliseOutput),
      loggingOptions: numbered(input.CloudWatchLoggingOptions ?? [], 1, normaliseLoggingOption),
      tags: input.Tags ?? [],
    });
    await createStored(context, application);
    return { ApplicationSummary: summaryOf(application) };
  },
});

type Parts = Pick<StoredApplication, "ApplicationCode" | "inputs" | "outputs" | "loggingOptions" | "tags"> & Partial<Pick<StoredApplication, "ApplicationDescription" | "references" | "ServiceExecutionRole" | "RuntimeEnvironment">>;

/** A READY application at version 1 (v1 and v2 CreateApplication). */
export function newApplication(context: AnalyticsContext, name: string, api: "v1" | "v2", parts: Parts): StoredApplication {
  checkTags(parts.tags);
  const application: StoredApplication = {
    ApplicationName: name,
    ApplicationARN: applicationArn(context.config.region, context.accountId, name),
    ApplicationVersionId: 1,
    // To the second, as the service keeps it: DeleteApplication's CreateTimestamp must match it.
    createdAtMs: Math.floor(context.clock.nowMs() / 1000) * 1000,
    status: "READY",
    running: false,
    runNumber: 0,
    references: [],
    incarnationId: context.random.bytes(12).toString("hex"),
    api,
    ...parts,
  };
  checkApplicationParts(application);
  checkCode(context, application);
  return application;
}

/** Stores a new application: the name must be free and the account under its quota. */
export async function createStored(context: AnalyticsContext, application: StoredApplication): Promise<void> {
  const nowMs = context.clock.nowMs();
  const existing = await context.store.list(context.accountId);
  const live = existing.filter((other) => settled(other, nowMs) !== undefined);
  if (live.some((other) => other.ApplicationName === application.ApplicationName)) throw analyticsErrors.alreadyExists(application.ApplicationName);
  if (live.length >= context.config.applicationsMax) {
    throw analyticsErrors.limitExceeded(`You have reached the limit of ${context.config.applicationsMax} applications for this account.`);
  }
  // A deletion that is through but not yet removed frees the name now.
  const gone = existing.find((other) => other.ApplicationName === application.ApplicationName);
  if (gone !== undefined) {
    await context.store.remove(context.accountId, gone.ApplicationName, gone.incarnationId);
    await context.store.dropCheckpoints(context.accountId, gone.incarnationId);
  }
  if (!(await context.store.create(context.accountId, application))) throw analyticsErrors.alreadyExists(application.ApplicationName);
}
