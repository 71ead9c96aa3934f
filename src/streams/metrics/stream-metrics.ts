/**
 * One stream's CloudWatch metrics (AWS/Kinesis, dimension StreamName), as AWS publishes them
 * (docs/metrics-reference.md): one sample per API call — a PutRecords call's accepted record count
 * into IncomingRecords, 1 or 0 into Success, its latency on the injected clock into Latency — and
 * the enhanced shard-level ones (ShardMetrics) while EnableEnhancedMonitoring has them on.
 *
 * The handle is made once per account and stream name (StreamsMetrics) and keeps every series handle, so a
 * call costs a few additions per metric and allocates nothing.
 */
import type { MetricsRecorder } from "../../core/metrics.js";
import type { AppendOutcome, StoredRecord } from "../../storage/types.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import { LazySeries } from "./lazy-series.js";
import { keyBytes, storedBytes } from "./record-bytes.js";
import { enabledMask, shardLevel, ShardMetrics } from "./shard-metrics.js";

/** A PutRecords result entry, as the action answers it. */
export type PutRecordsResult = { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string };

/** One shard's share of a PutRecords call, appended as one group. */
export interface WrittenGroup {
  shard: ShardMeta;
  records: readonly { partitionKey: string; data: Buffer }[];
}

const throttledCode = "ProvisionedThroughputExceededException";

export class StreamMetrics {
  private readonly IncomingBytes: LazySeries;
  private readonly IncomingRecords: LazySeries;
  private readonly WriteProvisionedThroughputExceeded: LazySeries;
  private readonly ReadProvisionedThroughputExceeded: LazySeries;
  private readonly putRecord_: Record<"Bytes" | "Latency" | "Success", LazySeries>;
  private readonly putRecords_: Record<"Bytes" | "Latency" | "Records" | "Success" | "TotalRecords" | "SuccessfulRecords" | "FailedRecords" | "ThrottledRecords", LazySeries>;
  private readonly getRecords_: Record<"Bytes" | "IteratorAge" | "IteratorAgeMilliseconds" | "Latency" | "Records" | "Success", LazySeries>;
  private readonly shards: (ShardMetrics | undefined)[] = [];
  /** The ShardLevelMetrics list `levels` was computed from (a stream's meta is replaced, never changed, on an update). */
  private levelsOf: readonly string[] | undefined;
  private levels = 0;

  constructor(
    private readonly recorder: MetricsRecorder,
    /** The stream's account: its series are that account's CloudWatch's. */
    readonly accountId: string,
    readonly streamName: string,
  ) {
    const dimensions = [{ Name: "StreamName", Value: streamName }];
    const series = (name: string, unit: "Bytes" | "Count" | "Milliseconds") => new LazySeries(recorder, accountId, name, dimensions, unit);
    this.IncomingBytes = series("IncomingBytes", "Bytes");
    this.IncomingRecords = series("IncomingRecords", "Count");
    this.WriteProvisionedThroughputExceeded = series("WriteProvisionedThroughputExceeded", "Count");
    this.ReadProvisionedThroughputExceeded = series("ReadProvisionedThroughputExceeded", "Count");
    this.putRecord_ = { Bytes: series("PutRecord.Bytes", "Bytes"), Latency: series("PutRecord.Latency", "Milliseconds"), Success: series("PutRecord.Success", "Count") };
    this.putRecords_ = {
      Bytes: series("PutRecords.Bytes", "Bytes"),
      Latency: series("PutRecords.Latency", "Milliseconds"),
      // Deprecated by AWS for PutRecords.SuccessfulRecords, and still published with its value.
      Records: series("PutRecords.Records", "Count"),
      Success: series("PutRecords.Success", "Count"),
      TotalRecords: series("PutRecords.TotalRecords", "Count"),
      SuccessfulRecords: series("PutRecords.SuccessfulRecords", "Count"),
      FailedRecords: series("PutRecords.FailedRecords", "Count"),
      ThrottledRecords: series("PutRecords.ThrottledRecords", "Count"),
    };
    this.getRecords_ = {
      Bytes: series("GetRecords.Bytes", "Bytes"),
      // Deprecated by AWS for GetRecords.IteratorAgeMilliseconds; the same value, for dashboards that still read it.
      IteratorAge: series("GetRecords.IteratorAge", "Milliseconds"),
      IteratorAgeMilliseconds: series("GetRecords.IteratorAgeMilliseconds", "Milliseconds"),
      Latency: series("GetRecords.Latency", "Milliseconds"),
      Records: series("GetRecords.Records", "Count"),
      Success: series("GetRecords.Success", "Count"),
    };
  }

