/**
 * Enhanced (shard-level) metrics of one shard, dimensions StreamName and ShardId: recorded only
 * for the metrics EnableEnhancedMonitoring enabled on the stream (enhanced-monitoring.ts), as AWS
 * publishes only those. `enabledMask` turns the stream's ShardLevelMetrics list into bits once per
 * change of the list, so a call tests one bit, not a list.
 */
import type { MetricsRecorder } from "../../core/metrics.js";
import { LazySeries } from "./lazy-series.js";

/** One bit per shard-level metric (shardLevelMetricNames' names). */
export const shardLevel = {
  IncomingBytes: 1,
  IncomingRecords: 2,
  OutgoingBytes: 4,
  OutgoingRecords: 8,
  WriteProvisionedThroughputExceeded: 16,
  ReadProvisionedThroughputExceeded: 32,
  IteratorAgeMilliseconds: 64,
} as const;

export function enabledMask(names: readonly string[]): number {
  let mask = 0;
  for (const name of names) mask |= (shardLevel as Record<string, number>)[name] ?? 0;
  return mask;
}

export class ShardMetrics {
  readonly IncomingBytes: LazySeries;
  readonly IncomingRecords: LazySeries;
  readonly OutgoingBytes: LazySeries;
  readonly OutgoingRecords: LazySeries;
  readonly WriteProvisionedThroughputExceeded: LazySeries;
  readonly ReadProvisionedThroughputExceeded: LazySeries;
  readonly IteratorAgeMilliseconds: LazySeries;

  constructor(recorder: MetricsRecorder, accountId: string, streamName: string, shardId: string) {
    const dimensions = [
      { Name: "StreamName", Value: streamName },
      { Name: "ShardId", Value: shardId },
    ];
    this.IncomingBytes = new LazySeries(recorder, accountId, "IncomingBytes", dimensions, "Bytes");
    this.IncomingRecords = new LazySeries(recorder, accountId, "IncomingRecords", dimensions, "Count");
    this.OutgoingBytes = new LazySeries(recorder, accountId, "OutgoingBytes", dimensions, "Bytes");
    this.OutgoingRecords = new LazySeries(recorder, accountId, "OutgoingRecords", dimensions, "Count");
    this.WriteProvisionedThroughputExceeded = new LazySeries(recorder, accountId, "WriteProvisionedThroughputExceeded", dimensions, "Count");
    this.ReadProvisionedThroughputExceeded = new LazySeries(recorder, accountId, "ReadProvisionedThroughputExceeded", dimensions, "Count");
    this.IteratorAgeMilliseconds = new LazySeries(recorder, accountId, "IteratorAgeMilliseconds", dimensions, "Milliseconds");
  }
}
