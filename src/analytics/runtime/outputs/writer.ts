/**
 * One output's writer: the engine's records for it, in order, written to its destination in
 * batches, each failed record written again (after a backoff) until it is stored — at least once.
 * Records are numbered by the worker (`seq`, suppressed ones included); `writtenSeq` is the last
 * number whose record, and every one before it, is stored.
 *
 * A checkpoint's barrier (`barrier(seq)`) resolves once everything up to `seq` is written, with the
 * destination's mark taken before anything after `seq` is written: batches never mix the two.
 */
import type { Clock } from "../../../util/clock.js";
import type { Logger } from "../../../util/logger.js";
import type { Destination, OutputMark } from "./destination.js";
import type { FlowMetrics } from "../metrics.js";

interface Pending {
  firstSeq: number;
  lastSeq: number;
  records: Buffer[];
  /** Records of this item already written. */
  done: number;
}

interface Barrier {
  seq: number;
  resolve(mark: OutputMark): void;
  reject(error: Error): void;
}

const retryDelayMinMs = 100;
const retryDelayMaxMs = 5000;

export class OutputWriter {
  private readonly queue: Pending[] = [];
  private barriers: Barrier[] = [];
  private queuedRecords = 0;
  private writing: Promise<void> | undefined;
  private stopped = false;
  private readonly stopController = new AbortController();
  private lastProblem: string | undefined;
  writtenSeq: number;
  /** Records written (for health and tests). */
  writtenRecords = 0;

  constructor(
    private readonly destination: Destination,
    private readonly clock: Clock,
    private readonly logger: Logger,
    startSeq: number,
    /** The output's Bytes, Records and Success (runtime/metrics.ts); absent under `--metrics off`. */
    private readonly metrics?: FlowMetrics,
  ) {
    this.writtenSeq = startSeq;
  }

  /** Records waiting to be written: the runner stops feeding the engine past a bound. */
  get backlog(): number {
    return this.queuedRecords;
  }

  enqueue(firstSeq: number, lastSeq: number, records: readonly string[]): void {
    this.queue.push({ firstSeq, lastSeq, records: records.map((record) => Buffer.from(record, "utf8")), done: 0 });
    this.queuedRecords += records.length;
    this.kick();
  }

  /** Resolves with the destination's mark once every record up to `seq` is written, before any later one. */
  barrier(seq: number): Promise<OutputMark> {
    return new Promise<OutputMark>((resolve, reject) => {
      this.barriers.push({ seq, resolve, reject });
      this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopController.abort();
    await this.writing;
    for (const barrier of this.barriers) barrier.reject(new Error("the output writer stopped"));
    this.barriers = [];
  }

  private kick(): void {
    this.writing ??= this.loop().finally(() => {
      this.writing = undefined;
      if (!this.stopped && (this.queue.length > 0 || this.barriers.length > 0)) this.kick();
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      await this.settleBarriers();
      const head = this.queue[0];
      if (head === undefined) return;
      if (head.done >= head.records.length) {
        this.queue.shift();
        this.writtenSeq = head.lastSeq;
        continue;
      }
      const limit = this.barriers[0]?.seq;
      const batch = this.nextBatch(limit);
      await this.writeBatch(batch);
    }
  }

  /** Resolves the barriers everything before which is written: their mark comes before any later write. */
  private async settleBarriers(): Promise<void> {
    while (this.barriers.length > 0 && this.barriers[0]!.seq <= this.writtenSeq) {
      const barrier = this.barriers.shift()!;
      try {
        barrier.resolve(await this.destination.mark());
      } catch (error) {
        barrier.reject(error as Error);
      }
    }
  }

  /** Records from the head of the queue up to the destination's bounds, not past item `limitSeq`. */
  private nextBatch(limitSeq: number | undefined): { item: Pending; from: number; to: number }[] {
    const batch: { item: Pending; from: number; to: number }[] = [];
    let count = 0;
    let bytes = 0;
    for (const item of this.queue) {
      if (limitSeq !== undefined && item.firstSeq > limitSeq) break;
      let to = item.done;
      while (to < item.records.length && count < this.destination.recordsPerWriteMax) {
        const size = item.records[to]!.length;
        if (count > 0 && bytes + size > this.destination.bytesPerWriteMax) break;
        bytes += size;
        count++;
        to++;
      }
      if (to > item.done) batch.push({ item, from: item.done, to });
      if (to < item.records.length) break;
    }
    return batch;
  }

  /** Writes the batch until every record of it is stored, retrying the failed ones. */
  private async writeBatch(batch: { item: Pending; from: number; to: number }[]): Promise<void> {
    let pending = batch.flatMap(({ item, from, to }) => item.records.slice(from, to));
    let delayMs = retryDelayMinMs;
    while (pending.length > 0 && !this.stopped) {
      const outcome = await this.destination.write(pending);
      if (this.metrics !== undefined) recordWrite(this.metrics, pending, outcome.ok ? outcome.failed : undefined);
      if (outcome.ok && outcome.failed.length === 0) break;
      const message = outcome.ok ? `${outcome.failed.length} of ${pending.length} records to ${this.destination.description} failed; retrying them` : `Writing to ${this.destination.description} failed: ${outcome.message}`;
      if (message !== this.lastProblem) this.logger.warn({ destination: this.destination.description }, message);
      this.lastProblem = message;
      if (outcome.ok) pending = outcome.failed.map((index) => pending[index]!);
      try {
        await this.clock.sleep(delayMs, { signal: this.stopController.signal, unref: true });
      } catch {
        return;
      }
      delayMs = Math.min(delayMs * 2, retryDelayMaxMs);
    }
    if (this.stopped && pending.length > 0) return;
    this.lastProblem = undefined;
    for (const { item, from, to } of batch) {
      item.done = to;
      this.queuedRecords -= to - from;
      this.writtenRecords += to - from;
    }
  }
}

/** One write attempt's metrics: what the destination stored (all but `failed`'s indexes; nothing when the write failed whole). */
function recordWrite(metrics: FlowMetrics, pending: readonly Buffer[], failed: readonly number[] | undefined): void {
  metrics.attempted(failed !== undefined && failed.length === 0);
  if (failed === undefined) return;
  let bytes = 0;
  for (const record of pending) bytes += record.length;
  for (const index of failed) bytes -= pending[index]!.length;
  if (pending.length > failed.length) metrics.moved(pending.length - failed.length, bytes);
}
