/**
 * The streams service's CloudWatch metrics (AWS/Kinesis; docs/metrics-reference.md): a handle per
 * stream and per enhanced fan-out consumer, by the stream's account and name (CloudWatch is per
 * account: two accounts' streams of one name are two series), made on first use and kept, so the
 * actions' recording points cost two map lookups and a few additions. Under `--metrics off` every lookup answers
 * undefined and the actions skip their metric-only work (summing bytes, the clock read for latency).
 */
import type { MetricsRecorder } from "../../core/metrics.js";
import { AccountHandles } from "../../core/metric-handles.js";
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
  private readonly streams: AccountHandles<StreamMetrics>;
  /** By account, then `<stream>\u0000<consumer>` (looked up once per subscription, not per record). */
  private readonly consumers: AccountHandles<ConsumerMetrics>;

  constructor(recorder: MetricsRecorder) {
    this.enabled = recorder.enabled;
    this.streams = new AccountHandles(metricsHandlesMax, (accountId, streamName) => new StreamMetrics(recorder, accountId, streamName));
    this.consumers = new AccountHandles(metricsHandlesMax, (accountId, key) => {
      const at = key.indexOf("\u0000");
      return new ConsumerMetrics(recorder, accountId, key.slice(0, at), key.slice(at + 1));
    });
  }

  /**
   * The stream's handle, or undefined under `--metrics off`. CloudWatch names a stream's metrics by
   * StreamName (dimension) in the stream's account (MetricId.AccountId).
   */
  stream(meta: Pick<StreamMeta, "accountId" | "StreamName">): StreamMetrics | undefined {
    return this.enabled ? this.streams.get(meta.accountId, meta.StreamName) : undefined;
  }

  /** The handle of the stream named (a call that has not looked its stream up), or undefined under `--metrics off`. */
  streamNamed(accountId: string, streamName: string): StreamMetrics | undefined {
    return this.enabled ? this.streams.get(accountId, streamName) : undefined;
  }

  /** The consumer's handle (dimensions StreamName, ConsumerName, in the stream's account), or undefined under `--metrics off`. */
  consumer(accountId: string, streamName: string, consumerName: string): ConsumerMetrics | undefined {
    return this.enabled ? this.consumers.get(accountId, `${streamName}\u0000${consumerName}`) : undefined;
  }
}

/**
 * Counts a SubscribeToShard call the call-rate stage refused (more than one a second for the
 * consumer and shard) as SubscribeToShard.RateExceeded for the consumer its ARN names.
 */
export function countRefusedSubscription(metrics: StreamsMetrics, consumerArn: unknown): void {
  if (!metrics.enabled) return;
  const parsed = typeof consumerArn === "string" ? parseConsumerArn(consumerArn) : undefined;
  // The ARN's account (its fifth field) is the stream's, whoever calls.
  if (parsed) metrics.consumer(parsed.streamArn.split(":")[4]!, parsed.streamName, parsed.consumerName)?.rateExceeded();
}

/**
 * Counts a call a fault rule throttled (streams/faults) where AWS counts a throttled call:
 * PutRecord and PutRecords in WriteProvisionedThroughputExceeded, GetRecords in
 * ReadProvisionedThroughputExceeded, SubscribeToShard in SubscribeToShard.RateExceeded.
 */
export function countThrottleFault(metrics: StreamsMetrics, action: string, stream: { accountId: string; streamName: string } | undefined, input: Readonly<Record<string, unknown>>): void {
  if (!metrics.enabled) return;
  if (action === "SubscribeToShard") return countRefusedSubscription(metrics, input.ConsumerARN);
  if (stream === undefined) return;
  if (action === "PutRecord" || action === "GetRecords") metrics.streamNamed(stream.accountId, stream.streamName)?.throttledByFault(action, 1);
  else if (action === "PutRecords" && Array.isArray(input.Records)) metrics.streamNamed(stream.accountId, stream.streamName)?.throttledByFault(action, input.Records.length);
}
