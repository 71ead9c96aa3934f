import { defineAction } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { settled, requireApplication } from "./common.js";
import { detailOf, summaryOf, type ApplicationSummary } from "./application-detail.js";

export const describeApplication = defineAction<{ ApplicationName: string }, { ApplicationDetail: Record<string, unknown> }>({
  iamAction: "kinesisanalytics:DescribeApplication",
  shape: kinesisAnalyticsRequestShapes.DescribeApplication,
  async run(context, input) {
    return { ApplicationDetail: detailOf(await requireApplication(context, input.ApplicationName)) };
  },
});

const limitDefault = 50;

export const listApplications = defineAction<{ Limit?: number; ExclusiveStartApplicationName?: string }, { ApplicationSummaries: ApplicationSummary[]; HasMoreApplications: boolean }>({
  iamAction: "kinesisanalytics:ListApplications",
  shape: kinesisAnalyticsRequestShapes.ListApplications,
  async run(context, input) {
    const nowMs = context.clock.nowMs();
    const all = (await context.store.list(context.accountId)).flatMap((stored) => settled(stored, nowMs) ?? []);
    // Names sort by their characters; a start name that does not exist still starts after it.
    const after = input.ExclusiveStartApplicationName;
    const listed = all.filter((application) => after === undefined || application.ApplicationName > after);
    const limit = input.Limit ?? limitDefault;
    return { ApplicationSummaries: listed.slice(0, limit).map(summaryOf), HasMoreApplications: listed.length > limit };
  },
});
