/**
 * GetMetricData with metric math off: each MetricDataQuery's MetricStat is one metric's statistic
 * per period, returned as parallel Timestamps and Values (newest first unless ScanBy says
 * otherwise), with its label (labels.ts). Up to MaxDatapoints (100,800 by default) datapoints a
 * call over all queries: a query cut short is PartialData and NextToken resumes at its next
 * datapoint. An Expression (metric math, Metrics Insights) is refused with a ValidationError.
 *
 * All problems with the request are collected into one ValidationError, a line each, as
 * CloudWatch answers them.
 */
import { decodePageToken, encodePageToken } from "../../core/page-token.js";
import type { MetricId } from "../../core/metrics.js";
import { defineAction, type CloudWatchContext } from "../action.js";
import { getMetricDataInput, getMetricDataOutput, type GetMetricDataInput, type MetricDataQueryInput } from "../model.js";
import { cloudWatchErrors } from "../errors.js";
import { dimensionProblems, dimensionsMax, isStandardUnit, lengthProblem, nameLengthMax, namespaceProblem, wholeSecondMs } from "./checks.js";
import { isValidPeriod, roundedStartMs } from "../statistics/periods.js";
import { isStatistic, statisticValue } from "../statistics/statistic.js";
import { readPeriods, seriesUnits } from "../statistics/read-periods.js";
import { resolveLabel, timezoneOffsetMinutes } from "../statistics/labels.js";

/** GetMetricData's limits (API reference): 500 queries, 100,800 datapoints a call unless MaxDatapoints says fewer. */
export const metricDataQueriesMax = 500;
export const getMetricDataDatapointsDefault = 100_800;
const idPattern = /^[a-z][a-zA-Z0-9_]*$/;

interface Series {
  Id: string;
  Label: string;
  points: { timestampMs: number; value: number }[];
  forbidden: boolean;
}

export const getMetricData = defineAction<GetMetricDataInput>({
  input: getMetricDataInput,
  output: getMetricDataOutput,
  iamAction: "cloudwatch:GetMetricData",
  async run(context, input) {
    const problems = requestProblems(input);
    if (problems.length > 0) throw cloudWatchErrors.validation(problems);
    const startMs = wholeSecondMs(input.StartTime!);
    const endMs = wholeSecondMs(input.EndTime!);
    const fingerprint = `${startMs}:${endMs}:${input.MetricDataQueries!.map((query) => query.Id).join(",")}`;
    const resume = input.NextToken === undefined ? { query: 0, offset: 0 } : resumeAt(context.tokenKey, input.NextToken, fingerprint);
    const descending = (input.ScanBy ?? "TimestampDescending") === "TimestampDescending";
    const offsetMinutes = timezoneOffsetMinutes(input.LabelOptions?.Timezone ?? "+0000")!;

    const returned = input.MetricDataQueries!.filter((query) => query.ReturnData !== false);
    const series = await readSeries(context, returned, startMs, endMs, offsetMinutes);
    let budget = input.MaxDatapoints ?? getMetricDataDatapointsDefault;
    const MetricDataResults: Record<string, unknown>[] = [];
    let NextToken: string | undefined;
    for (let index = resume.query; index < series.length; index++) {
      const one = series[index]!;
      const ordered = descending ? [...one.points].reverse() : one.points;
      const from = index === resume.query ? resume.offset : 0;
      if (budget === 0 && from < ordered.length) {
        NextToken = encodePageToken(context.tokenKey, context.clock.nowMs(), { action: "GetMetricData", fingerprint, query: index, offset: from });
        break;
      }
      const page = ordered.slice(from, from + budget);
      budget -= page.length;
      const partial = from + page.length < ordered.length;
      MetricDataResults.push({
        Id: one.Id,
        Label: one.Label,
        Timestamps: page.map((point) => new Date(point.timestampMs)),
        Values: page.map((point) => point.value),
        StatusCode: one.forbidden ? "Forbidden" : partial ? "PartialData" : "Complete",
        Messages: [],
      });
      if (partial) {
        NextToken = encodePageToken(context.tokenKey, context.clock.nowMs(), { action: "GetMetricData", fingerprint, query: index, offset: from + page.length });
        break;
      }
    }
    return { MetricDataResults, ...(NextToken !== undefined && { NextToken }), Messages: [] };
  },
});

