/**
 * The streams service's CloudWatch metrics (AWS/Kinesis; docs/metrics-reference.md): a handle per
 * stream and per enhanced fan-out consumer, made on first use and kept, so the actions' recording
 * points cost a map lookup and a few additions. Under `--metrics off` every lookup answers
 * undefined and the actions skip their metric-only work (summing bytes, the clock read for latency).
 */
import type { MetricsRecorder } from "../../core/metrics.js";
import type { StreamMeta } from "../model.js";
import { ConsumerMetrics } from "./consumer-metrics.js";
import { StreamMetrics } from "./stream-metrics.js";
import { parseConsumerArn } from "../consumers/consumer-arn.js";

export { StreamMetrics, type PutRecordsResult, type WrittenGroup } from "./stream-metrics.js";
export { ConsumerMetrics } from "./consumer-metrics.js";
export { storedBytes } from "./record-bytes.js";

/**
 * How many handles each cache keeps before it starts again (handles are remade on demand, the
 * series they point at stay in the store): a bound on names that come and go.
 */
export const metricsHandlesMax = 10_000;

/** A recorder that keeps nothing: the service's when the app gives none (services built alone in tests). */
export const noMetrics: MetricsRecorder = { enabled: false, series: () => ({ observe() {} }) };

export class StreamsMetrics {
  readonly enabled: boolean;
  private readonly streams = new Map<string, StreamMetrics>();
  private readonly consumers = new Map<string, ConsumerMetrics>();

  constructor(private readonly recorder: MetricsRecorder) {
    this.enabled = recorder.enabled;
  }

  /**
   * The stream's handle, or undefined under `--metrics off`. CloudWatch names a stream's metrics by
   * StreamName alone (an account's region is its own CloudWatch), so the handle is by name.
   */
  stream(meta: Pick<StreamMeta, "StreamName">): StreamMetrics | undefined {
    if (!this.enabled) return undefined;
    let handle = this.streams.get(meta.StreamName);
    if (handle === undefined) {
      if (this.streams.size >= metricsHandlesMax) this.streams.clear();
      handle = new StreamMetrics(this.recorder, meta.StreamName);
      this.streams.set(meta.StreamName, handle);
    }
    return handle;
  }

  /** The handle of the stream named (a call that has not looked its stream up), or undefined under `--metrics off`. */
  streamNamed(streamName: string): StreamMetrics | undefined {
    return this.stream({ StreamName: streamName });
  }

  /** The consumer's handle (dimensions StreamName, ConsumerName), or undefined under `--metrics off`. */
  consumer(streamName: string, consumerName: string): ConsumerMetrics | undefined {
    if (!this.enabled) return undefined;
    const key = `${streamName}\u0000${consumerName}`;
    let handle = this.consumers.get(key);
    if (handle === undefined) {
      if (this.consumers.size >= metricsHandlesMax) this.consumers.clear();
      handle = new ConsumerMetrics(this.recorder, streamName, consumerName);
      this.consumers.set(key, handle);
    }
    return handle;
  }
}

/**
 * Counts a SubscribeToShard call the call-rate stage refused (more than one a second for the
 * consumer and shard) as SubscribeToShard.RateExceeded for the consumer its ARN names.
 */
export function countRefusedSubscription(metrics: StreamsMetrics, consumerArn: unknown): void {
  const parsed = typeof consumerArn === "string" ? parseConsumerArn(consumerArn) : undefined;
  if (parsed) metrics.consumer(parsed.streamName, parsed.consumerName)?.rateExceeded();
}

/**
 * Counts a call a fault rule throttled (streams/faults) where AWS counts a throttled call:
 * PutRecord and PutRecords in WriteProvisionedThroughputExceeded, GetRecords in
 * ReadProvisionedThroughputExceeded, SubscribeToShard in SubscribeToShard.RateExceeded.
 */
export function countThrottleFault(metrics: StreamsMetrics, action: string, streamName: string | undefined, input: Readonly<Record<string, unknown>>): void {
  if (!metrics.enabled) return;
  if (action === "SubscribeToShard") return countRefusedSubscription(metrics, input.ConsumerARN);
  if (streamName === undefined) return;
  if (action === "PutRecord" || action === "GetRecords") metrics.streamNamed(streamName)?.throttledByFault(action, 1);
  else if (action === "PutRecords" && Array.isArray(input.Records)) metrics.streamNamed(streamName)?.throttledByFault(action, input.Records.length);
}
