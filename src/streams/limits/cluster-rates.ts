/**
 * AWS's rates across the nodes of a cluster (docs/limits.md "Across nodes"): every node counts every
 * node's admissions against its own buckets, so a shard takes its 1 MiB and 1,000 records a second,
 * its five GetRecords calls and 2 MiB a second, and each API its calls a second, in total through
 * all the nodes — not that much through each.
 *
 * Every `ratesReportIntervalMs` a node that admitted anything sends its peers (the engine's peer bus,
 * src/storage/peer-bus.ts, topic `kinesis-rates`) what it admitted since its last report: per
 * stream incarnation and shard, records and bytes written, GetRecords calls and bytes read; per
 * control-plane bucket, calls (rates-message.ts). The write path stays as it is alone: a request
 * marks its stream once (ThroughputMeters.writes), and the report diffs the shards' counters
 * against what it last sent. A node receiving a report refills the buckets it names to now and
 * takes the amounts from them, whatever they hold: a bucket may go below zero and then refuses this
 * node's calls until the rate has paid the debt back. A refused call still takes nothing.
 *
 * The bound: over T seconds, the nodes together admit at most rate × T, plus each node's full
 * bucket at the start, plus what the others admit in the time a report takes to arrive (at most an
 * interval plus the bus's delivery) — each node spends the same tokens until it hears of the
 * others' spending. Two nodes writing one shard as fast as it lets them admit about 1,000 records
 * a second together, and at most 1,000 × T + 2 × 1,000 + 2 × 1,000 × lag.
 *
 * Remote writes also count in the write meters' totals (recordsWritten, bytesWritten), so every
 * node's on-demand scaler sees the cluster's load and decides alike (on-demand-scaler.ts says why
 * only one of their decisions takes effect). A report lost (a node restarting, NATS between
 * servers) only lets the cluster admit that much more, once.
 *
 * Engines without peers (memory, embedded) make no ClusterRates: nothing is tracked or sent.
 */
import type { PeerBus, PeerSubscription } from "../../storage/peer-bus.js";
import type { Clock, Timer } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { ControlPlaneLimiter } from "./control-plane-rates.js";
import { decodeRates, encodeRates, type RatesReport, type ShardRates } from "./rates-message.js";
import type { StreamMeters, ThroughputMeters } from "./throughput-meters.js";

export const ratesTopic = "kinesis-rates";
/** How often a node reports what it admitted: the lag before the others count it. */
export const ratesReportIntervalMs = 50;

export interface ClusterRatesDeps {
  peers: PeerBus;
  clock: Clock;
  logger: Logger;
  throughput: ThroughputMeters;
  controlPlane: ControlPlaneLimiter;
}

export class ClusterRates {
  private timer: Timer | undefined;
  private subscription: PeerSubscription | undefined;
  /** Messages dropped because they did not parse (another version of Tributary), logged once. */
  private unreadable = 0;

  constructor(private readonly deps: ClusterRatesDeps) {
    deps.throughput.trackRequests();
    deps.controlPlane.trackAdmitted();
  }

  start(): void {
    this.subscription = this.deps.peers.subscribe(ratesTopic, (payload, fromNodeId) => this.receive(payload, fromNodeId));
    this.timer = this.deps.clock.setInterval(() => this.report(), ratesReportIntervalMs, { unref: true });
  }

  stop(): void {
    this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.subscription?.stop();
    this.subscription = undefined;
  }

  /** Sends the peers what this node admitted since its last report, if anything. */
  report(): void {
    const report: RatesReport = { streams: [], buckets: [...this.deps.controlPlane.takeAdmitted()] };
    for (const stream of this.deps.throughput.takeDirty()) {
      const shards = admittedSince(stream);
      if (shards.length > 0) report.streams.push({ streamId: stream.streamId, writeBytesCapacity: stream.writeBytesCapacity, shards });
    }
    if (report.streams.length === 0 && report.buckets.length === 0) return;
    for (const message of encodeRates(report)) this.deps.peers.publish(ratesTopic, message);
  }

  /** Takes what another node reports it admitted from this node's buckets. */
  receive(payload: Uint8Array, fromNodeId: string): void {
    const report = decodeRates(payload);
    if (report === undefined) {
      if (this.unreadable++ === 0) this.deps.logger.warn({ fromNodeId }, "a peer's rate report does not parse (another version?); its admissions are not counted");
      return;
    }
    const nowMs = this.deps.clock.nowMs();
    const { throughput, controlPlane } = this.deps;
    for (const stream of report.streams) {
      for (const shard of stream.shards) {
        if (shard.records > 0 || shard.bytes > 0) throughput.debitWrites(stream.streamId, shard.shardIndex, nowMs, shard.records, shard.bytes, stream.writeBytesCapacity);
        if (shard.readCalls > 0 || shard.readBytes > 0) throughput.debitReads(stream.streamId, shard.shardIndex, nowMs, shard.readCalls, shard.readBytes);
      }
    }
    for (const [key, calls] of report.buckets) controlPlane.debit(key, calls, nowMs);
  }
}

/** What this node itself admitted on each of the stream's shards since the last report; marks it reported. */
function admittedSince(stream: StreamMeters): ShardRates[] {
  const shards: ShardRates[] = [];
  const count = Math.max(stream.writers.length, stream.readers.length);
  for (let shardIndex = 0; shardIndex < count; shardIndex++) {
    const writer = stream.writers[shardIndex];
    const reader = stream.readers[shardIndex];
    let records = 0;
    let bytes = 0;
    let readCalls = 0;
    let readBytes = 0;
    if (writer !== undefined) {
      records = writer.recordsWritten - writer.recordsReceived - writer.recordsPublished;
      bytes = writer.bytesWritten - writer.bytesReceived - writer.bytesPublished;
      writer.recordsPublished += records;
      writer.bytesPublished += bytes;
    }
    if (reader !== undefined) {
      readCalls = reader.callsAdmitted - reader.callsPublished;
      readBytes = reader.bytesCharged - reader.bytesPublished;
      reader.callsPublished += readCalls;
      reader.bytesPublished += readBytes;
    }
    if (records > 0 || bytes > 0 || readCalls > 0 || readBytes > 0) shards.push({ shardIndex, records, bytes, readCalls, readBytes });
  }
  return shards;
}
