/**
 * The delivery of one delivery stream (one incarnation at one VersionId): a loop that reads the
 * source in chunks, runs the processors, writes their failures to the error output, and appends
 * the rest to the buffer of their dynamic partition; a buffer is flushed when its raw bytes reach
 * BufferingHints.SizeInMBs, when IntervalInSeconds has passed since it opened (0: after each
 * chunk), and the flush delivers it with retries (RetryOptions.DurationInSeconds, backoff doubling
 * from 1 s to 30 s; S3 every 5 s for 24 h) in the background while reading goes on. At most
 * `flushesInFlightFor(sizeBytes)` flushes run at once (two; up to sixteen small buffers); the
 * loop waits for one to end before taking another chunk, so memory holds at most that many sealed
 * buffers plus the open ones, and one chunk read ahead (the source is read while the chunk before
 * is appended).
 *
 * A buffer settled (delivered, or given up after its retries) releases its chunks, and the
 * checkpoint tracker advances the lane's durable checkpoint (checkpoint-tracker.ts).
 */
import type { Clock, Timer } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";
import type { PipelineRecord, RecordProcessor } from "../contracts.js";
import type { SourceChunk, SourceReader } from "../../sources/source-reader.js";
import type { BufferedDestination, DestinationBuffer } from "./buffered-destination.js";
import type { ErrorOutput } from "./error-output.js";
import { CheckpointTracker } from "./checkpoint-tracker.js";
import type { DeliveryMetrics } from "../../metrics.js";

/** Flushes in flight at once for buffers of 16 MiB and more (SizeInMBs): two sealed buffers in memory. */
export const flushesInFlightMax = 2;
const flushBytesInFlightMax = 16 * 1024 * 1024;
const flushesInFlightCap = 16;

/**
 * Flushes in flight at once for buffers of `sizeBytes`: two, or for buffers under 8 MiB as many as
 * fit in 16 MiB (sixteen of 1 MiB). A 1 MiB / 0 s stream flushes four objects per source chunk,
 * and with two in flight the loop waited on object writes (each a file and its fdatasync, ~20 ms
 * on this machine's disk under ingest) most of the time; concurrent writes share the object
 * journal's group commits.
 */
export function flushesInFlightFor(sizeBytes: number): number {
  return Math.min(flushesInFlightCap, Math.max(flushesInFlightMax, Math.floor(flushBytesInFlightMax / sizeBytes)));
}
const backoffMsMin = 1000;
const backoffMsMax = 30_000;

export interface StreamDeliveryInput {
  clock: Clock;
  logger: Logger;
  deliveryStreamName: string;
  version: number;
  source: SourceReader;
  processors: readonly RecordProcessor[];
  destination: BufferedDestination;
  errorOutput: ErrorOutput;
  sizeBytes: number;
  intervalMs: number;
  /** Makes a lane's checkpoint durable; the engine's store write. */
  commit(lane: string, position: string, settledBytes: number): Promise<void>;
  newBatchId(): string;
  /** DeliveryTo<Destination>.* of this stream (src/firehose/metrics.ts); absent under `--metrics off`. */
  metrics?: DeliveryMetrics;
}

interface OpenBuffer {
  readonly key: string;
  readonly buffer: DestinationBuffer;
  readonly partitionKeys: Readonly<Record<string, string>> | undefined;
  readonly firstArrivalMs: number;
  readonly chunks: Set<number>;
  rawBytes: number;
  /** Records appended, for the delivery metrics. */
  records: number;
  timer: Timer | undefined;
}

export class StreamDelivery {
  private readonly abort = new AbortController();
  private readonly open = new Map<string, OpenBuffer>();
  private readonly tracker: CheckpointTracker;
  private readonly flushes = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private commits: Promise<void> = Promise.resolve();
  /** Records delivered (or given up) and batches written, for health and tests. */
  readonly counts = { deliveredRecords: 0, batches: 0, errorRecords: 0, droppedRecords: 0, failedBatches: 0 };

  private readonly flushesMax: number;

  constructor(private readonly input: StreamDeliveryInput) {
    this.flushesMax = flushesInFlightFor(input.sizeBytes);
    this.tracker = new CheckpointTracker((lane, position, bytes) => {
      // Commits are written in order, one at a time; a failed write is logged and the next one covers it.
      this.commits = this.commits.then(() => input.commit(lane, position, bytes)).catch((error) => input.logger.warn({ err: error }, "firehose checkpoint failed"));
      input.source.committed?.(lane, position);
    });
  }

