/**
 * GetMetricStatistics: one metric's Statistics and percentile ExtendedStatistics per period, at
 * most 1,440 periods a call. Checks in CloudWatch's order: missing parameters (MissingParameter,
 * all at once), Statistics or ExtendedStatistics (InvalidParameterCombination), each value
 * (InvalidParameterValue, the first), the time range, the datapoint limit.
 */
import { defineAction } from "../action.js";
import { getMetricStatisticsInput, getMetricStatisticsOutput, type GetMetricStatisticsInput } from "../model.js";
import { cloudWatchErrors, statisticNames } from "../errors.js";
import { dimensionProblems, dimensionsMax, isStandardUnit, lengthProblem, nameLengthMax, namespaceProblem, standardUnits, wholeSecondMs } from "./checks.js";
import { isValidPeriod, periodsIn, roundedStartMs } from "../statistics/periods.js";
import { isBasicStatistic, percentileOf, percentileValue, basicValue } from "../statistics/statistic.js";
import { readPeriods, seriesUnits } from "../statistics/read-periods.js";

/** CloudWatch's limit on the datapoints one GetMetricStatistics call may ask for. */
export const getMetricStatisticsDatapointsMax = 1440;
const statisticsMax = 5;
const extendedStatisticsMax = 10;

export const getMetricStatistics = defineAction<GetMetricStatisticsInput>({
  input: getMetricStatisticsInput,
  output: getMetricStatisticsOutput,
  iamAction: "cloudwatch:GetMetricStatistics",
  async run(context, input) {
    const { Namespace, MetricName, StartTime, EndTime, Period } = checked(input);
    const endMs = wholeSecondMs(EndTime);
    const startMs = roundedStartMs(wholeSecondMs(StartTime), Period, context.clock.nowMs());
    const requested = periodsIn(startMs, endMs, Period);
    if (requested > getMetricStatisticsDatapointsMax) throw cloudWatchErrors.tooManyDatapoints(requested, getMetricStatisticsDatapointsMax);

    // The caller's account's series only: CloudWatch is per account.
    const id = { Namespace, MetricName, Dimensions: (input.Dimensions ?? []).map((d) => ({ Name: d.Name!, Value: d.Value! })), AccountId: context.accountId };
    const units = await seriesUnits(context.metrics, context.accountId, Namespace);
    const { unit, buckets } = await readPeriods(context.metrics, units, { id, startMs, endMs, periodSeconds: Period, ...(input.Unit !== undefined && { unit: input.Unit }) });
    const Datapoints = buckets.map((bucket) => {
      const datapoint: Record<string, unknown> = { Timestamp: new Date(bucket.timestampMs) };
      for (const statistic of input.Statistics ?? []) if (isBasicStatistic(statistic)) datapoint[statistic] = basicValue(bucket.stats, statistic);
      if (input.ExtendedStatistics !== undefined) {
        const extended: Record<string, number> = {};
        for (const name of input.ExtendedStatistics) {
          const value = percentileValue(bucket.sets, percentileOf(name)!);
          if (value !== undefined) extended[name] = value;
        }
        datapoint.ExtendedStatistics = extended;
      }
      datapoint.Unit = unit;
      return datapoint;
    });
    return { Label: MetricName, Datapoints };
  },
});

interface CheckedInput {
  Namespace: string;
  MetricName: string;
  StartTime: number;
  EndTime: number;
  Period: number;
}

function checked(input: GetMetricStatisticsInput): CheckedInput {
  const dimensions = dimensionProblems(input.Dimensions, "Dimensions", true, dimensionsMax);
  const missing: string[] = [];
  for (const name of ["Namespace", "MetricName", "StartTime", "EndTime", "Period"] as const) {
    if (input[name] === undefined) missing.push(`The parameter ${name} is required.`);
  }
  missing.push(...dimensions.missing);
  if (missing.length > 0) throw cloudWatchErrors.missingParameter(missing.join("\n"));
  const hasStatistics = input.Statistics !== undefined && input.Statistics.length > 0;
  const hasExtended = input.ExtendedStatistics !== undefined && input.ExtendedStatistics.length > 0;
  if (!hasStatistics && !hasExtended) throw cloudWatchErrors.invalidParameterCombination("Must specify either Statistics or ExtendedStatistics");
  if (hasStatistics && hasExtended) throw cloudWatchErrors.invalidParameterCombination("Must specify either Statistics or ExtendedStatistics, but not both.");
  const problem = valueProblem(input, dimensions.invalid);
  if (problem !== undefined) throw cloudWatchErrors.invalidParameterValue(problem);
  const startMs = wholeSecondMs(input.StartTime!);
  const endMs = wholeSecondMs(input.EndTime!);
  if (startMs === endMs) throw cloudWatchErrors.invalidParameterValue("The parameter StartTime must not equal parameter EndTime.");
  if (startMs > endMs) throw cloudWatchErrors.invalidParameterValue("The parameter StartTime must be less than the parameter EndTime.");
  return input as CheckedInput;
}

function valueProblem(input: GetMetricStatisticsInput, dimensionProblems: readonly string[]): string | undefined {
  const simple =
    namespaceProblem(input.Namespace!, "Namespace") ?? lengthProblem(input.MetricName!, "MetricName", 1, nameLengthMax) ?? dimensionProblems[0];
  if (simple !== undefined) return simple;
  const statistics = input.Statistics ?? [];
  if (statistics.length > statisticsMax) return `The collection Statistics must not have a size greater than ${statisticsMax}.`;
  const badStatistic = statistics.findIndex((statistic) => !isBasicStatistic(statistic));
  if (badStatistic >= 0) return `The parameter Statistics.member.${badStatistic + 1} must be a value in the set [ ${statisticNames.join(", ")} ].`;
  const extended = input.ExtendedStatistics ?? [];
  if (extended.length > extendedStatisticsMax) return `The collection ExtendedStatistics must not have a size greater than ${extendedStatisticsMax}.`;
  const badExtended = extended.findIndex((statistic) => percentileOf(statistic) === undefined);
  if (badExtended >= 0) return `The value ${extended[badExtended]} for parameter ExtendedStatistics.member.${badExtended + 1} is not supported.`;
  if (input.Unit !== undefined && !isStandardUnit(input.Unit)) return `The parameter Unit must be a value in the set [ ${standardUnits.join(", ")} ].`;
  const period = input.Period!;
  if (period < 0) return "The parameter Period must be greater than 0.";
  if (period === 0) return "The parameter Period must not equal 0.";
  if (!isValidPeriod(period)) return "The parameter Period must be a multiple of 60.";
  return undefined;
}