  /** A PutRecord call that wrote its record to `shard`. */
  putRecord(meta: StreamMeta, shard: ShardMeta, partitionKey: string, data: Buffer, latencyMs: number): void {
    const bytes = data.length + keyBytes(partitionKey);
    this.IncomingBytes.observe(bytes);
    this.IncomingRecords.observe(1);
    this.WriteProvisionedThroughputExceeded.observe(0);
    this.putRecord_.Bytes.observe(bytes);
    this.putRecord_.Latency.observe(latencyMs);
    this.putRecord_.Success.observe(1);
    const levels = this.levelsFor(meta);
    if (levels === 0) return;
    const metrics = this.shard(meta, shard);
    if (levels & shardLevel.IncomingBytes) metrics.IncomingBytes.observe(bytes);
    if (levels & shardLevel.IncomingRecords) metrics.IncomingRecords.observe(1);
    if (levels & shardLevel.WriteProvisionedThroughputExceeded) metrics.WriteProvisionedThroughputExceeded.observe(0);
  }

  /** A PutRecord call its shard's throughput refused: one record rejected by throttling. */
  putRecordThrottled(meta: StreamMeta, shard: ShardMeta, latencyMs: number): void {
    this.WriteProvisionedThroughputExceeded.observe(1);
    this.putRecord_.Latency.observe(latencyMs);
    this.putRecord_.Success.observe(0);
    this.shardThrottled(meta, shard);
  }

  /** A PutRecord call that failed once its stream was found (a storage failure, a KMS error). */
  putRecordFailed(latencyMs: number): void {
    this.putRecord_.Latency.observe(latencyMs);
    this.putRecord_.Success.observe(0);
  }

  /** One record a PutRecords call's shard refused (shard-level only: the stream-level sample is the call's count). */
  shardThrottled(meta: StreamMeta, shard: ShardMeta): void {
    if ((this.levelsFor(meta) & shardLevel.WriteProvisionedThroughputExceeded) !== 0) this.shard(meta, shard).WriteProvisionedThroughputExceeded.observe(1);
  }

  /**
   * A PutRecords call's answer: `requestBytes` is every entry's data and key (record-size.ts sums
   * them anyway), less the entries that failed; `groups` with their append `outcomes`, for the
   * shard-level metrics.
   */
  putRecords(
    meta: StreamMeta,
    entries: readonly { PartitionKey?: string; Data: Buffer }[],
    results: readonly PutRecordsResult[],
    failed: number,
    requestBytes: number,
    groups: readonly WrittenGroup[],
    outcomes: readonly AppendOutcome[],
    latencyMs: number,
  ): void {
    let throttled = 0;
    let bytes = requestBytes;
    if (failed > 0) {
      for (let index = 0; index < results.length; index++) {
        const result = results[index]!;
        if (!("ErrorCode" in result)) continue;
        if (result.ErrorCode === throttledCode) throttled++;
        const entry = entries[index]!;
        bytes -= entry.Data.length + (entry.PartitionKey === undefined ? 0 : keyBytes(entry.PartitionKey));
      }
    }
    const succeeded = entries.length - failed;
    if (succeeded > 0) {
      this.IncomingBytes.observe(bytes);
      this.IncomingRecords.observe(succeeded);
    }
    this.WriteProvisionedThroughputExceeded.observe(throttled);
    const calls = this.putRecords_;
    calls.Bytes.observe(bytes);
    calls.Latency.observe(latencyMs);
    calls.Records.observe(succeeded);
    calls.Success.observe(succeeded > 0 ? 1 : 0);
    calls.TotalRecords.observe(entries.length);
    calls.SuccessfulRecords.observe(succeeded);
    calls.FailedRecords.observe(failed - throttled);
    calls.ThrottledRecords.observe(throttled);
    const levels = this.levelsFor(meta);
    if ((levels & (shardLevel.IncomingBytes | shardLevel.IncomingRecords | shardLevel.WriteProvisionedThroughputExceeded)) === 0) return;
    for (let index = 0; index < groups.length; index++) {
      if (!outcomes[index]?.ok) continue;
      const group = groups[index]!;
      const metrics = this.shard(meta, group.shard);
      if (levels & shardLevel.IncomingBytes) {
        let groupBytes = 0;
        for (const record of group.records) groupBytes += record.data.length + keyBytes(record.partitionKey);
        metrics.IncomingBytes.observe(groupBytes);
      }
      if (levels & shardLevel.IncomingRecords) metrics.IncomingRecords.observe(group.records.length);
      if (levels & shardLevel.WriteProvisionedThroughputExceeded) metrics.WriteProvisionedThroughputExceeded.observe(0);
    }
  }

