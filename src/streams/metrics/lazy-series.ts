/**
 * A series handle made before its first sample: the store registers a series (and ListMetrics
 * lists it) only once something is observed, so a stream that never had a GetRecords call lists
 * no GetRecords metrics — as CloudWatch lists only metrics with data.
 */
import type { MetricDimension, MetricId, MetricSeries, MetricsRecorder, MetricUnit } from "../../core/metrics.js";

export const kinesisNamespace = "AWS/Kinesis";

export class LazySeries implements MetricSeries {
  private series: MetricSeries | undefined;
  private readonly id: MetricId;

  constructor(
    private readonly recorder: MetricsRecorder,
    /** The account whose resource the series measures. */
    AccountId: string,
    MetricName: string,
    Dimensions: readonly MetricDimension[],
    private readonly unit: MetricUnit,
    Namespace = kinesisNamespace,
  ) {
    this.id = { Namespace, MetricName, Dimensions, AccountId };
  }

  observe(value: number): void {
    (this.series ??= this.recorder.series(this.id, this.unit)).observe(value);
  }
}
