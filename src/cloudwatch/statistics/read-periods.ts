/**
 * One series' periods as CloudWatch answers them: read from the store at its own granularity
 * (seconds for a high-resolution period, minutes otherwise: MetricsReader.statistics) and grouped
 * into periods that start at the request's rounded start time, one period apart — CloudWatch's
 * alignment, which the store's epoch-aligned periods match only when the start falls on one.
 */
import { metricKey, type MetricId, type MetricsReader, type MetricUnit } from "../../core/metrics.js";
import { addToBucket, newBucket, type PeriodBucket } from "./statistic.js";

/** The unit of every series of the account the store holds (of the namespace, when one is given), by metricKey: looked up once per call. */
export async function seriesUnits(reader: MetricsReader, accountId: string, namespace?: string): Promise<ReadonlyMap<string, MetricUnit>> {
  const units = new Map<string, MetricUnit>();
  for (const { id, unit } of await reader.listMetrics({ AccountId: accountId, ...(namespace !== undefined && { Namespace: namespace }) })) units.set(metricKey(id), unit);
  return units;
}

export interface PeriodsQuery {
  /** With the caller's account: each account reads only its own series. */
  id: MetricId & { AccountId: string };
  /** The unit asked for: a series recorded in another unit answers no data, as CloudWatch's does. */
  unit?: string;
  /** Already rounded (periods.ts roundedStartMs). */
  startMs: number;
  endMs: number;
  periodSeconds: number;
}

export interface SeriesPeriods {
  /** The series' unit; undefined when there is no such series (or not in the unit asked for). */
  unit: MetricUnit | undefined;
  /** Periods with at least one sample, oldest first. */
  buckets: PeriodBucket[];
}

export async function readPeriods(reader: MetricsReader, units: ReadonlyMap<string, MetricUnit>, query: PeriodsQuery): Promise<SeriesPeriods> {
  const unit = units.get(metricKey(query.id));
  if (unit === undefined || (query.unit !== undefined && query.unit !== unit)) return { unit: undefined, buckets: [] };
  const periodMs = query.periodSeconds * 1000;
  const granularitySeconds = query.periodSeconds < 60 ? 1 : 60;
  const sets = await reader.statistics(query.id, query.startMs, query.endMs, granularitySeconds);
  const buckets: PeriodBucket[] = [];
  let current: PeriodBucket | undefined;
  for (const { timestampMs, stats } of sets) {
    if (stats.SampleCount === 0) continue;
    const start = query.startMs + Math.floor((timestampMs - query.startMs) / periodMs) * periodMs;
    if (current === undefined || current.timestampMs !== start) buckets.push((current = newBucket(start)));
    addToBucket(current, stats);
  }
  return { unit, buckets };
}
