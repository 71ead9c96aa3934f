/**
 * Two lighter ways to write a processor than the KCL-shaped ShardRecordProcessor:
 *
 * - `recordHandler(handle)`: a function per batch; the batch is checkpointed when it resolves
 *   (at-least-once: a batch whose handler threw, or that was in flight when the lease moved, is
 *   delivered again to the next owner), and shard ends and shutdowns are checkpointed for you.
 * - `shardIterables()`: an async iterator of shards, each an async iterator of batches that the
 *   caller checkpoints itself; the consumer reads ahead at most one batch per shard.
 */
import type {
  ConsumerRecord,
  ProcessRecordsInput,
  ShardEndedInput,
  ShardRecordProcessor,
  ShardRecordProcessorFactory,
  ShutdownRequestedInput,
} from "./types.js";

export interface HandlerBatch {
  shardId: string;
  records: ConsumerRecord[];
  millisBehindLatest?: number;
}

/** A processor factory from a batch handler that checkpoints each batch after `handle` resolves. */
export function recordHandler(handle: (batch: HandlerBatch) => void | Promise<void>): ShardRecordProcessorFactory {
  return (shardId) => ({
    initialize() {},
    async processRecords(input: ProcessRecordsInput) {
      if (input.records.length === 0) return;
      await handle({ shardId, records: input.records, ...(input.millisBehindLatest !== undefined && { millisBehindLatest: input.millisBehindLatest }) });
      await input.checkpointer.checkpoint();
    },
    leaseLost() {},
    async shardEnded(input: ShardEndedInput) {
      await input.checkpointer.checkpoint();
    },
    shutdownRequested() {
      // Every handled batch was checkpointed when its handler resolved; nothing else is done.
    },
  });
}

export interface IteratedBatch {
  records: ConsumerRecord[];
  millisBehindLatest?: number;
  /** Checkpoints at the batch's last record (or at an earlier one given); see RecordProcessorCheckpointer. */
  checkpoint(sequenceNumber?: string, subSequenceNumber?: number): Promise<void>;
}

/** Why a shard's iteration ended. */
export type ShardEndReason = "shard-ended" | "lease-lost" | "shutdown";

export interface ShardIterable extends AsyncIterable<IteratedBatch> {
  readonly shardId: string;
  /** Set once iteration has ended. At "shard-ended" the shard was checkpointed SHARD_END after the loop ended. */
  readonly endReason: ShardEndReason | undefined;
}

/**
 * A processor factory and the async iterator of shards it feeds. Pass `processorFactory` to the
 * Consumer, then `for await (const shard of shards)` and handle each shard concurrently — shards
 * are independent, so awaiting one shard's loop before the next would stall the others.
 */
export function shardIterables(): { processorFactory: ShardRecordProcessorFactory; shards: AsyncIterable<ShardIterable> } {
  const shardQueue = new AsyncQueue<ShardIterable>();
  const processorFactory: ShardRecordProcessorFactory = (shardId) => {
    const shard = new IterableShardProcessor(shardId);
    shardQueue.push(shard.iterable);
    return shard;
  };
  return { processorFactory, shards: shardQueue };
}

/** Feeds one shard's batches to its iterable; processRecords waits until the caller has taken the batch and asked for the next. */
class IterableShardProcessor implements ShardRecordProcessor {
  private readonly batches = new AsyncQueue<IteratedBatch>(1);
  private endReason: ShardEndReason | undefined;
  readonly iterable: ShardIterable;

  constructor(readonly shardId: string) {
    const self = this;
    this.iterable = {
      shardId,
      get endReason() {
        return self.endReason;
      },
      [Symbol.asyncIterator]: () => self.batches[Symbol.asyncIterator](),
    };
  }

  initialize(): void {}

  async processRecords(input: ProcessRecordsInput): Promise<void> {
    if (input.records.length === 0) return;
    const checkpointer = input.checkpointer;
    await this.batches.pushAndWait({
      records: input.records,
      ...(input.millisBehindLatest !== undefined && { millisBehindLatest: input.millisBehindLatest }),
      checkpoint: (sequenceNumber, subSequenceNumber) => checkpointer.checkpoint(sequenceNumber, subSequenceNumber),
    });
  }

  leaseLost(): void {
    this.end("lease-lost");
  }

  async shardEnded(input: ShardEndedInput): Promise<void> {
    // The caller's loop has taken every batch; it ends now, and the shard is finished for it.
    await this.batches.drained();
    // A loop left early took not every batch: the shard is not finished, and its next owner resumes from the last checkpoint.
    if (this.batches.abandoned) return;
    this.end("shard-ended");
    await input.checkpointer.checkpoint();
  }

  shutdownRequested(_input: ShutdownRequestedInput): void {
    this.end("shutdown");
  }

  private end(reason: ShardEndReason): void {
    this.endReason ??= reason;
    this.batches.close();
  }
}

/**
 * A small async queue: `push` adds, `pushAndWait` adds and resolves once a consumer has taken the
 * item and asked for the next one (backpressure), `close` ends iteration after what is queued.
 */
class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: { value: T; taken?: () => void }[] = [];
  private readonly waiting: ((result: IteratorResult<T>) => void)[] = [];
  private closed = false;
  /** The consumer left its loop early. */
  abandoned = false;
  private pendingTaken: (() => void) | undefined;
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly capacity = Infinity) {}

  push(value: T): void {
    this.enqueue({ value });
  }

  pushAndWait(value: T): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.enqueue({ value, taken: resolve }));
  }

  /** Resolves once every pushed item was taken and the consumer asked for more (or the queue closed). */
  drained(): Promise<void> {
    if (this.closed || (this.items.length === 0 && this.pendingTaken === undefined)) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const item of this.items) item.taken?.();
    this.pendingTaken?.();
    this.pendingTaken = undefined;
    if (this.items.length === 0) for (const waiter of this.waiting.splice(0)) waiter({ value: undefined, done: true });
    for (const waiter of this.drainWaiters.splice(0)) waiter();
  }

  private enqueue(item: { value: T; taken?: () => void }): void {
    if (this.closed) return;
    const waiter = this.waiting.shift();
    if (waiter !== undefined) {
      this.hand(item, waiter);
      return;
    }
    if (this.items.length >= this.capacity) throw new Error("AsyncQueue over capacity: pushAndWait before the previous item was taken");
    this.items.push(item);
  }

  private hand(item: { value: T; taken?: () => void }, waiter: (result: IteratorResult<T>) => void): void {
    // The pusher resumes when the consumer comes back for the next item: it has finished this one.
    this.pendingTaken = item.taken;
    waiter({ value: item.value, done: false });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const finished = this.pendingTaken;
        this.pendingTaken = undefined;
        finished?.();
        const item = this.items.shift();
        if (item !== undefined) {
          this.pendingTaken = item.taken;
          return Promise.resolve({ value: item.value, done: false });
        }
        if (this.items.length === 0 && this.pendingTaken === undefined) for (const waiter of this.drainWaiters.splice(0)) waiter();
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiting.push(resolve));
      },
      // Leaving the loop early (break, throw) ends the iteration: later batches are not handed
      // out, and whatever was not checkpointed is delivered again to the shard's next owner.
      return: () => {
        if (!this.closed) this.abandoned = true;
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
