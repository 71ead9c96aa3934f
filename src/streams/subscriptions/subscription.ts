/**
 * The subscription pump: one per SubscribeToShard, sending SubscribeToShardEvent messages from its
 * shard's log as records become durable.
 *
 * Loop: read what the log holds past the last position sent (bounded by records and bytes), send
 * it as one event, and repeat; when caught up, wait — woken by the shard log's watch (a durable
 * append), the shard's notifier (the stream changed, the shard closing), the heartbeat, the 5-minute end, a takeover or the client leaving.
 * No timer loop: an idle subscription costs one pending promise and one alarm.
 *
 * Flow control: each send waits until the transport has room again (EventSink), so a subscriber
 * that stops reading stalls only its own pump, holding one event. What arrives meanwhile is read
 * in one batch afterwards. A stalled send still gives way to the 5-minute end and to a takeover.
 *
 * Events, as AWS sends them (API reference, SubscribeToShardEvent):
 * - Records, MillisBehindLatest (how long ago the first record not yet sent arrived, 0 when
 *   caught up), and ContinuationSequenceNumber: the sequence number of the last record read, to
 *   resume from with AFTER_SEQUENCE_NUMBER (the KCL resubscribes so); before any record is read,
 *   the position just before the starting point (see `continuationBefore`).
 * - with nothing new for 5 seconds, an event with no records (AWS's heartbeat: checkpoints
 *   advance even when nothing is written).
 * - at the end of a closed shard, ChildShards and no ContinuationSequenceNumber (the KCL and the
 *   Flink connector both take its absence as the shard's end); then the stream ends.
 */
import type { EventSink } from "../../protocol/event-stream-output.js";
import type { LogWatch, ShardLog } from "../../storage/types.js";
import type { ShardMeta, StreamMeta } from "../model.js";
import { shardIdFromIndex } from "../../core/shard-id.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { childShardsOf, RecordList, recordSequenceNumber, retentionCutoffMs, shardSequence, shardStartSequenceNumber } from "../records/index.js";
import { openSealedRecords } from "../encryption/index.js";
import { createdSeconds, findConsumer } from "../consumers/index.js";
import { Waker } from "./shard-notifier.js";
import type { Alarm } from "./clock-alarms.js";
import type { SubscriptionClaim } from "./subscriptions.js";
import { storedBytes, type ConsumerMetrics } from "../metrics/index.js";

/** With nothing to send for this long, an event without records goes out. */
export const heartbeatMs = 5000;
/** One event's bounds: GetRecords' record count, and a megabyte of data (at least one record, whatever its size). */
export const eventRecordsMax = 10_000;
export const eventBytesMax = 1024 * 1024;

export interface SubscriptionStart {
  streamName: string;
  streamId: string;
  shardIndex: number;
  consumerArn: string;
  consumerName: string;
  /** The first offset to send. */
  offset: number;
  /** ContinuationSequenceNumber until the first record is read. */
  continuation: string;
  claim: SubscriptionClaim;
}

/** Runs a subscription on `sink` until it ends; throws the ServiceError its exception frame carries. */
export async function runSubscription(context: StreamsContext, start: SubscriptionStart, sink: EventSink, signal: AbortSignal): Promise<void> {
  const pump = new SubscriptionPump(context, start, sink, signal);
  try {
    await pump.run();
  } catch (error) {
    // The client is gone (the sink rejects its sends): nobody is left to tell.
    if (signal.aborted) return;
    throw error;
  } finally {
    pump.close();
  }
}

/**
 * The ContinuationSequenceNumber of a subscription that has read nothing yet: the sequence number
 * of the record before `offset` — with AFTER_SEQUENCE_NUMBER it resumes at `offset`. With no record
 * before it (an empty shard), the shard's StartingSequenceNumber, as AWS gives for an empty shard;
 * a record gone by retention is named with the shard's creation time, which GetShardIterator and
 * SubscribeToShard accept as from this shard.
 */
export async function continuationBefore(log: ShardLog, shards: readonly ShardMeta[], shard: ShardMeta, offset: number): Promise<string> {
  if (offset === 0) return shardStartSequenceNumber(shards, shard);
  const read = offset - 1 >= log.startOffset() ? await log.read(offset - 1, { recordsMax: 1, bytesMax: 1 }) : undefined;
  const before = read?.records[0];
  const arrivalMs = before !== undefined && before.offset === offset - 1 ? before.arrivalMs : shard.createdAtMs;
  return recordSequenceNumber(shardSequence(shards, shard), offset - 1, arrivalMs);
}