  /**
   * A PutRecords call a fault rule (streams/faults) fired on: its `count` failed entries, as
   * InternalFailure or as throttled. The kept entries went through PutRecords as a call of their
   * own and were counted there; with none kept (`allFailed`) this is the call's only sample.
   */
  putRecordsFaulted(count: number, internal: boolean, allFailed: boolean, latencyMs: number): void {
    const calls = this.putRecords_;
    calls.TotalRecords.observe(count);
    if (internal) calls.FailedRecords.observe(count);
    else {
      calls.ThrottledRecords.observe(count);
      this.WriteProvisionedThroughputExceeded.observe(count);
    }
    if (!allFailed) return;
    calls.Latency.observe(latencyMs);
    calls.Success.observe(0);
  }

  /**
   * A call a fault rule throttled whole (streams/faults) before it ran: PutRecord's record or
   * PutRecords' `records` entries rejected by throttling, or a GetRecords call refused.
   */
  throttledByFault(action: "PutRecord" | "PutRecords" | "GetRecords", records: number): void {
    if (action === "GetRecords") {
      this.ReadProvisionedThroughputExceeded.observe(1);
      this.getRecords_.Success.observe(0);
      return;
    }
    this.WriteProvisionedThroughputExceeded.observe(records);
    if (action === "PutRecord") {
      this.putRecord_.Success.observe(0);
      return;
    }
    this.putRecords_.TotalRecords.observe(records);
    this.putRecords_.ThrottledRecords.observe(records);
    this.putRecords_.Success.observe(0);
  }

  /**
   * A GetRecords call that answered `records` at `nowMs`. Its iterator age is AWS's: how long ago
   * the last record it returned was written; with none returned, how far behind the reader is (0
   * at the tip), from the first record not yet read (`nextArrivalMs`).
   */
  getRecords(meta: StreamMeta, shard: ShardMeta, records: readonly StoredRecord[], nextArrivalMs: number | undefined, nowMs: number, latencyMs: number): void {
    const bytes = storedBytes(records);
    const last = records.length === 0 ? nextArrivalMs : records[records.length - 1]!.arrivalMs;
    const ageMs = last === undefined ? 0 : Math.max(0, nowMs - last);
    const calls = this.getRecords_;
    calls.Bytes.observe(bytes);
    calls.Records.observe(records.length);
    calls.IteratorAgeMilliseconds.observe(ageMs);
    calls.IteratorAge.observe(ageMs);
    calls.Latency.observe(latencyMs);
    calls.Success.observe(1);
    this.ReadProvisionedThroughputExceeded.observe(0);
    const levels = this.levelsFor(meta);
    if (levels === 0) return;
    const metrics = this.shard(meta, shard);
    if (levels & shardLevel.OutgoingBytes) metrics.OutgoingBytes.observe(bytes);
    if (levels & shardLevel.OutgoingRecords) metrics.OutgoingRecords.observe(records.length);
    if (levels & shardLevel.IteratorAgeMilliseconds) metrics.IteratorAgeMilliseconds.observe(ageMs);
    if (levels & shardLevel.ReadProvisionedThroughputExceeded) metrics.ReadProvisionedThroughputExceeded.observe(0);
  }

  /** A GetRecords call its shard's read limits refused. */
  getRecordsThrottled(meta: StreamMeta, shard: ShardMeta, latencyMs: number): void {
    this.ReadProvisionedThroughputExceeded.observe(1);
    this.getRecords_.Latency.observe(latencyMs);
    this.getRecords_.Success.observe(0);
    if ((this.levelsFor(meta) & shardLevel.ReadProvisionedThroughputExceeded) !== 0) this.shard(meta, shard).ReadProvisionedThroughputExceeded.observe(1);
  }

  /** A SubscribeToShard event's records: the shard-level OutgoingBytes and OutgoingRecords count them as GetRecords'. */
  subscriptionEvent(meta: StreamMeta, shard: ShardMeta, records: number, bytes: number): void {
    const levels = this.levelsFor(meta);
    if ((levels & (shardLevel.OutgoingBytes | shardLevel.OutgoingRecords)) === 0) return;
    const metrics = this.shard(meta, shard);
    if (levels & shardLevel.OutgoingBytes) metrics.OutgoingBytes.observe(bytes);
    if (levels & shardLevel.OutgoingRecords) metrics.OutgoingRecords.observe(records);
  }

  private levelsFor(meta: StreamMeta): number {
    if (meta.ShardLevelMetrics !== this.levelsOf) {
      this.levelsOf = meta.ShardLevelMetrics;
      this.levels = enabledMask(meta.ShardLevelMetrics);
    }
    return this.levels;
  }

  private shard(meta: StreamMeta, shard: ShardMeta): ShardMetrics {
    // A shard's id is its index's (core/shard-id.ts), so a recreated stream's shards reuse these handles rightly.
    return (this.shards[shard.shardIndex] ??= new ShardMetrics(this.recorder, this.accountId, meta.StreamName, shard.ShardId));
  }
}
