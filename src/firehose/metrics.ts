/**
 * Firehose's CloudWatch metrics (AWS/Firehose, dimension DeliveryStreamName;
 * docs/metrics-reference.md), one sample per API call or delivery attempt:
 * - ingestion (PutRecord, PutRecordBatch): IncomingBytes, IncomingRecords and IncomingPutRequests
 *   for each accepted call, PutRecord.* and PutRecordBatch.* (Bytes, Latency, Records, Requests),
 *   and ThrottledRecords for a call refused by the backlog bound ("Slow down.");
 * - delivery: DeliveryTo<Destination>.Records, .Bytes, .Success (1 per batch delivered, 0 per
 *   failed attempt) and .DataFreshness (the age, in seconds, of the oldest record of the batch just
 *   delivered); DeliveryToHttpEndpoint.ProcessedRecords and .ProcessedBytes for every attempt;
 * - transformation by Lambda: ExecuteProcessing.Duration and .Success per invocation,
 *   SucceedProcessing.Records and .Bytes for the records it returned Ok;
 * - a Kinesis stream source: DataReadFromKinesisStream.Records and .Bytes and
 *   KinesisMillisBehindLatest per read that returned records.
 *
 * Handles are made once per account and delivery stream name (CloudWatch is per account: the
 * series are the delivery stream's account's) and kept, so a call costs two map lookups and a few
 * additions; under `--metrics off` every lookup answers undefined.
 */
import type { MetricId, MetricSeries, MetricsRecorder, MetricUnit } from "../core/metrics.js";
import { AccountHandles, LazySeries as CoreLazySeries } from "../core/metric-handles.js";
import type { DestinationKind } from "./model.js";

export const firehoseNamespace = "AWS/Firehose";

/** How many delivery streams' handles are kept before the cache starts again (handles are remade on demand). */
export const metricsHandlesMax = 10_000;

/** A recorder that keeps nothing, for a service built without the app's. */
export const noMetrics: MetricsRecorder = { enabled: false, series: () => ({ observe() {} }) };

/** The metric name prefix of each destination kind, as AWS names them (DeliveryToS3 also for ExtendedS3). */
export const deliveryPrefixes: Readonly<Record<DestinationKind, string>> = {
  S3: "DeliveryToS3",
  ExtendedS3: "DeliveryToS3",
  Redshift: "DeliveryToRedshift",
  Elasticsearch: "DeliveryToElasticsearch",
  Amazonopensearchservice: "DeliveryToAmazonOpenSearchService",
  AmazonOpenSearchServerless: "DeliveryToAmazonOpenSearchServerless",
  Splunk: "DeliveryToSplunk",
  HttpEndpoint: "DeliveryToHttpEndpoint",
  Snowflake: "DeliveryToSnowflake",
  Iceberg: "DeliveryToIceberg",
};

/** A series created on its first sample, so ListMetrics lists only what has data. */
class LazySeries extends CoreLazySeries {
  constructor(recorder: MetricsRecorder, MetricName: string, AccountId: string, deliveryStreamName: string, unit: MetricUnit) {
    super(recorder, { Namespace: firehoseNamespace, MetricName, Dimensions: [{ Name: "DeliveryStreamName", Value: deliveryStreamName }], AccountId }, unit);
  }
}

export type PutApi = "PutRecord" | "PutRecordBatch";

/** One delivery stream's ingestion and transformation metrics. */
export class DeliveryStreamMetrics {
  private readonly incomingBytes: LazySeries;
  private readonly incomingRecords: LazySeries;
  private readonly incomingPutRequests: LazySeries;
  private readonly throttledRecords: LazySeries;
  private readonly calls: Record<PutApi, { Bytes: LazySeries; Latency: LazySeries; Records: LazySeries | undefined; Requests: LazySeries }>;
  private readonly processing: { Duration: LazySeries; Success: LazySeries; Records: LazySeries; Bytes: LazySeries };
  private readonly kinesisSource: { Records: LazySeries; Bytes: LazySeries; MillisBehindLatest: LazySeries };
  private readonly deliveries = new Map<string, DeliveryMetrics>();

  constructor(
    private readonly recorder: MetricsRecorder,
    /** The delivery stream's account. */
    readonly accountId: string,
    readonly deliveryStreamName: string,
  ) {
    const series = (name: string, unit: MetricUnit) => new LazySeries(recorder, name, accountId, deliveryStreamName, unit);
    this.incomingBytes = series("IncomingBytes", "Bytes");
    this.incomingRecords = series("IncomingRecords", "Count");
    this.incomingPutRequests = series("IncomingPutRequests", "Count");
    this.throttledRecords = series("ThrottledRecords", "Count");
    this.calls = {
      // PutRecord.Requests is also its record count (one record a request): AWS has no PutRecord.Records.
      PutRecord: { Bytes: series("PutRecord.Bytes", "Bytes"), Latency: series("PutRecord.Latency", "Milliseconds"), Records: undefined, Requests: series("PutRecord.Requests", "Count") },
      PutRecordBatch: {
        Bytes: series("PutRecordBatch.Bytes", "Bytes"),
        Latency: series("PutRecordBatch.Latency", "Milliseconds"),
        Records: series("PutRecordBatch.Records", "Count"),
        Requests: series("PutRecordBatch.Requests", "Count"),
      },
    };
    this.processing = {
      Duration: series("ExecuteProcessing.Duration", "Milliseconds"),
      Success: series("ExecuteProcessing.Success", "Count"),
      Records: series("SucceedProcessing.Records", "Count"),
      Bytes: series("SucceedProcessing.Bytes", "Bytes"),
    };
    this.kinesisSource = {
      Records: series("DataReadFromKinesisStream.Records", "Count"),
      Bytes: series("DataReadFromKinesisStream.Bytes", "Bytes"),
      MillisBehindLatest: series("KinesisMillisBehindLatest", "Milliseconds"),
    };
  }

