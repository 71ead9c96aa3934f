/**
 * A Kinesis producer over the AWS SDK's KinesisClient: it works against Tributary and AWS alike.
 *
 * Records are buffered and sent with PutRecords, a batch at a time, when a batch is full (entries
 * or bytes), when its oldest record has lingered `lingerMs`, or at once during flush() and close().
 * Failed entries and failed calls are retried with jittered exponential backoff up to `attemptsMax`
 * sends; a record that still fails rejects its promise with a ProducerError. Nothing is dropped:
 * every accepted record's promise settles. Memory is bounded: once `bufferedRecordsMax` records or
 * `bufferedBytesMax` bytes are accepted and unsettled, new records wait (backpressure).
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsResultEntry } from "@aws-sdk/client-kinesis";
import { hashPartitionKey } from "../../core/hash-key.js";
import { isRetriableError, isRetriableName, jitteredBackoffMs } from "../retry.js";
import { selectBatch, type BatchEntry, type Pending, type PutResult } from "./batch-select.js";
import { ProducerError } from "./errors.js";
import { producerConfig, type ProducerConfig, type ProducerOptions } from "./options.js";
import { ShardBudget } from "./rate-limiter.js";
import { recordData, recordProblem, type ProducerRecord } from "./record-check.js";
import { listOpenShards, ShardMap } from "./shard-map.js";
import type { Timer } from "../../util/clock.js";

/** What enqueue() answers once the record is accepted into the buffer. */
export interface Accepted {
  /** Settles when the record is written (or finally fails). */
  acknowledged: Promise<PutResult>;
}

interface SpaceWaiter {
  record: ProducerRecord;
  data: Uint8Array;
  resolve(accepted: Accepted): void;
}

/**
 * @example
 * const producer = new Producer({ client: new KinesisClient({}), StreamName: "orders", aggregate: true });
 * const { SequenceNumber, ShardId } = await producer.put({ PartitionKey: "customer-7", Data: "{...}" });
 * for (const order of orders) await producer.enqueue({ PartitionKey: order.customer, Data: order.bytes }); // backpressure
 * await producer.close(); // sends everything still buffered
 */
export class Producer {
  private readonly config: ProducerConfig;
  private readonly client: KinesisClient;
  /** Accepted records not yet sent (or back for a retry), in acceptance order. */
  private queue: Pending[] = [];
  private queueBytes = 0;
  private earliestDueMs = Infinity;
  /** Every accepted, unsettled record by seq; a Map iterates in insertion (= seq) order. */
  private readonly outstanding = new Map<number, Pending>();
  private outstandingBytes = 0;
  private readonly spaceWaiters: SpaceWaiter[] = [];
  private nextSeq = 0;
  private requestsInFlight = 0;
  private readonly keysInFlight = new Map<string, number>();
  private shardMap: ShardMap | undefined;
  private shardMapLoading = false;
  private shardMapStale = false;
  /** Aggregation waits for a fresh map: an aggregate landed on a shard other than predicted. */
  private shardMapAwaited = false;
  private shardMapFailures = 0;
  private shardMapRetryAtMs = 0;
  private readonly budgets = new Map<string, ShardBudget>();
  private timer: Timer | undefined;
  private timerAtMs = Infinity;
  private readonly flushWaiters: Array<{ seq: number; resolve(): void }> = [];
  private closing = false;
  private readonly closeWaiters: Array<() => void> = [];
  private pumping = false;
  private pumpAgain = false;

  constructor(options: ProducerOptions) {
    this.config = producerConfig(options);
    this.client = options.client;
  }

  /** Puts one record; resolves with where it was written, or rejects with a ProducerError. */
  async put(record: ProducerRecord): Promise<PutResult> {
    const { acknowledged } = await this.enqueue(record);
    return acknowledged;
  }

  /**
   * Accepts one record into the buffer, waiting while the buffer is full; the answer's
   * `acknowledged` settles when the record is written. Awaiting enqueue() in a loop is how a
   * fast source is held to the producer's pace.
   */
  enqueue(record: ProducerRecord): Promise<Accepted> {
    if (this.closing) return Promise.reject(new ProducerError("ProducerClosed", "the producer is closed", 0));
    const data = recordData(record);
    const problem = data === undefined ? "Data must be a Uint8Array or a string" : recordProblem(record, data, this.config.recordBytesMax);
    if (problem !== undefined) return Promise.reject(new ProducerError("InvalidRecord", problem, 0));
    if (this.spaceWaiters.length === 0 && this.hasSpaceFor(data!.length)) return Promise.resolve(this.accept(record, data!));
    return new Promise((resolve) => this.spaceWaiters.push({ record, data: data!, resolve }));
  }

