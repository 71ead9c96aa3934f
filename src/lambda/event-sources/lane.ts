/**
 * One lane of a shard (ParallelizationFactor N gives N lanes): the records whose partition keys
 * hash to it, in shard order, cut into batches (BatchSize, MaximumBatchingWindowInSeconds, the
 * 6 MB payload bound, one tumbling window per batch) and run one batch at a time, so each key's
 * records reach the function in order.
 */
import type { StreamRecordView } from "../../storage/stream-access.js";
import { processBatch, type BatchScope } from "./batch-invoker.js";
import type { WindowCheckpoint } from "./checkpoint-store.js";
import { invokePayloadBytesMax } from "./kinesis-event.js";
import { Wake } from "./wake.js";

/** A record's bytes in the event besides its data, partition key and sequence number (generous). */
const recordOverheadBytes = 512;
/** Room kept in a payload for the tumbling window's members and state. */
const windowReserveBytes = 1024 * 1024;
/** A tumbling window's state past this ends the window early (isWindowTerminatedEarly), as Lambda's 1 MB bound. */
const windowStateBytesMax = 1024 * 1024;

export class Lane {
  private queue: StreamRecordView[] = [];
  private head = 0;
  private firstQueuedAtMs = 0;
  private readonly wake: Wake;
  /** The shard has no more records coming (closed and read to its end). */
  drained = false;
  /** Idle: nothing queued and no batch running. */
  idle = true;
  window: WindowCheckpoint | undefined;
  private readonly done: Promise<void>;

  constructor(
    readonly index: number,
    private readonly scope: BatchScope,
    window: WindowCheckpoint | undefined,
  ) {
    this.wake = new Wake(scope.deps.clock);
    this.window = window;
    this.done = this.run().catch((error: unknown) => {
      if (!scope.signal.aborted) scope.deps.logger.error({ err: error }, `event source mapping ${scope.mapping.UUID}: lane ${index} of ${scope.shardId} failed`);
    });
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  push(record: StreamRecordView): void {
    if (this.queued === 0) this.firstQueuedAtMs = this.scope.deps.clock.nowMs();
    this.queue.push(record);
    this.idle = false;
  }

  /** New records were pushed, or the shard drained. */
  nudge(): void {
    this.wake.notify();
  }

  finished(): Promise<void> {
    return this.done;
  }

  private get windowMs(): number {
    return this.scope.mapping.TumblingWindowInSeconds * 1000;
  }

  private async run(): Promise<void> {
    const { scope } = this;
    const { signal } = scope;
    const batchingMs = scope.mapping.MaximumBatchingWindowInSeconds * 1000;
    while (!signal.aborted) {
      if (this.queued === 0) {
        if (await this.closeWindowIfDue()) continue;
        if (this.drained) {
          if (this.window !== undefined) await this.finalInvoke(false);
          this.idle = true;
          return;
        }
        this.idle = true;
        await this.wake.wait(this.window === undefined ? undefined : this.window.startMs + this.windowMs - scope.deps.clock.nowMs(), signal);
        continue;
      }
      this.idle = false;
      if (batchingMs > 0 && this.queued < scope.mapping.BatchSize && !this.drained) {
        const dueMs = this.firstQueuedAtMs + batchingMs - scope.deps.clock.nowMs();
        if (dueMs > 0) {
          await this.wake.wait(dueMs, signal);
          continue;
        }
      }
      const batch = this.takeBatch();
      if (this.windowMs > 0) await this.runInWindow(batch);
      else await processBatch(scope, batch);
    }
  }

  /** Up to BatchSize records, within the payload bound, of one tumbling window. */
  private takeBatch(): StreamRecordView[] {
    const { mapping } = this.scope;
    const limitBytes = invokePayloadBytesMax - (this.windowMs > 0 ? windowReserveBytes : 0) - 64;
    const end = Math.min(this.queue.length, this.head + mapping.BatchSize);
    const windowStart = this.windowMs > 0 ? this.windowStartOf(this.queue[this.head]!) : 0;
    let bytes = 16;
    let at = this.head;
    while (at < end) {
      const record = this.queue[at]!;
      const recordBytes = recordOverheadBytes + record.partitionKey.length * 6 + record.sequenceNumber.length * 2 + Math.ceil(record.data.length / 3) * 4;
      if (at > this.head && bytes + recordBytes > limitBytes) break;
      if (this.windowMs > 0 && this.windowStartOf(record) !== windowStart) break;
      bytes += recordBytes;
      at += 1;
    }
    const batch = this.queue.slice(this.head, at);
    this.head = at;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.queued > 0) this.firstQueuedAtMs = this.scope.deps.clock.nowMs();
    return batch;
  }

  private windowStartOf(record: StreamRecordView): number {
    return Math.floor(record.approximateArrivalTimestampMs / this.windowMs) * this.windowMs;
  }

  private async runInWindow(batch: StreamRecordView[]): Promise<void> {
    const startMs = this.windowStartOf(batch[0]!);
    if (this.window !== undefined && this.window.startMs !== startMs) await this.finalInvoke(false);
    if (this.window === undefined) this.window = { startMs, state: {} };
    const state = await processBatch(this.scope, batch, {
      startMs,
      endMs: startMs + this.windowMs,
      state: this.window.state,
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
    });
    this.window = { startMs, state: state ?? {} };
    if (Buffer.byteLength(JSON.stringify(this.window.state)) > windowStateBytesMax) await this.finalInvoke(true);
  }

  /** The window's time is over and nothing of it is queued: its final invocation. */
  private async closeWindowIfDue(): Promise<boolean> {
    if (this.window === undefined || this.scope.deps.clock.nowMs() < this.window.startMs + this.windowMs) return false;
    await this.finalInvoke(false);
    return true;
  }

  private async finalInvoke(terminatedEarly: boolean): Promise<void> {
    const window = this.window!;
    await processBatch(this.scope, [], {
      startMs: window.startMs,
      endMs: window.startMs + this.windowMs,
      state: window.state,
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: terminatedEarly,
    });
    this.window = undefined;
    this.scope.finished([]);
  }
}