  start(): void {
    this.loop = this.run().catch((error) => {
      if (!this.abort.signal.aborted) this.input.logger.error({ err: error, deliveryStream: this.input.deliveryStreamName }, "firehose delivery stopped");
    });
  }

  /**
   * Stops reading; buffers not yet flushed are dropped (their records stay after the checkpoint).
   * The loop ends before they are discarded: an append in progress is let finish, because
   * discarding a buffer under it (a GZIP stream destroyed while its drain() waited) left the
   * append, and so this stop and the UpdateDestination behind it, waiting forever
   * (test/crash/firehose-kill9.test.ts found it: the new version never delivered).
   */
  async stop(): Promise<void> {
    this.abort.abort(new Error("delivery stopped"));
    for (const open of this.open.values()) this.input.clock.clearTimer(open.timer);
    await this.loop;
    for (const open of this.open.values()) open.buffer.discard();
    this.open.clear();
    await Promise.allSettled([...this.flushes]);
    await this.commits;
    this.input.source.close();
  }

  get pendingChunks(): number {
    return this.tracker.pendingChunks;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let ahead = this.readAhead(signal);
    while (!signal.aborted) {
      while (this.flushes.size >= this.flushesMax) await Promise.race(this.flushes);
      const chunk = await ahead;
      // The next chunk is read while this one is appended (and compressed): reading the ingest
      // log and appending are each a serial step, and overlapped they no longer add up.
      ahead = this.readAhead(signal);
      const seq = this.tracker.open(chunk.lane, chunk.endPosition, chunk.bytes);
      await this.process(seq, chunk.records, signal);
      // A chunk cut short by stop() is never released: the checkpoint stays before its records.
      if (signal.aborted) break;
      this.tracker.release(seq);
      if (this.input.intervalMs === 0) for (const key of [...this.open.keys()]) this.flush(key);
    }
  }

  /**
   * The source's next chunk. A chunk read ahead is not yet opened in the tracker: if stop() comes
   * first it is dropped unprocessed, and delivery after the restart, from a checkpoint that never
   * passed it, reads it again.
   */
  private readAhead(signal: AbortSignal): Promise<SourceChunk> {
    const next = this.input.source.next(signal);
    // Rejected by stop() while nobody awaits it: not an unhandled rejection.
    next.catch(() => undefined);
    return next;
  }

  private async process(seq: number, records: readonly PipelineRecord[], signal: AbortSignal): Promise<void> {
    let current = records;
    const failed = [];
    for (const processor of this.input.processors) {
      const outcome = await processor.process(current);
      current = outcome.ok;
      failed.push(...outcome.failed);
      this.counts.droppedRecords += outcome.droppedCount;
    }
    if (failed.length > 0) {
      // The chunk is not settled before its failures are written: retried until they are.
      for (let backoffMs = backoffMsMin; ; backoffMs = Math.min(backoffMs * 2, backoffMsMax)) {
        const written = await this.input.errorOutput.write(failed, this.input.version, this.input.clock.nowMs());
        if (written.ok) break;
        this.input.logger.warn({ deliveryStream: this.input.deliveryStreamName, errorCode: written.errorCode }, "firehose error output write failed; retrying");
        await this.input.clock.sleep(backoffMs, { signal });
      }
      this.counts.errorRecords += failed.length;
    }
    const byPartition = new Map<string, PipelineRecord[]>();
    for (const record of current) {
      const key = record.partitionKeys === undefined ? "" : JSON.stringify(record.partitionKeys);
      const list = byPartition.get(key);
      if (list === undefined) byPartition.set(key, [record]);
      else list.push(record);
    }
    for (const [key, partitionRecords] of byPartition) {
      // A buffer is cut where it reaches SizeInMBs: the chunk's remaining records open the next one.
      for (let from = 0; from < partitionRecords.length; ) {
        if (signal.aborted) return;
        const open = this.bufferFor(key, partitionRecords[from]!);
        let to = from;
        while (to < partitionRecords.length && open.rawBytes < this.input.sizeBytes) open.rawBytes += partitionRecords[to++]!.data.length;
        if (!open.chunks.has(seq)) {
          open.chunks.add(seq);
          this.tracker.hold(seq);
        }
        await open.buffer.append(from === 0 && to === partitionRecords.length ? partitionRecords : partitionRecords.slice(from, to));
        this.counts.deliveredRecords += to - from;
        open.records += to - from;
        if (open.rawBytes >= this.input.sizeBytes) this.flush(key);
        from = to;
      }
    }
  }

