/**
 * The v2 API's application actions (KinesisAnalytics_20180523) for SQL applications
 * (RuntimeEnvironment SQL-1_0), on the same store and runtime as v1: the configuration arrives in
 * ApplicationConfiguration.SqlApplicationConfiguration and ApplicationCodeConfiguration, the version
 * check may be CurrentApplicationVersionId or ConditionalToken, and an application changed through
 * v2 is refused by v1 calls, as the service does.
 */
import { defineAction, type AnalyticsContext } from "../../context.js";
import { kinesisAnalyticsV2RequestShapes as shapes } from "../../shapes/v2.generated.js";
import { analyticsErrors } from "../../errors.js";
import type { StartingPosition, StoredApplication, Tag } from "../../model.js";
import { changeApplication, requireApplication, settled } from "../common.js";
import { normaliseInput, normaliseLoggingOption, normaliseOutput, normaliseReference, numbered, checkApplicationParts, type InputRequest, type OutputRequest, type ReferenceRequest } from "../configuration.js";
import { applyItemUpdates, type ItemUpdates } from "../apply-updates.js";
import { checkCode } from "../code-check.js";
import { createStored, newApplication } from "../create-application.js";
import { deleteStored } from "../delete-application.js";
import { startStored, stopStored } from "../start-stop.js";
import { conditionalTokenOf, detailOfV2, summaryOfV2 } from "./detail.js";

type Detail = { ApplicationDetail: Record<string, unknown> };

interface CodeConfiguration {
  CodeContent?: { TextContent?: string; ZipFileContent?: Buffer; S3ContentLocation?: unknown };
  CodeContentType: "PLAINTEXT" | "ZIPFILE";
}

interface CreateInput {
  ApplicationName: string;
  ApplicationDescription?: string;
  RuntimeEnvironment: string;
  ServiceExecutionRole: string;
  ApplicationConfiguration?: {
    SqlApplicationConfiguration?: { Inputs?: InputRequest[]; Outputs?: OutputRequest[]; ReferenceDataSources?: ReferenceRequest[] };
    ApplicationCodeConfiguration?: CodeConfiguration;
    FlinkApplicationConfiguration?: unknown;
  };
  CloudWatchLoggingOptions?: { LogStreamARN: string }[];
  Tags?: Tag[];
  ApplicationMode?: string;
}

export function codeOf(configuration: CodeConfiguration | undefined): string {
  if (configuration === undefined) return "";
  if (configuration.CodeContentType !== "PLAINTEXT" || configuration.CodeContent?.ZipFileContent !== undefined || configuration.CodeContent?.S3ContentLocation !== undefined) {
    throw analyticsErrors.invalidArgument("SQL applications take their code as PLAINTEXT TextContent.");
  }
  return configuration.CodeContent?.TextContent ?? "";
}

export const createApplicationV2 = defineAction<CreateInput, Detail>({
  iamAction: "kinesisanalytics:CreateApplication",
  shape: shapes.CreateApplication,
  async run(context, input) {
    if (input.RuntimeEnvironment !== "SQL-1_0") throw analyticsErrors.unsupported(`RuntimeEnvironment ${input.RuntimeEnvironment} is not supported here: only SQL-1_0 applications run on this server.`);
    if (input.ApplicationMode !== undefined && input.ApplicationMode !== "STREAMING") throw analyticsErrors.invalidArgument("SQL applications run in STREAMING mode.");
    const sql = input.ApplicationConfiguration?.SqlApplicationConfiguration;
    const application = newApplication(context, input.ApplicationName, "v2", {
      ...(input.ApplicationDescription !== undefined && { ApplicationDescription: input.ApplicationDescription }),
      ApplicationCode: codeOf(input.ApplicationConfiguration?.ApplicationCodeConfiguration),
      inputs: numbered(sql?.Inputs ?? [], 1, normaliseInput),
      outputs: numbered(sql?.Outputs ?? [], 1, normaliseOutput),
      references: numbered(sql?.ReferenceDataSources ?? [], 1, normaliseReference),
      loggingOptions: numbered(input.CloudWatchLoggingOptions ?? [], 1, normaliseLoggingOption),
      tags: input.Tags ?? [],
      ServiceExecutionRole: input.ServiceExecutionRole,
      RuntimeEnvironment: "SQL-1_0",
    });
    await createStored(context, application);
    return { ApplicationDetail: detailOfV2(application) };
  },
});

export const describeApplicationV2 = defineAction<{ ApplicationName: string }, Detail>({
  iamAction: "kinesisanalytics:DescribeApplication",
  shape: shapes.DescribeApplication,
  async run(context, input) {
    return { ApplicationDetail: detailOfV2(await requireApplication(context, input.ApplicationName, "v2")) };
  },
});

const listLimitDefault = 50;

export const listApplicationsV2 = defineAction<{ Limit?: number; NextToken?: string }, { ApplicationSummaries: Record<string, unknown>[]; NextToken?: string }>({
  iamAction: "kinesisanalytics:ListApplications",
  shape: shapes.ListApplications,
  async run(context, input) {
    const nowMs = context.clock.nowMs();
    const all = (await context.store.list(context.accountId)).flatMap((stored) => settled(stored, nowMs) ?? []);
    const listed = all.filter((application) => input.NextToken === undefined || application.ApplicationName > input.NextToken);
    const page = listed.slice(0, input.Limit ?? listLimitDefault);
    return { ApplicationSummaries: page.map(summaryOfV2), ...(listed.length > page.length && { NextToken: page.at(-1)!.ApplicationName }) };
  },
});

