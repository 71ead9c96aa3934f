/**
 * ListMetrics: the caller's account's series the store holds, filtered by namespace, name and
 * dimensions (a filter without a Value matches any value), 500 a page in a stable order (namespace, name, dimensions)
 * with a NextToken that resumes after the last one listed — a series that appears meanwhile is
 * listed in its place, none is listed twice. RecentlyActive=PT3H keeps those with a sample in the
 * past three hours.
 */
import { metricKey, type MetricFilter, type MetricId, type MetricsReader } from "../../core/metrics.js";
import { decodePageToken, encodePageToken } from "../../core/page-token.js";
import { defineAction } from "../action.js";
import { listMetricsInput, listMetricsOutput, type ListMetricsInput } from "../model.js";
import { cloudWatchErrors } from "../errors.js";
import { dimensionProblems, lengthProblem, nameLengthMax, namespaceProblem } from "./checks.js";

/** ListMetrics' page size (API reference: "Up to 500 results are returned for any one call"). */
export const listMetricsPageSize = 500;
const dimensionFiltersMax = 10;
const recentlyActiveMs = 3 * 3_600_000;

export const listMetrics = defineAction<ListMetricsInput>({
  input: listMetricsInput,
  output: listMetricsOutput,
  iamAction: "cloudwatch:ListMetrics",
  async run(context, input) {
    const problem = valueProblem(input);
    if (problem !== undefined) throw cloudWatchErrors.invalidParameterValue(problem);
    const after = input.NextToken === undefined ? undefined : resumeKey(context.tokenKey, input.NextToken);
    // The caller's account's series only: CloudWatch is per account.
    const filter: MetricFilter = {
      AccountId: context.accountId,
      ...(input.Namespace !== undefined && { Namespace: input.Namespace }),
      ...(input.MetricName !== undefined && { MetricName: input.MetricName }),
      ...(input.Dimensions !== undefined && { Dimensions: input.Dimensions.map((d) => ({ Name: d.Name!, ...(d.Value !== undefined && { Value: d.Value }) })) }),
    };
    const nowMs = context.clock.nowMs();
    let found = (await context.metrics.listMetrics(filter)).map(({ id }) => ({ id, key: metricKey(id) }));
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (after !== undefined) found = found.filter((metric) => metric.key > after);
    const page: { id: MetricId; key: string }[] = [];
    for (const metric of found) {
      if (page.length === listMetricsPageSize) break;
      if (input.RecentlyActive !== undefined && !(await recentlyActive(context.metrics, metric.id, nowMs))) continue;
      page.push(metric);
    }
    const last = page[page.length - 1];
    const more = last !== undefined && page.length === listMetricsPageSize && found[found.length - 1]!.key !== last.key;
    return {
      Metrics: page.map(({ id }) => ({ Namespace: id.Namespace, MetricName: id.MetricName, Dimensions: id.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })) })),
      ...(more && { NextToken: encodePageToken(context.tokenKey, nowMs, { action: "ListMetrics", after: last.key }) }),
      ...(input.IncludeLinkedAccounts === true && { OwningAccounts: page.map(() => context.accountId) }),
    };
  },
});

function valueProblem(input: ListMetricsInput): string | undefined {
  if (input.Namespace !== undefined) {
    const problem = namespaceProblem(input.Namespace, "Namespace");
    if (problem !== undefined) return problem;
  }
  if (input.MetricName !== undefined) {
    const problem = lengthProblem(input.MetricName, "MetricName", 1, nameLengthMax);
    if (problem !== undefined) return problem;
  }
  const dimensions = dimensionProblems(input.Dimensions, "Dimensions", false, dimensionFiltersMax);
  const dimensionProblem = dimensions.missing[0] ?? dimensions.invalid[0];
  if (dimensionProblem !== undefined) return dimensionProblem;
  if (input.RecentlyActive !== undefined && input.RecentlyActive !== "PT3H") return "The parameter RecentlyActive must be a value in the set [ PT3H ].";
  return undefined;
}

function resumeKey(tokenKey: Buffer, token: string): string {
  const decoded = decodePageToken(tokenKey, token)?.payload as { action?: unknown; after?: unknown } | undefined;
  if (decoded?.action !== "ListMetrics" || typeof decoded.after !== "string") throw cloudWatchErrors.invalidParameterValue(`The value ${token} for parameter NextToken is invalid.`);
  return decoded.after;
}

/** Whether the series has a sample in the past three hours (the store's minutes; the current minute counts). */
async function recentlyActive(metrics: MetricsReader, id: MetricId, nowMs: number): Promise<boolean> {
  const periods = await metrics.statistics(id, nowMs - recentlyActiveMs, nowMs + 60_000, 60);
  return periods.some((period) => period.stats.SampleCount > 0);
}