  private bufferFor(key: string, first: PipelineRecord): OpenBuffer {
    let open = this.open.get(key);
    if (open === undefined) {
      open = { key, buffer: this.input.destination.open(), partitionKeys: first.partitionKeys, firstArrivalMs: first.approximateArrivalTimestampMs, chunks: new Set(), rawBytes: 0, records: 0, timer: undefined };
      if (this.input.intervalMs > 0) open.timer = this.input.clock.setTimeout(() => this.flush(key), this.input.intervalMs, { unref: true });
      this.open.set(key, open);
    }
    return open;
  }

  private flush(key: string): void {
    // Once stopping, open buffers stay put until stop() discards them: a flush of a buffer that
    // holds only part of a chunk would settle the chunk past records never appended.
    if (this.abort.signal.aborted) return;
    const open = this.open.get(key);
    if (open === undefined) return;
    this.open.delete(key);
    this.input.clock.clearTimer(open.timer);
    // Chunks are released only by a settled batch: one cut short by stop() stays unsettled, so
    // the checkpoint never passes its records.
    const flushing = this.deliver(open).then(
      () => {
        this.flushes.delete(flushing);
        for (const seq of open.chunks) this.tracker.release(seq);
      },
      () => {
        this.flushes.delete(flushing);
      },
    );
    this.flushes.add(flushing);
  }

  private async deliver(open: OpenBuffer): Promise<void> {
    const { destination } = this.input;
    // What the attempt's destination backed up as error records instead of delivering (for the metrics).
    const backedUp = { records: 0, bytes: 0 };
    const batch = {
      batchId: this.input.newBatchId(),
      deliveryStreamName: this.input.deliveryStreamName,
      deliveryStreamVersion: this.input.version,
      firstArrivalMs: open.firstArrivalMs,
      ...(open.partitionKeys !== undefined && { partitionKeys: open.partitionKeys }),
      ...(this.input.metrics !== undefined && {
        backedUp: (records: number, bytes: number) => {
          backedUp.records = records;
          backedUp.bytes = bytes;
        },
      }),
    };
    const startMs = this.input.clock.nowMs();
    let backoffMs = destination.retryIntervalMs ?? backoffMsMin;
    for (;;) {
      let outcome;
      backedUp.records = backedUp.bytes = 0;
      try {
        outcome = await open.buffer.deliver(batch);
      } catch (error) {
        outcome = { ok: false as const, retriable: true, errorCode: "InternalError", errorMessage: (error as Error).message };
      }
      if (this.input.metrics !== undefined) {
        // Records a destination gave up on and backed up as error records were not delivered.
        const delivered = outcome.ok ? open.records - backedUp.records : 0;
        this.input.metrics.attempted(outcome.ok && backedUp.records === 0, open.records, open.rawBytes, delivered, open.rawBytes - backedUp.bytes, open.firstArrivalMs, this.input.clock.nowMs());
      }
      if (outcome.ok) {
        this.counts.batches++;
        open.buffer.discard();
        return;
      }
      const elapsedMs = this.input.clock.nowMs() - startMs;
      if (!outcome.retriable || elapsedMs >= destination.retryDurationMs || this.abort.signal.aborted) {
        if (this.abort.signal.aborted) throw this.abort.signal.reason;
        // Given up: Firehose discards what it could not deliver in the retry duration (S3), the
        // other destinations having written their failures to their backup bucket already.
        this.input.logger.error({ deliveryStream: this.input.deliveryStreamName, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage }, "firehose batch given up");
        this.counts.failedBatches++;
        open.buffer.discard();
        return;
      }
      this.input.logger.warn({ deliveryStream: this.input.deliveryStreamName, errorCode: outcome.errorCode }, "firehose delivery failed; retrying");
      await this.input.clock.sleep(backoffMs, { signal: this.abort.signal });
      if (destination.retryIntervalMs === undefined) backoffMs = Math.min(backoffMs * 2, backoffMsMax);
    }
  }
}
