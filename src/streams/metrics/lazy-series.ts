/**
 * A series handle made before its first sample: the store registers a series (and ListMetrics
 * lists it) only once something is observed, so a stream that never had a GetRecords call lists
 * no GetRecords metrics — as CloudWatch lists only metrics with data.
 */
import type { MetricDimension, MetricsRecorder, MetricUnit } from "../../core/metrics.js";
import { LazySeries as CoreLazySeries } from "../../core/metric-handles.js";

export const kinesisNamespace = "AWS/Kinesis";

export class LazySeries extends CoreLazySeries {
  constructor(
    recorder: MetricsRecorder,
    /** The account whose resource the series measures. */
    AccountId: string,
    MetricName: string,
    Dimensions: readonly MetricDimension[],
    unit: MetricUnit,
    Namespace = kinesisNamespace,
  ) {
    super(recorder, { Namespace, MetricName, Dimensions, AccountId }, unit);
  }
}