async function readSeries(context: CloudWatchContext, queries: readonly MetricDataQueryInput[], startMs: number, endMs: number, offsetMinutes: number): Promise<Series[]> {
  const units = await seriesUnits(context.metrics, context.accountId);
  const nowMs = context.clock.nowMs();
  const series: Series[] = [];
  for (const query of queries) {
    const stat = query.MetricStat!;
    const metric = stat.Metric!;
    // The caller's account's series only: CloudWatch is per account.
    const id = { Namespace: metric.Namespace!, MetricName: metric.MetricName!, Dimensions: (metric.Dimensions ?? []).map((d) => ({ Name: d.Name!, Value: d.Value! })), AccountId: context.accountId } satisfies MetricId;
    // Cross-account observability is not served: another account's metric is Forbidden, as one not shared with the caller is.
    const forbidden = query.AccountId !== undefined && query.AccountId !== context.accountId;
    const points: { timestampMs: number; value: number }[] = [];
    if (!forbidden) {
      const periodStartMs = roundedStartMs(startMs, stat.Period!, nowMs);
      const { buckets } = await readPeriods(context.metrics, units, { id, startMs: periodStartMs, endMs, periodSeconds: stat.Period!, ...(stat.Unit !== undefined && { unit: stat.Unit }) });
      for (const bucket of buckets) {
        const value = statisticValue(bucket, stat.Stat!);
        if (value !== undefined) points.push({ timestampMs: bucket.timestampMs, value });
      }
    }
    const Label = resolveLabel({
      label: query.Label,
      namespace: id.Namespace,
      metricName: id.MetricName,
      dimensions: id.Dimensions,
      periodSeconds: stat.Period!,
      stat: stat.Stat!,
      accountId: query.AccountId ?? context.accountId,
      region: context.region,
      points,
      offsetMinutes,
    });
    series.push({ Id: query.Id!, Label, points, forbidden });
  }
  return series;
}

function resumeAt(tokenKey: Buffer, token: string, fingerprint: string): { query: number; offset: number } {
  const payload = decodePageToken(tokenKey, token)?.payload as { action?: unknown; fingerprint?: unknown; query?: unknown; offset?: unknown } | undefined;
  if (payload?.action !== "GetMetricData" || payload.fingerprint !== fingerprint || !Number.isSafeInteger(payload.query) || !Number.isSafeInteger(payload.offset)) {
    throw cloudWatchErrors.invalidNextToken("The service couldn't process the provided NextToken. Check that it is unchanged and that the rest of the request is the same as the one it came with.");
  }
  return { query: payload.query as number, offset: payload.offset as number };
}

function requestProblems(input: GetMetricDataInput): string[] {
  const problems: string[] = [];
  if (input.MetricDataQueries === undefined || input.MetricDataQueries.length === 0) problems.push("The parameter MetricDataQueries is required.");
  if (input.StartTime === undefined) problems.push("The parameter StartTime is required.");
  if (input.EndTime === undefined) problems.push("The parameter EndTime is required.");
  const queries = input.MetricDataQueries ?? [];
  if (queries.length > metricDataQueriesMax) problems.push(`The collection MetricDataQueries must not have a size greater than ${metricDataQueriesMax}.`);
  const ids = new Set<string>();
  queries.forEach((query, index) => {
    const prefix = `MetricDataQueries.member.${index + 1}`;
    if (query === undefined) {
      problems.push(`The parameter ${prefix}.Id is required.`);
      return;
    }
    problems.push(...queryProblems(query, prefix));
    if (query.Id !== undefined) {
      if (ids.has(query.Id)) problems.push(`The value ${query.Id} for parameter ${prefix}.Id is not unique.`);
      ids.add(query.Id);
    }
  });
  if (input.ScanBy !== undefined && input.ScanBy !== "TimestampDescending" && input.ScanBy !== "TimestampAscending") {
    problems.push(`The value ${input.ScanBy} for parameter ScanBy is not valid. Valid values are TimestampDescending and TimestampAscending.`);
  }
  if (input.MaxDatapoints !== undefined && input.MaxDatapoints < 1) problems.push("The parameter MaxDatapoints must be greater than 0.");
  const timezone = input.LabelOptions?.Timezone;
  if (timezone !== undefined && timezoneOffsetMinutes(timezone) === undefined) {
    problems.push(`The value ${timezone} for parameter LabelOptions.Timezone is not valid. Use the format +HHMM or -HHMM.`);
  }
  if (input.StartTime !== undefined && input.EndTime !== undefined) {
    const startMs = wholeSecondMs(input.StartTime);
    const endMs = wholeSecondMs(input.EndTime);
    if (startMs === endMs) problems.push("The parameter StartTime must not equal parameter EndTime.");
    else if (startMs > endMs) problems.push("The parameter EndTime must be greater than StartTime.");
  }
  return problems;
}

