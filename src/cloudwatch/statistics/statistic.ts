/**
 * The statistics CloudWatch computes over a period: the five of a statistic set, and percentiles
 * (`p99`, `p99.9`). This server keeps statistic sets only (per second and per minute,
 * src/storage/metrics), so a percentile follows CloudWatch's rule for data published as
 * statistic sets (User Guide, "Percentiles"): it is available only when every set in the period
 * holds one value repeated (Minimum = Maximum) and none is negative; otherwise the period has no
 * value for it. Within that rule the answer is exact (nearest rank).
 */
import { emptyStatistics, mergeStatistics, type StatisticSet } from "../../core/metrics.js";

export type BasicStatistic = "SampleCount" | "Average" | "Sum" | "Minimum" | "Maximum";

const basic: ReadonlySet<string> = new Set(["SampleCount", "Average", "Sum", "Minimum", "Maximum"]);

/** `p0` to `p100`, with up to ten decimals (`p99.99`). */
const percentilePattern = /^p(\d{1,2}(\.\d{1,10})?|100(\.0{1,10})?)$/;

export function isBasicStatistic(name: string): name is BasicStatistic {
  return basic.has(name);
}

export function percentileOf(name: string): number | undefined {
  return percentilePattern.test(name) ? Number(name.slice(1)) : undefined;
}

export function isStatistic(name: string): boolean {
  return isBasicStatistic(name) || percentileOf(name) !== undefined;
}

export function basicValue(stats: StatisticSet, statistic: BasicStatistic): number {
  switch (statistic) {
    case "SampleCount":
      return stats.SampleCount;
    case "Sum":
      return stats.Sum;
    case "Minimum":
      return stats.Minimum;
    case "Maximum":
      return stats.Maximum;
    case "Average":
      return stats.SampleCount === 0 ? 0 : stats.Sum / stats.SampleCount;
  }
}

/** The percentile of the values the sets hold, or undefined when CloudWatch's statistic-set rule rules it out. */
export function percentileValue(sets: readonly StatisticSet[], percentile: number): number | undefined {
  const runs: { value: number; count: number }[] = [];
  let total = 0;
  for (const set of sets) {
    if (set.SampleCount === 0) continue;
    if (set.Minimum !== set.Maximum || set.Minimum < 0) return undefined;
    runs.push({ value: set.Minimum, count: set.SampleCount });
    total += set.SampleCount;
  }
  if (total === 0) return undefined;
  runs.sort((a, b) => a.value - b.value);
  const rank = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (const run of runs) {
    seen += run.count;
    if (seen >= rank) return run.value;
  }
  return runs[runs.length - 1]!.value;
}

/** One period of a series: its start, its statistics, and (for percentiles) the sets it was merged from. */
export interface PeriodBucket {
  timestampMs: number;
  stats: StatisticSet;
  sets: StatisticSet[];
}

/** The value of `statistic` for one period, undefined when it has none (a percentile the rule above rules out). */
export function statisticValue(bucket: PeriodBucket, statistic: string): number | undefined {
  if (isBasicStatistic(statistic)) return basicValue(bucket.stats, statistic);
  const percentile = percentileOf(statistic);
  return percentile === undefined ? undefined : percentileValue(bucket.sets, percentile);
}

export function newBucket(timestampMs: number): PeriodBucket {
  return { timestampMs, stats: emptyStatistics(), sets: [] };
}

export function addToBucket(bucket: PeriodBucket, set: StatisticSet): void {
  mergeStatistics(bucket.stats, set);
  bucket.sets.push(set);
}