  /** Sends everything accepted so far without lingering; resolves when all of it has settled. */
  flush(): Promise<void> {
    const seq = this.nextSeq - 1;
    if (this.settledThrough(seq)) return Promise.resolve();
    return new Promise((resolve) => {
      this.flushWaiters.push({ seq, resolve });
      this.pump();
    });
  }

  /**
   * Refuses new records, sends everything accepted (and waiting for space), and resolves when all
   * of it has settled. The KinesisClient stays open: it is the caller's.
   */
  close(): Promise<void> {
    this.closing = true;
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      this.pump();
    });
  }

  /** Records accepted and not yet settled. */
  get bufferedRecords(): number {
    return this.outstanding.size;
  }

  private hasSpaceFor(dataBytes: number): boolean {
    if (this.outstanding.size === 0) return true;
    return this.outstanding.size < this.config.bufferedRecordsMax && this.outstandingBytes + dataBytes <= this.config.bufferedBytesMax;
  }

  private accept(record: ProducerRecord, data: Uint8Array): Accepted {
    const nowMs = this.config.clock.nowMs();
    const entry = { PartitionKey: record.PartitionKey, Data: data, ...(record.ExplicitHashKey !== undefined && { ExplicitHashKey: record.ExplicitHashKey }) };
    let pending!: Pending;
    const acknowledged = new Promise<PutResult>((resolve, reject) => {
      pending = {
        seq: this.nextSeq++,
        entry,
        sizeBytes: data.length + Buffer.byteLength(record.PartitionKey, "utf8"),
        hashKey: record.ExplicitHashKey !== undefined ? BigInt(record.ExplicitHashKey) : hashPartitionKey(record.PartitionKey),
        dueMs: nowMs + this.config.lingerMs,
        notBeforeMs: 0,
        attempts: 0,
        resolve,
        reject,
      };
    });
    this.outstanding.set(pending.seq, pending);
    this.outstandingBytes += pending.sizeBytes;
    this.queue.push(pending);
    this.queueBytes += pending.sizeBytes;
    this.earliestDueMs = Math.min(this.earliestDueMs, pending.dueMs);
    this.pump();
    return { acknowledged };
  }

  /** Sends batches while there is something to send and room in flight; otherwise sets the timer for later. */
  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    const { config } = this;
    while (this.queue.length > 0 && this.requestsInFlight < config.requestsInFlightMax) {
      const nowMs = config.clock.nowMs();
      if ((this.needsShardMap() && this.shardMap === undefined) || this.shardMapAwaited) {
        this.loadShardMap(nowMs);
        return; // the load pumps again when it ends
      }
      const urgent = this.closing || this.flushWaiters.length > 0;
      const full = this.queue.length >= config.batchRecordsMax || this.queueBytes >= config.batchBytesMax;
      if (!urgent && !full && this.earliestDueMs > nowMs) {
        this.wakeAt(this.earliestDueMs, nowMs);
        return;
      }
      const selection = selectBatch(this.queue, {
        nowMs,
        limits: config,
        keysInFlight: this.keysInFlight,
        shardFor: (hashKey) => this.shardMap?.shardFor(hashKey),
        budgetFor: (shardId) => this.budgetFor(shardId, nowMs),
      });
      this.queue = selection.remaining;
      this.earliestDueMs = selection.earliestDueMs;
      if (selection.entries.length === 0) {
        if (selection.wakeAtMs !== Infinity) this.wakeAt(selection.wakeAtMs, nowMs);
        return; // otherwise a response in flight will pump again
      }
      for (const { members } of selection.entries) for (const pending of members) this.queueBytes -= pending.sizeBytes;
      void this.send(selection.entries);
    }
  }

  private needsShardMap(): boolean {
    return this.config.aggregate || this.config.rateLimit;
  }

  private budgetFor(shardId: string, nowMs: number): ShardBudget | undefined {
    if (!this.config.rateLimit) return undefined;
    let budget = this.budgets.get(shardId);
    if (budget === undefined) {
      budget = new ShardBudget(this.config.shardRecordsPerSecond, this.config.shardBytesPerSecond, nowMs);
      this.budgets.set(shardId, budget);
    }
    return budget;
  }

  private wakeAt(atMs: number, nowMs: number): void {
    if (this.timer !== undefined && this.timerAtMs <= atMs) return;
    if (this.timer !== undefined) this.config.clock.clearTimer(this.timer);
    this.timerAtMs = atMs;
    this.timer = this.config.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = Infinity;
      this.pump();
    }, Math.max(0, atMs - nowMs));
  }

  private async send(entries: BatchEntry[]): Promise<void> {
    const { config } = this;
    this.requestsInFlight++;
    const keys = entries.flatMap((entry) => entry.members.map((pending) => pending.entry.PartitionKey));
    if (config.ordered) for (const key of keys) this.keysInFlight.set(key, (this.keysInFlight.get(key) ?? 0) + 1);
    for (const entry of entries) for (const pending of entry.members) pending.attempts++;
    try {
      const output = await this.client.send(new PutRecordsCommand({ ...config.stream, Records: entries.map((entry) => entry.entry) }));
      const results = output.Records ?? [];
      // One backoff for the whole call, so the records it failed go back out together.
      const retryAtMs = this.retryAtMs(entries[0]!.members[0]!.attempts);
      if (results.length !== entries.length) {
        const error = new Error(`PutRecords answered ${results.length} entries for ${entries.length}`);
        for (const entry of entries) this.retryOrFail(entry.members, retryAtMs, "InternalFailure", error.message, error);
      } else {
        entries.forEach((entry, i) => this.settleEntry(entry, results[i]!, retryAtMs));
      }
    } catch (error) {
      const code = (error as { name?: string }).name ?? "Error";
      const message = (error as { message?: string }).message ?? String(error);
      const retryAtMs = this.retryAtMs(entries[0]!.members[0]!.attempts);
      for (const entry of entries) this.retryOrFail(entry.members, retryAtMs, code, message, error, isRetriableError(error));
    } finally {
      this.requestsInFlight--;
      // Keys are released only after failed records are back in the queue, ahead of later records of their key.
      if (config.ordered) for (const key of keys) this.releaseKey(key);
      this.pump();
    }
  }

  private settleEntry(entry: BatchEntry, result: PutRecordsResultEntry, retryAtMs: number): void {
    if (result.ErrorCode !== undefined || result.SequenceNumber === undefined || result.ShardId === undefined) {
      const code = result.ErrorCode ?? "InternalFailure";
      this.retryOrFail(entry.members, retryAtMs, code, result.ErrorMessage ?? code);
      return;
    }
    if (entry.predictedShardId !== undefined && entry.predictedShardId !== result.ShardId) {
      this.markShardMapStale();
      if (entry.aggregated) {
        // As the KPL does: an aggregate on the wrong shard (the map predates a reshard) may hold
        // records outside that shard's hash key range, whose user records the KCL drops; so its
        // records go again, regrouped with a fresh map. Readers that do not filter by range see
        // them twice.
        this.shardMapAwaited = true;
        const message = `aggregate landed on ${result.ShardId}, not the predicted ${entry.predictedShardId}`;
        this.retryOrFail(entry.members, this.config.clock.nowMs(), "WrongShard", message, undefined, true);
        return;
      }
    }
    entry.members.forEach((pending, index) => {
      pending.resolve({
        SequenceNumber: result.SequenceNumber!,
        ShardId: result.ShardId!,
        ...(entry.aggregated && { SubSequenceNumber: index }),
        attempts: pending.attempts,
      });
      this.settled(pending);
    });
  }

  private retryAtMs(attempts: number): number {
    const { config } = this;
    return config.clock.nowMs() + jitteredBackoffMs(attempts, config.random, config.backoffMsBase, config.backoffMsMax);
  }

  private retryOrFail(members: Pending[], retryAtMs: number, code: string, message: string, cause?: unknown, retriable = isRetriableName(code)): void {
    for (const pending of members) {
      if (retriable && pending.attempts < this.config.attemptsMax) {
        pending.notBeforeMs = retryAtMs;
        pending.dueMs = retryAtMs;
        this.requeue(pending);
        continue;
      }
      const reason = retriable ? `failed after ${pending.attempts} attempts: ${message}` : message;
      pending.reject(new ProducerError(code, reason, pending.attempts, cause === undefined ? undefined : { cause }));
      this.settled(pending);
    }
  }

  /** Puts a record back in acceptance order, so it goes before any later record of its key. */
  private requeue(pending: Pending): void {
    let low = 0;
    let high = this.queue.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.queue[middle]!.seq < pending.seq) low = middle + 1;
      else high = middle;
    }
    this.queue.splice(low, 0, pending);
    this.queueBytes += pending.sizeBytes;
    this.earliestDueMs = Math.min(this.earliestDueMs, pending.dueMs);
  }

  private releaseKey(key: string): void {
    const count = (this.keysInFlight.get(key) ?? 0) - 1;
    if (count > 0) this.keysInFlight.set(key, count);
    else this.keysInFlight.delete(key);
  }

  /** Bookkeeping for a record just resolved or rejected: frees its space, wakes waiters. */
  private settled(pending: Pending): void {
    this.outstanding.delete(pending.seq);
    this.outstandingBytes -= pending.sizeBytes;
    while (this.spaceWaiters.length > 0 && this.hasSpaceFor(this.spaceWaiters[0]!.data.length)) {
      const waiter = this.spaceWaiters.shift()!;
      waiter.resolve(this.accept(waiter.record, waiter.data));
    }
    for (let i = this.flushWaiters.length - 1; i >= 0; i--) {
      const waiter = this.flushWaiters[i]!;
      if (this.settledThrough(waiter.seq)) {
        this.flushWaiters.splice(i, 1);
        // After the records' own promises (and put()'s, a few microtasks behind) have settled.
        setImmediate(waiter.resolve);
      }
    }
    if (this.outstanding.size === 0 && this.timer !== undefined) {
      // Nothing left to wake for; a pending timer would only hold the process open.
      this.config.clock.clearTimer(this.timer);
      this.timer = undefined;
      this.timerAtMs = Infinity;
    }
    if (this.closing && this.idle()) for (const resolve of this.closeWaiters.splice(0)) setImmediate(resolve);
  }

  private settledThrough(seq: number): boolean {
    const oldest = this.outstanding.keys().next();
    return oldest.done === true || oldest.value > seq;
  }

  private idle(): boolean {
    return this.outstanding.size === 0 && this.spaceWaiters.length === 0;
  }

  private markShardMapStale(): void {
    this.shardMapStale = true;
    if (!this.shardMapLoading) this.loadShardMap(this.config.clock.nowMs());
  }

  /** Loads (or reloads) the shard map; while reloading, the old map keeps predicting. */
  private loadShardMap(nowMs: number): void {
    if (this.shardMapLoading) return;
    if (nowMs < this.shardMapRetryAtMs) {
      this.wakeAt(this.shardMapRetryAtMs, nowMs);
      return;
    }
    this.shardMapLoading = true;
    this.shardMapStale = false;
    listOpenShards(this.client, this.config.stream).then(
      (ranges) => {
        this.shardMap = new ShardMap(ranges);
        this.shardMapFailures = 0;
        this.shardMapAwaited = false;
        const open = new Set(this.shardMap.shardIds);
        for (const shardId of this.budgets.keys()) if (!open.has(shardId)) this.budgets.delete(shardId);
      },
      (error: unknown) => this.shardMapFailed(error),
    ).finally(() => {
      this.shardMapLoading = false;
      if (this.shardMapStale) this.markShardMapStale();
      this.pump();
    });
  }

  private shardMapFailed(error: unknown): void {
    this.shardMapFailures++;
    const { config } = this;
    const retry = isRetriableError(error) && this.shardMapFailures < config.attemptsMax;
    if (retry) this.shardMapRetryAtMs = config.clock.nowMs() + jitteredBackoffMs(this.shardMapFailures, config.random, config.backoffMsBase, config.backoffMsMax);
    if (this.shardMap !== undefined) {
      // A failed reload: try again later, and meanwhile (or for good, once out of attempts) predict with the map we have.
      if (!retry) {
        this.shardMapAwaited = false;
        this.shardMapFailures = 0;
      }
      return;
    }
    if (retry) return;
    // Without a map nothing can be aggregated or rate-limited safely: the buffered records fail, with the reason.
    const message = `ListShards failed, so records cannot be routed: ${(error as { message?: string }).message ?? String(error)}`;
    const queued = this.queue;
    this.queue = [];
    this.queueBytes = 0;
    this.earliestDueMs = Infinity;
    this.shardMapFailures = 0;
    for (const pending of queued) {
      pending.reject(new ProducerError("ShardMapUnavailable", message, pending.attempts, { cause: error }));
      this.settled(pending);
    }
  }
}