type Step = "sent" | "more" | "idle" | "ended";

class SubscriptionPump {
  private readonly waker = new Waker();
  private readonly unwatch: () => void;
  private readonly appends: LogWatch;
  private heartbeat: Alarm | undefined;
  /** Set while a send is pending: lets a stop end the wait for a reader that stopped reading. */
  private interruptSend: (() => void) | undefined;
  private offset: number;
  private continuation: string;
  private lastSentMs: number;
  private readonly onAbort = () => this.wake();
  /** The consumer's SubscribeToShard metrics (streams/metrics); undefined under `--metrics off`. */
  private readonly metrics: ConsumerMetrics | undefined;

  constructor(
    private readonly context: StreamsContext,
    private readonly start: SubscriptionStart,
    private readonly sink: EventSink,
    private readonly signal: AbortSignal,
  ) {
    this.offset = start.offset;
    this.continuation = start.continuation;
    this.lastSentMs = context.clock.nowMs();
    this.metrics = context.metrics.consumer(context.accountId, start.streamName, start.consumerName);
    // The log announces appends (made by any handle on it); the notifier, changes to the stream.
    this.appends = context.logs.shard(start.streamId, start.shardIndex).watch(() => this.waker.wake());
    this.unwatch = context.streams.shardNotifier.watch(start.streamId, start.shardIndex, this.waker);
    start.claim.onStop(() => this.wake());
    signal.addEventListener("abort", this.onAbort);
  }

  async run(): Promise<void> {
    if (!(await this.send("initial-response", {}))) return;
    for (;;) {
      if (this.mustStop()) return;
      // From here on an append wakes the next wait, even one made while this step reads or sends.
      this.waker.clear();
      const step = await this.step();
      if (step === "ended") return;
      if (step !== "idle") continue;
      if (this.mustStop()) return;
      this.heartbeat ??= this.context.subscriptions.alarms.at(this.lastSentMs + heartbeatMs, () => {
        this.heartbeat = undefined;
        this.waker.wake();
      });
      await this.waker.wait();
    }
  }

  close(): void {
    this.appends.stop();
    this.unwatch();
    this.heartbeat?.cancel();
    this.signal.removeEventListener("abort", this.onAbort);
    this.context.subscriptions.release(this.start.claim);
  }

  private wake(): void {
    this.waker.wake();
    this.interruptSend?.();
  }

  /** Whether the subscription is over; a takeover ends it with ResourceInUseException. */
  private mustStop(): boolean {
    if (this.signal.aborted) return true;
    const { claim } = this.start;
    if (claim.stopReason === "taken-over") {
      const { streamName, shardIndex, consumerName } = this.start;
      throw streamsErrors.subscriptionInUse(this.context.accountId, streamName, shardIdFromIndex(shardIndex), consumerName);
    }
    return claim.stopReason !== undefined || this.context.clock.nowMs() >= claim.endsAtMs;
  }

  /** The last event of a closed shard: no records, its children. */
  private async endWithChildren(meta: Parameters<typeof childShardsOf>[0], shard: Parameters<typeof childShardsOf>[1]): Promise<Step> {
    if (await this.send("SubscribeToShardEvent", { Records: [], MillisBehindLatest: 0, ChildShards: childShardsOf(meta, shard) })) this.metrics?.event(0, 0, 0);
    return "ended";
  }