  /** A read of the Kinesis source that returned records: how many, their bytes, and how far behind the stream's newest record it is. */
  kinesisRead(records: number, bytes: number, millisBehindLatest: number): void {
    this.kinesisSource.Records.observe(records);
    this.kinesisSource.Bytes.observe(bytes);
    this.kinesisSource.MillisBehindLatest.observe(millisBehindLatest);
  }

  /** A PutRecord or PutRecordBatch call whose records were appended. */
  put(api: PutApi, records: number, bytes: number, latencyMs: number): void {
    this.incomingBytes.observe(bytes);
    this.incomingRecords.observe(records);
    this.incomingPutRequests.observe(1);
    const calls = this.calls[api];
    calls.Bytes.observe(bytes);
    calls.Latency.observe(latencyMs);
    calls.Records?.observe(records);
    calls.Requests.observe(1);
  }

  /** A call refused because the stream's backlog is past its bound: its records were throttled. */
  throttled(api: PutApi, records: number, latencyMs: number): void {
    this.throttledRecords.observe(records);
    const calls = this.calls[api];
    calls.Latency.observe(latencyMs);
    calls.Requests.observe(1);
  }

  /** Records written from inside the process (an Analytics output): ingested, through no API call. */
  ingested(records: number, bytes: number): void {
    this.incomingBytes.observe(bytes);
    this.incomingRecords.observe(records);
  }

  /** One invocation of the transformation function: how long it took, and whether it answered. */
  processed(durationMs: number, ok: boolean, okRecords: number, okBytes: number): void {
    this.processing.Duration.observe(durationMs);
    this.processing.Success.observe(ok ? 1 : 0);
    if (!ok) return;
    this.processing.Records.observe(okRecords);
    this.processing.Bytes.observe(okBytes);
  }

  /** The stream's delivery metrics to a destination of `kind`. */
  delivery(kind: DestinationKind): DeliveryMetrics {
    const prefix = deliveryPrefixes[kind];
    let metrics = this.deliveries.get(prefix);
    if (metrics === undefined) this.deliveries.set(prefix, (metrics = new DeliveryMetrics(this.recorder, this.accountId, this.deliveryStreamName, prefix)));
    return metrics;
  }
}

/** DeliveryTo<Destination>.* of one delivery stream. */
export class DeliveryMetrics {
  private readonly Records: LazySeries;
  private readonly Bytes: LazySeries;
  private readonly Success: LazySeries;
  private readonly DataFreshness: LazySeries;
  /** HTTP endpoints only: what each attempt sent, retries included. */
  private readonly processed: { Records: LazySeries; Bytes: LazySeries } | undefined;

  constructor(recorder: MetricsRecorder, accountId: string, deliveryStreamName: string, prefix: string) {
    const series = (name: string, unit: MetricUnit) => new LazySeries(recorder, `${prefix}.${name}`, accountId, deliveryStreamName, unit);
    this.Records = series("Records", "Count");
    this.Bytes = series("Bytes", "Bytes");
    this.Success = series("Success", "Count");
    this.DataFreshness = series("DataFreshness", "Seconds");
    this.processed = prefix === "DeliveryToHttpEndpoint" ? { Records: series("ProcessedRecords", "Count"), Bytes: series("ProcessedBytes", "Bytes") } : undefined;
  }

  /**
   * An attempt to deliver a batch of `records` (`bytes` of data) whose oldest record arrived at
   * `oldestArrivalMs`: `success` when every record was delivered; `delivered` of them were (all,
   * none, or those not backed up as error records).
   */
  attempted(success: boolean, records: number, bytes: number, deliveredRecords: number, deliveredBytes: number, oldestArrivalMs: number, nowMs: number): void {
    this.processed?.Records.observe(records);
    this.processed?.Bytes.observe(bytes);
    this.Success.observe(success ? 1 : 0);
    if (deliveredRecords === 0) return;
    this.Records.observe(deliveredRecords);
    this.Bytes.observe(deliveredBytes);
    this.DataFreshness.observe(Math.max(0, nowMs - oldestArrivalMs) / 1000);
  }
}

export class FirehoseMetrics {
  readonly enabled: boolean;
  private readonly streams: AccountHandles<DeliveryStreamMetrics>;

  constructor(recorder: MetricsRecorder) {
    this.enabled = recorder.enabled;
    this.streams = new AccountHandles(metricsHandlesMax, (accountId, name) => new DeliveryStreamMetrics(recorder, accountId, name));
  }

  /** The handle of the delivery stream of `accountId` named, or undefined under `--metrics off`. */
  stream(accountId: string, deliveryStreamName: string): DeliveryStreamMetrics | undefined {
    return this.enabled ? this.streams.get(accountId, deliveryStreamName) : undefined;
  }
}
