/**
 * Metrics as CloudWatch names them (docs/metrics.md): a series is a namespace ("AWS/Kinesis"), a
 * metric name ("IncomingRecords") and its dimensions ([{ Name: "StreamName", Value: "orders" }]),
 * with one unit, in one account: CloudWatch is per account, so two accounts' streams of one name
 * are two series, and each account reads only its own. Services record samples through a MetricsRecorder; the CloudWatch API, the
 * console and Prometheus read them through a MetricsReader. Pure types: the implementation that
 * aggregates and keeps them lives in src/storage/metrics.
 */

/** CloudWatch's StandardUnit, verbatim. */
export type MetricUnit =
  | "Seconds"
  | "Microseconds"
  | "Milliseconds"
  | "Bytes"
  | "Kilobytes"
  | "Megabytes"
  | "Gigabytes"
  | "Terabytes"
  | "Bits"
  | "Kilobits"
  | "Megabits"
  | "Gigabits"
  | "Terabits"
  | "Percent"
  | "Count"
  | "Bytes/Second"
  | "Kilobytes/Second"
  | "Megabytes/Second"
  | "Gigabytes/Second"
  | "Terabytes/Second"
  | "Bits/Second"
  | "Kilobits/Second"
  | "Megabits/Second"
  | "Gigabits/Second"
  | "Terabits/Second"
  | "Count/Second"
  | "None";

export interface MetricDimension {
  readonly Name: string;
  readonly Value: string;
}

/** One series. Dimensions are kept in the order given; two ids with the same dimensions in another order are one series. */
export interface MetricId {
  readonly Namespace: string;
  readonly MetricName: string;
  readonly Dimensions: readonly MetricDimension[];
  /**
   * The account whose resource the series measures (12 digits): not a dimension, the CloudWatch
   * the series belongs to. A recorder takes an id without one as the process's account's
   * (`--account-id`); every id a reader answers has one.
   */
  readonly AccountId?: string;
}

/** CloudWatch's statistic set: what one period of one series keeps (Average = Sum / SampleCount). */
export interface StatisticSet {
  SampleCount: number;
  Sum: number;
  Minimum: number;
  Maximum: number;
}

/** A series a service records into; it keeps the handle (per stream, per function) so a sample costs a few additions. */
export interface MetricSeries {
  /** One sample: a call's latency, a call's record count, 1 or 0 for a call's success. */
  observe(value: number): void;
}

export interface MetricsRecorder {
  /** False under `--metrics off`: series drop their samples, and callers may skip work done only for metrics. */
  readonly enabled: boolean;
  /** The series named, created on first use (the same handle for the same id and unit). */
  series(id: MetricId, unit: MetricUnit): MetricSeries;
}

/** ListMetrics' filter: a dimension filter without Value matches any value of that dimension. */
export interface MetricFilter {
  /** Only this account's series (CloudWatch's readers always give it); every account's when absent. */
  AccountId?: string;
  Namespace?: string;
  MetricName?: string;
  Dimensions?: readonly { Name: string; Value?: string }[];
}

/** One period of one series: its start and statistics. */
export interface MetricDatapoint {
  timestampMs: number;
  stats: StatisticSet;
}

export interface MetricsReader {
  /** Every series with a sample within the retention (the store's kept minutes, and this process's recent seconds), filtered. */
  listMetrics(filter: MetricFilter): Promise<readonly { id: MetricId; unit: MetricUnit }[]>;
  /**
   * The series' datapoints of `periodSeconds` each whose start lies in [startMs, endMs), oldest first,
   * periods aligned to multiples of the period since the epoch; periods without samples are left out.
   * A period of 1, 5, 10 or 30 seconds reads the raw seconds this process kept (the recent rawSeconds);
   * a multiple of 60 reads minute data, kept through the storage engine for the retention.
   */
  statistics(id: MetricId, startMs: number, endMs: number, periodSeconds: number): Promise<readonly MetricDatapoint[]>;
  /** Every series this process recorded since it started, with all its samples as one set (Prometheus' counters and summaries). */
  totals(): Iterable<{ id: MetricId; unit: MetricUnit; stats: StatisticSet }>;
}

export type Metrics = MetricsRecorder & MetricsReader;

/**
 * The key two ids of one series share: account, namespace, name and dimensions sorted by name.
 * An id without an account keys apart from every account's (the store gives each one first).
 */
export function metricKey(id: MetricId): string {
  const dimensions = id.Dimensions.length < 2 ? id.Dimensions : [...id.Dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  let key = `${id.AccountId ?? ""}\u0000${id.Namespace}\u0000${id.MetricName}`;
  for (const dimension of dimensions) key += `\u0000${dimension.Name}\u0001${dimension.Value}`;
  return key;
}

/** Adds one sample to a statistic set. */
export function addSample(stats: StatisticSet, value: number): void {
  if (stats.SampleCount === 0) {
    stats.Minimum = value;
    stats.Maximum = value;
  } else {
    if (value < stats.Minimum) stats.Minimum = value;
    if (value > stats.Maximum) stats.Maximum = value;
  }
  stats.SampleCount++;
  stats.Sum += value;
}

/** Adds a whole set (another period's, another node's) to `into`. */
export function mergeStatistics(into: StatisticSet, from: StatisticSet): void {
  if (from.SampleCount === 0) return;
  if (into.SampleCount === 0) {
    into.Minimum = from.Minimum;
    into.Maximum = from.Maximum;
  } else {
    if (from.Minimum < into.Minimum) into.Minimum = from.Minimum;
    if (from.Maximum > into.Maximum) into.Maximum = from.Maximum;
  }
  into.SampleCount += from.SampleCount;
  into.Sum += from.Sum;
}

export function emptyStatistics(): StatisticSet {
  return { SampleCount: 0, Sum: 0, Minimum: 0, Maximum: 0 };
}
