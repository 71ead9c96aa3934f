/**
 * An enhanced fan-out consumer's SubscribeToShard metrics, dimensions StreamName and ConsumerName
 * (AWS/Kinesis): whether each subscription was established or refused for its rate, and one sample
 * per SubscribeToShardEvent sent (heartbeats, with no records, included: AWS emits
 * SubscribeToShardEvent.Success for every event published).
 */
import type { MetricsRecorder } from "../../core/metrics.js";
import { LazySeries } from "./lazy-series.js";

export class ConsumerMetrics {
  private readonly RateExceeded: LazySeries;
  private readonly Success: LazySeries;
  private readonly EventBytes: LazySeries;
  private readonly EventMillisBehindLatest: LazySeries;
  private readonly EventRecords: LazySeries;
  private readonly EventSuccess: LazySeries;

  /** `accountId` is the stream's account (the consumer's ARN carries it). */
  constructor(recorder: MetricsRecorder, accountId: string, streamName: string, consumerName: string) {
    const dimensions = [
      { Name: "StreamName", Value: streamName },
      { Name: "ConsumerName", Value: consumerName },
    ];
    this.RateExceeded = new LazySeries(recorder, accountId, "SubscribeToShard.RateExceeded", dimensions, "Count");
    this.Success = new LazySeries(recorder, accountId, "SubscribeToShard.Success", dimensions, "Count");
    this.EventBytes = new LazySeries(recorder, accountId, "SubscribeToShardEvent.Bytes", dimensions, "Bytes");
    this.EventMillisBehindLatest = new LazySeries(recorder, accountId, "SubscribeToShardEvent.MillisBehindLatest", dimensions, "Milliseconds");
    this.EventRecords = new LazySeries(recorder, accountId, "SubscribeToShardEvent.Records", dimensions, "Count");
    this.EventSuccess = new LazySeries(recorder, accountId, "SubscribeToShardEvent.Success", dimensions, "Count");
  }

  /** A subscription established (its claim taken). */
  subscribed(): void {
    this.Success.observe(1);
  }

  /** A subscription refused: the consumer already holds the shard, or called faster than once a second. */
  rateExceeded(): void {
    this.RateExceeded.observe(1);
    this.Success.observe(0);
  }

  /** One SubscribeToShardEvent the transport took. */
  event(records: number, bytes: number, millisBehindLatest: number): void {
    this.EventBytes.observe(bytes);
    this.EventRecords.observe(records);
    this.EventMillisBehindLatest.observe(millisBehindLatest);
    this.EventSuccess.observe(1);
  }
}