  private async step(): Promise<Step> {
    const nowMs = this.context.clock.nowMs();
    const { meta, shard } = this.current();
    const log = this.context.logs.shard(meta.streamId, shard.shardIndex);
    // A closed shard takes no more appends: its end is final.
    const endOffset = shard.endingOffset === undefined ? Infinity : shard.endingOffset;
    if (this.offset >= endOffset) return this.endWithChildren(meta, shard);
    if (this.offset >= log.endOffset()) {
      if (shard.endingOffset === undefined) return this.idle(nowMs);
      // Closed, and this node's view of the log ends before the shard does. On an engine several
      // nodes share, another node's last appends may not have reached this node's view yet (its
      // catalog and its logs are followed apart), and a read stops at the view's end: sealing
      // again — harmless, the reshard sealed the shard before storing its end — makes
      // endOffset() the log's final end (ShardLog.seal). Without seal the view is the log, and
      // ending short of endingOffset means a crash lost the tail: the shard ends there.
      if (log.seal !== undefined) {
        const sealed = await log.seal();
        if (!sealed.ok) {
          this.context.logger.warn({ failure: sealed.failure, stream: meta.StreamName, shardIndex: shard.shardIndex }, "could not bring a closed shard's end into view; will try again");
          return this.idle(nowMs);
        }
      }
      if (this.offset >= log.endOffset()) return this.endWithChildren(meta, shard);
    }
    const recordsMax = Math.min(eventRecordsMax, endOffset - this.offset);
    const read = await log.read(this.offset, { recordsMax, bytesMax: eventBytesMax });
    if (read.records.length === 0) {
      const advanced = read.nextOffset > this.offset;
      this.offset = Math.max(this.offset, read.nextOffset);
      return advanced ? "more" : this.idle(nowMs);
    }
    const last = read.records[read.records.length - 1]!;
    const sequence = shardSequence(meta.shards, shard);
    this.continuation = recordSequenceNumber(sequence, last.offset, last.arrivalMs);
    this.offset = read.nextOffset;
    // Records that aged out of retention while waiting are skipped, never sent (a prefix: arrivals never decrease).
    const cutoffMs = retentionCutoffMs(meta, nowMs);
    let firstRetained = 0;
    while (firstRetained < read.records.length && read.records[firstRetained]!.arrivalMs < cutoffMs) firstRetained++;
    if (firstRetained === read.records.length) return "more";
    const records = firstRetained === 0 ? read.records : read.records.slice(firstRetained);
    // A stream that was ever encrypted may hold sealed records: opened as GetRecords opens them.
    if (meta.encryption !== undefined) await openSealedRecords(this.context, meta, shard.shardIndex, records);
    const millisBehindLatest = read.nextArrivalMs === undefined ? 0 : Math.max(0, nowMs - read.nextArrivalMs);
    const sent = await this.send("SubscribeToShardEvent", {
      Records: new RecordList(records, sequence, meta.encryption === undefined ? "NONE" : "KMS"),
      ContinuationSequenceNumber: this.continuation,
      MillisBehindLatest: millisBehindLatest,
    });
    if (sent && this.metrics !== undefined) {
      const bytes = storedBytes(records);
      this.metrics.event(records.length, bytes, millisBehindLatest);
      this.context.metrics.stream(meta)?.subscriptionEvent(meta, shard, records.length, bytes);
    }
    return "sent";
  }

  /** Caught up: a heartbeat if nothing went out for 5 seconds, then wait. */
  private async idle(nowMs: number): Promise<Step> {
    if (nowMs - this.lastSentMs >= heartbeatMs) {
      if (await this.send("SubscribeToShardEvent", { Records: [], ContinuationSequenceNumber: this.continuation, MillisBehindLatest: 0 })) this.metrics?.event(0, 0, 0);
    }
    return "idle";
  }

  /**
   * The stream and shard as they are now, and the consumer still ACTIVE: a subscription outlives
   * neither its shard (a deleted stream), nor its consumer's registration.
   */
  private current(): { meta: StreamMeta; shard: ShardMeta } {
    const { context } = this;
    const { streamName, streamId, shardIndex, consumerArn } = this.start;
    const { accountId } = context;
    const meta = context.streams.get(streamName);
    const shard = meta?.streamId === streamId ? meta.shards.find((candidate) => candidate.shardIndex === shardIndex) : undefined;
    if (meta === undefined || shard === undefined) throw streamsErrors.shardNotFound(shardIdFromIndex(shardIndex), streamName, accountId);
    const found = findConsumer(context, consumerArn);
    if (found === undefined) throw streamsErrors.consumerNotFound(consumerArn, accountId);
    const { consumer } = found;
    if (consumer.ConsumerStatus !== "ACTIVE") {
      throw streamsErrors.consumerNotActive(consumer.ConsumerName, createdSeconds(consumer.createdAtMs), streamName, accountId);
    }
    return { meta, shard };
  }

  /** Sends one event; false if the subscription had to stop before the transport took it. */
  private async send(eventType: string, payload: Record<string, unknown>): Promise<boolean> {
    const sending = this.sink.send(eventType, payload);
    this.lastSentMs = this.context.clock.nowMs();
    let interrupted = false;
    await new Promise<void>((resolve, reject) => {
      this.interruptSend = () => {
        interrupted = true;
        resolve();
      };
      sending.then(resolve, reject);
    }).finally(() => (this.interruptSend = undefined));
    return !interrupted;
  }
}