export const deleteApplicationV2 = defineAction<{ ApplicationName: string; CreateTimestamp: number }, Record<string, never>>({
  iamAction: "kinesisanalytics:DeleteApplication",
  shape: shapes.DeleteApplication,
  async run(context, input) {
    await deleteStored(context, input.ApplicationName, "v2", (application) => {
      if (Math.floor(input.CreateTimestamp / 1000) !== Math.floor(application.createdAtMs / 1000)) {
        throw analyticsErrors.invalidArgument(`Application ${application.ApplicationName}'s create timestamp does not match the one given.`);
      }
    });
    return {};
  },
});

export const startApplicationV2 = defineAction<
  { ApplicationName: string; RunConfiguration?: { SqlRunConfigurations?: { InputId: string; InputStartingPositionConfiguration: { InputStartingPosition?: StartingPosition } }[]; FlinkRunConfiguration?: unknown } },
  Record<string, never>
>({
  iamAction: "kinesisanalytics:StartApplication",
  shape: shapes.StartApplication,
  async run(context, input) {
    const configurations = (input.RunConfiguration?.SqlRunConfigurations ?? []).map((run) => ({ Id: run.InputId, InputStartingPositionConfiguration: run.InputStartingPositionConfiguration }));
    await startStored(context, input.ApplicationName, "v2", configurations);
    return {};
  },
});

export const stopApplicationV2 = defineAction<{ ApplicationName: string; Force?: boolean }, Record<string, never>>({
  iamAction: "kinesisanalytics:StopApplication",
  shape: shapes.StopApplication,
  async run(context, input) {
    await stopStored(context, input.ApplicationName, "v2");
    return {};
  },
});

interface UpdateInput {
  ApplicationName: string;
  CurrentApplicationVersionId?: number;
  ConditionalToken?: string;
  ApplicationConfigurationUpdate?: {
    SqlApplicationConfigurationUpdate?: Omit<ItemUpdates, "CloudWatchLoggingOptionUpdates">;
    ApplicationCodeConfigurationUpdate?: { CodeContentTypeUpdate?: string; CodeContentUpdate?: { TextContentUpdate?: string; ZipFileContentUpdate?: Buffer; S3ContentLocationUpdate?: unknown } };
  };
  ServiceExecutionRoleUpdate?: string;
  CloudWatchLoggingOptionUpdates?: { CloudWatchLoggingOptionId: string; LogStreamARNUpdate?: string }[];
  RuntimeEnvironmentUpdate?: string;
}

export const updateApplicationV2 = defineAction<UpdateInput, Detail>({
  iamAction: "kinesisanalytics:UpdateApplication",
  shape: shapes.UpdateApplication,
  async run(context, input) {
    if (input.RuntimeEnvironmentUpdate !== undefined && input.RuntimeEnvironmentUpdate !== "SQL-1_0") throw analyticsErrors.unsupported(`RuntimeEnvironment ${input.RuntimeEnvironmentUpdate} is not supported here.`);
    const versionId = await versionOf(context, input.ApplicationName, input.CurrentApplicationVersionId, input.ConditionalToken);
    const configuration = input.ApplicationConfigurationUpdate;
    const code = configuration?.ApplicationCodeConfigurationUpdate;
    if (code?.CodeContentUpdate?.ZipFileContentUpdate !== undefined || code?.CodeContentUpdate?.S3ContentLocationUpdate !== undefined || (code?.CodeContentTypeUpdate ?? "PLAINTEXT") !== "PLAINTEXT") {
      throw analyticsErrors.invalidArgument("SQL applications take their code as PLAINTEXT TextContent.");
    }
    const updated = await changeApplication(context, input.ApplicationName, { api: "v2", versionId }, (application) => {
      const changed = applyItemUpdates(application, { ...configuration?.SqlApplicationConfigurationUpdate, ...(input.CloudWatchLoggingOptionUpdates !== undefined && { CloudWatchLoggingOptionUpdates: input.CloudWatchLoggingOptionUpdates }) });
      if (code?.CodeContentUpdate?.TextContentUpdate !== undefined) changed.ApplicationCode = code.CodeContentUpdate.TextContentUpdate;
      if (input.ServiceExecutionRoleUpdate !== undefined) changed.ServiceExecutionRole = input.ServiceExecutionRoleUpdate;
      checkApplicationParts(changed);
      checkCode(context, changed);
      return changed;
    });
    return { ApplicationDetail: detailOfV2(updated) };
  },
});

/**
 * The version a v2 change is checked against: CurrentApplicationVersionId, or the application's
 * version when the ConditionalToken given is its current one; one of the two is required.
 */
export async function versionOf(context: AnalyticsContext, name: string, versionId: number | undefined, token: string | undefined): Promise<number> {
  if (versionId !== undefined) return versionId;
  if (token === undefined) throw analyticsErrors.invalidArgument("Either CurrentApplicationVersionId or ConditionalToken must be provided.");
  const application: StoredApplication = await requireApplication(context, name, "v2");
  if (conditionalTokenOf(application) !== token) throw analyticsErrors.concurrentToken(name);
  return application.ApplicationVersionId;
}