function queryProblems(query: MetricDataQueryInput, prefix: string): string[] {
  const problems: string[] = [];
  if (query.Id === undefined) problems.push(`The parameter ${prefix}.Id is required.`);
  else if (query.Id.length > nameLengthMax) problems.push(lengthProblem(query.Id, `${prefix}.Id`, 1, nameLengthMax)!);
  else if (!idPattern.test(query.Id)) problems.push(`The value ${query.Id} for parameter ${prefix}.Id is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$.`);
  if (query.Expression !== undefined) {
    problems.push(
      query.MetricStat !== undefined
        ? `The parameters ${prefix}.MetricStat and ${prefix}.Expression are mutually exclusive.`
        : `The parameter ${prefix}.Expression is not supported: metric math and Metrics Insights queries are off on this server (docs/cloudwatch.md).`,
    );
    return problems;
  }
  const stat = query.MetricStat;
  if (stat === undefined) {
    problems.push(`The parameter ${prefix}.MetricStat is required.`);
    return problems;
  }
  const metric = stat.Metric;
  if (metric === undefined) problems.push(`The parameter ${prefix}.MetricStat.Metric is required.`);
  else {
    if (metric.Namespace === undefined) problems.push(`The parameter ${prefix}.MetricStat.Metric.Namespace is required.`);
    else pushDefined(problems, namespaceProblem(metric.Namespace, `${prefix}.MetricStat.Metric.Namespace`));
    if (metric.MetricName === undefined) problems.push(`The parameter ${prefix}.MetricStat.Metric.MetricName is required.`);
    else pushDefined(problems, lengthProblem(metric.MetricName, `${prefix}.MetricStat.Metric.MetricName`, 1, nameLengthMax));
    const dimensions = dimensionProblems(metric.Dimensions, `${prefix}.MetricStat.Metric.Dimensions`, true, dimensionsMax);
    problems.push(...dimensions.missing, ...dimensions.invalid);
  }
  if (stat.Period === undefined) problems.push(`The parameter ${prefix}.MetricStat.Period is required.`);
  else if (!isValidPeriod(stat.Period)) {
    problems.push(`The value ${stat.Period} for parameter ${prefix}.MetricStat.Period is not valid. The period must be 1, 5, 10, 20, 30 or a multiple of 60.`);
  }
  if (stat.Stat === undefined) problems.push(`The parameter ${prefix}.MetricStat.Stat is required.`);
  else if (!isStatistic(stat.Stat)) problems.push(`The value ${stat.Stat} for parameter ${prefix}.MetricStat.Stat is not a valid statistic.`);
  if (stat.Unit !== undefined && !isStandardUnit(stat.Unit)) problems.push(`The value ${stat.Unit} for parameter ${prefix}.MetricStat.Unit is not a valid unit.`);
  return problems;
}

function pushDefined(problems: string[], problem: string | undefined): void {
  if (problem !== undefined) problems.push(problem);
}
