/**
 * The process's metrics (src/core/metrics.ts): samples aggregated per second (kept in memory for
 * the last rawSeconds, for the console and high-resolution reads) and per minute (the periods
 * CloudWatch's API reads), and each series' totals since the start (Prometheus).
 *
 * This first version keeps minutes in memory only; docs/metrics.md says where they are kept.
 */
import { addSample, emptyStatistics, mergeStatistics, metricKey, type MetricDatapoint, type MetricFilter, type MetricId, type Metrics, type MetricSeries, type MetricUnit, type StatisticSet } from "../../core/metrics.js";
import type { Clock } from "../../util/clock.js";

export interface MetricsStoreOptions {
  /** `--metrics off`: nothing is kept. */
  enabled: boolean;
  /** How many seconds of 1-second data a series keeps in memory. */
  rawSeconds?: number;
  /** How many minutes of minute data a series keeps. */
  retentionMinutes?: number;
}

export const rawSecondsDefault = 900;
export const retentionMinutesDefault = 24 * 60;

const secondMs = 1000;
const minuteMs = 60_000;

class Series implements MetricSeries {
  readonly totals: StatisticSet = emptyStatistics();
  /** Per-second sets by the second's start, oldest first (Map keeps insertion order). */
  readonly seconds = new Map<number, StatisticSet>();
  readonly minutes = new Map<number, StatisticSet>();
  private currentSecondMs = -1;
  private current: StatisticSet = emptyStatistics();
  private currentMinuteMs = -1;
  private currentMinute: StatisticSet = emptyStatistics();

  constructor(
    readonly id: MetricId,
    readonly unit: MetricUnit,
    private readonly store: MetricsStore,
  ) {}

  observe(value: number): void {
    const nowMs = this.store.nowMs();
    const second = nowMs - (nowMs % secondMs);
    if (second !== this.currentSecondMs) {
      this.currentSecondMs = second;
      this.current = emptyStatistics();
      this.seconds.set(second, this.current);
      this.store.trim(this, second);
      const minute = nowMs - (nowMs % minuteMs);
      if (minute !== this.currentMinuteMs) {
        this.currentMinuteMs = minute;
        this.currentMinute = emptyStatistics();
        this.minutes.set(minute, this.currentMinute);
      }
    }
    addSample(this.current, value);
    addSample(this.currentMinute, value);
    addSample(this.totals, value);
  }
}

/** Drops samples: the recorder under `--metrics off`. */
const droppedSeries: MetricSeries = { observe() {} };

export class MetricsStore implements Metrics {
  readonly enabled: boolean;
  private readonly series_ = new Map<string, Series>();
  private readonly rawMs: number;
  private readonly retentionMs: number;

  constructor(
    private readonly clock: Clock,
    options: MetricsStoreOptions,
  ) {
    this.enabled = options.enabled;
    this.rawMs = (options.rawSeconds ?? rawSecondsDefault) * secondMs;
    this.retentionMs = (options.retentionMinutes ?? retentionMinutesDefault) * minuteMs;
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  series(id: MetricId, unit: MetricUnit): MetricSeries {
    if (!this.enabled) return droppedSeries;
    const key = metricKey(id);
    let series = this.series_.get(key);
    if (series === undefined) {
      series = new Series({ Namespace: id.Namespace, MetricName: id.MetricName, Dimensions: id.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })) }, unit, this);
      this.series_.set(key, series);
    }
    return series;
  }

  /** Drops a series' seconds and minutes older than what is kept. */
  trim(series: Series, nowSecondMs: number): void {
    for (const second of series.seconds.keys()) {
      if (second > nowSecondMs - this.rawMs) break;
      series.seconds.delete(second);
    }
    for (const minute of series.minutes.keys()) {
      if (minute > nowSecondMs - this.retentionMs) break;
      series.minutes.delete(minute);
    }
  }

  async listMetrics(filter: MetricFilter): Promise<readonly { id: MetricId; unit: MetricUnit }[]> {
    const found: { id: MetricId; unit: MetricUnit }[] = [];
    for (const series of this.series_.values()) {
      if (matches(series.id, filter)) found.push({ id: series.id, unit: series.unit });
    }
    return found;
  }

  async statistics(id: MetricId, startMs: number, endMs: number, periodSeconds: number): Promise<readonly MetricDatapoint[]> {
    const series = this.series_.get(metricKey(id));
    if (series === undefined) return [];
    const periodMs = periodSeconds * secondMs;
    const source = periodMs % minuteMs === 0 ? series.minutes : series.seconds;
    const periods = new Map<number, StatisticSet>();
    for (const [at, stats] of source) {
      const start = at - (at % periodMs);
      if (start < startMs || start >= endMs) continue;
      let into = periods.get(start);
      if (into === undefined) periods.set(start, (into = emptyStatistics()));
      mergeStatistics(into, stats);
    }
    return [...periods].sort((a, b) => a[0] - b[0]).map(([timestampMs, stats]) => ({ timestampMs, stats }));
  }

  *totals(): Iterable<{ id: MetricId; unit: MetricUnit; stats: StatisticSet }> {
    for (const series of this.series_.values()) yield { id: series.id, unit: series.unit, stats: series.totals };
  }
}

function matches(id: MetricId, filter: MetricFilter): boolean {
  if (filter.Namespace !== undefined && filter.Namespace !== id.Namespace) return false;
  if (filter.MetricName !== undefined && filter.MetricName !== id.MetricName) return false;
  for (const wanted of filter.Dimensions ?? []) {
    const found = id.Dimensions.find((d) => d.Name === wanted.Name);
    if (found === undefined || (wanted.Value !== undefined && found.Value !== wanted.Value)) return false;
  }
  return true;
}
