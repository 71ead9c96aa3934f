/** The v2 API's views of an application: ApplicationDetail (SQL applications) and ApplicationSummary. */
import type { StoredApplication } from "../../model.js";
import { inputDescription, outputDescription, referenceDescription } from "../application-detail.js";

export function conditionalTokenOf(application: StoredApplication): string {
  return `${application.incarnationId.slice(0, 16)}${application.ApplicationVersionId.toString(16).padStart(8, "0")}`;
}

export function detailOfV2(application: StoredApplication): Record<string, unknown> {
  return {
    ApplicationARN: application.ApplicationARN,
    ...(application.ApplicationDescription !== undefined && { ApplicationDescription: application.ApplicationDescription }),
    ApplicationName: application.ApplicationName,
    RuntimeEnvironment: application.RuntimeEnvironment ?? "SQL-1_0",
    ...(application.ServiceExecutionRole !== undefined && { ServiceExecutionRole: application.ServiceExecutionRole }),
    ApplicationStatus: application.status,
    ApplicationVersionId: application.ApplicationVersionId,
    CreateTimestamp: new Date(application.createdAtMs),
    ...(application.lastUpdatedAtMs !== undefined && { LastUpdateTimestamp: new Date(application.lastUpdatedAtMs) }),
    ApplicationConfigurationDescription: {
      SqlApplicationConfigurationDescription: {
        InputDescriptions: application.inputs.map(inputDescription),
        OutputDescriptions: application.outputs.map(outputDescription),
        ReferenceDataSourceDescriptions: application.references.map(referenceDescription),
      },
      ApplicationCodeConfigurationDescription: {
        CodeContentType: "PLAINTEXT",
        ...(application.ApplicationCode !== "" && { CodeContentDescription: { TextContent: application.ApplicationCode } }),
      },
    },
    CloudWatchLoggingOptionDescriptions: application.loggingOptions.map((option) => ({ ...option })),
    ConditionalToken: conditionalTokenOf(application),
    ApplicationMode: "STREAMING",
  };
}

export function summaryOfV2(application: StoredApplication): Record<string, unknown> {
  return {
    ApplicationName: application.ApplicationName,
    ApplicationARN: application.ApplicationARN,
    ApplicationStatus: application.status,
    ApplicationVersionId: application.ApplicationVersionId,
    RuntimeEnvironment: application.RuntimeEnvironment ?? "SQL-1_0",
    ApplicationMode: "STREAMING",
  };
}
