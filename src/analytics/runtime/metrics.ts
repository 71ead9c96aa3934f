/**
 * A SQL application's CloudWatch metrics (AWS/KinesisAnalytics; docs/metrics-reference.md), with
 * the dimensions Kinesis Data Analytics for SQL publishes them under:
 * - Bytes and Records per input (Application, Flow "Input", Id the input's id: each take the runner
 *   sends towards the engine) and per output (Flow "Output", Id the output's id: each write a
 *   destination accepted);
 * - Success per output: 1 for each write attempt that stored every record, 0 for one that did not
 *   (it is tried again);
 * - MillisBehindLatest (Application): for each take, how long ago its last record reached the
 *   source;
 * - InputProcessing.* per input with a preprocessing Lambda function: Duration (milliseconds),
 *   OkRecords, OkBytes, DroppedRecords, ProcessingFailedRecords and Success, per batch preprocessed.
 *
 * KPUs and LambdaDelivery.* are not recorded (docs/metrics-reference.md says why). Every series is
 * the application's account's (CloudWatch is per account).
 */
import type { MetricDimension, MetricSeries, MetricsRecorder, MetricUnit } from "../../core/metrics.js";
import { LazySeries as CoreLazySeries } from "../../core/metric-handles.js";

export const analyticsNamespace = "AWS/KinesisAnalytics";

/** A record as the runner takes it from a lane. */
interface TakenLike {
  readonly record: { readonly data: { readonly length: number }; readonly arrivalMs: number };
}

/** A series created on its first sample, so ListMetrics lists only what has data. */
class LazySeries extends CoreLazySeries {
  constructor(recorder: MetricsRecorder, AccountId: string, MetricName: string, Dimensions: readonly MetricDimension[], unit: MetricUnit) {
    super(recorder, { Namespace: analyticsNamespace, MetricName, Dimensions, AccountId }, unit);
  }
}

/** Bytes and Records of one input or output, and an output's Success. */
export class FlowMetrics {
  private readonly Bytes: LazySeries;
  private readonly Records: LazySeries;
  private readonly Success: LazySeries;

  constructor(recorder: MetricsRecorder, accountId: string, application: string, flow: "Input" | "Output", id: string) {
    const dimensions = [
      { Name: "Application", Value: application },
      { Name: "Flow", Value: flow },
      { Name: "Id", Value: id },
    ];
    this.Bytes = new LazySeries(recorder, accountId, "Bytes", dimensions, "Bytes");
    this.Records = new LazySeries(recorder, accountId, "Records", dimensions, "Count");
    this.Success = new LazySeries(recorder, accountId, "Success", dimensions, "Count");
  }

  /** Records read from the input, or written to the output. */
  moved(records: number, bytes: number): void {
    this.Bytes.observe(bytes);
    this.Records.observe(records);
  }

  /** One write attempt to the output's destination. */
  attempted(ok: boolean): void {
    this.Success.observe(ok ? 1 : 0);
  }
}

export class ApplicationMetrics {
  private readonly millisBehindLatest: LazySeries;
  private readonly flows = new Map<string, FlowMetrics>();
  private readonly processing = new Map<string, Record<"Duration" | "OkRecords" | "OkBytes" | "DroppedRecords" | "ProcessingFailedRecords" | "Success", LazySeries>>();

  constructor(
    private readonly recorder: MetricsRecorder,
    /** The application's account. */
    private readonly accountId: string,
    private readonly application: string,
  ) {
    this.millisBehindLatest = new LazySeries(recorder, accountId, "MillisBehindLatest", [{ Name: "Application", Value: application }], "Milliseconds");
  }

  /** The input's (or output's) metrics: an application has at most one input and three outputs. */
  flow(flow: "Input" | "Output", id: string): FlowMetrics {
    const key = `${flow}/${id}`;
    let metrics = this.flows.get(key);
    if (metrics === undefined) this.flows.set(key, (metrics = new FlowMetrics(this.recorder, this.accountId, this.application, flow, id)));
    return metrics;
  }

  /** One take from the input at `nowMs`: its records, their bytes, and how long ago its last record reached the source. */
  took(inputId: string, taken: readonly TakenLike[], nowMs: number): void {
    if (taken.length === 0) return;
    let bytes = 0;
    for (let index = 0; index < taken.length; index++) bytes += taken[index]!.record.data.length;
    this.flow("Input", inputId).moved(taken.length, bytes);
    this.millisBehindLatest.observe(Math.max(0, nowMs - taken[taken.length - 1]!.record.arrivalMs));
  }

  /** One batch through the input's preprocessing function: `taken` records in, `ok` and `failed` out, the rest dropped. */
  preprocessed(inputId: string, durationMs: number, taken: number, ok: readonly TakenLike[], failed: number): void {
    let series = this.processing.get(inputId);
    if (series === undefined) {
      const dimensions = [
        { Name: "Application", Value: this.application },
        { Name: "Flow", Value: "Input" },
        { Name: "Id", Value: inputId },
      ];
      const named = (name: string, unit: MetricUnit) => new LazySeries(this.recorder, this.accountId, `InputProcessing.${name}`, dimensions, unit);
      series = {
        Duration: named("Duration", "Milliseconds"),
        OkRecords: named("OkRecords", "Count"),
        OkBytes: named("OkBytes", "Bytes"),
        DroppedRecords: named("DroppedRecords", "Count"),
        ProcessingFailedRecords: named("ProcessingFailedRecords", "Count"),
        Success: named("Success", "Count"),
      };
      this.processing.set(inputId, series);
    }
    let okBytes = 0;
    for (let index = 0; index < ok.length; index++) okBytes += ok[index]!.record.data.length;
    series.Duration.observe(durationMs);
    series.OkRecords.observe(ok.length);
    series.OkBytes.observe(okBytes);
    series.DroppedRecords.observe(Math.max(0, taken - ok.length - failed));
    series.ProcessingFailedRecords.observe(failed);
    series.Success.observe(1);
  }
}

/** The metrics of `accountId`'s application, or undefined when none are kept (`--metrics off`, or no recorder given). */
export function applicationMetrics(recorder: MetricsRecorder | undefined, accountId: string, application: string): ApplicationMetrics | undefined {
  return recorder?.enabled === true ? new ApplicationMetrics(recorder, accountId, application) : undefined;
}
