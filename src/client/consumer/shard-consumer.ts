/**
 * Drives one ShardRecordProcessor for one lease: the KCL's ShardConsumer states in a simple form.
 *
 *   initialize → { fetch a batch, processRecords } … → shardEnded        → "shard-ended"
 *                                                   ↘ leaseLost()       → "lease-lost"
 *                                                   ↘ requestShutdown() → "shutdown"
 *
 * - Calls to the processor never overlap; the next batch is fetched while the processor works on
 *   the current one (one batch of prefetch, no more).
 * - Empty batches are not handed to processRecords unless `callProcessRecordsEvenForEmptyRecordList`
 *   (the KCL's option of that name, default false).
 * - A processor that throws is counted (`processorErrors`, `onProcessorError`) and the consumer
 *   goes on with the next batch: the records are not delivered again, as in the KCL. A throwing
 *   initialize is the exception: nothing can be processed, so run resolves "failed".
 * - At the shard's end the processor must checkpoint SHARD_END in shardEnded (`checkpoint()` with no
 *   arguments). If it did not, shardEnded is called again after `shardEndedRetryMs`, up to
 *   `shardEndedAttemptsMax` calls in all (the KCL retries its shutdown task so), then run resolves
 *   "failed" and the shard's children stay blocked until a later owner finishes it.
 * - A fetch error no retry can fix (the stream was deleted, access denied) resolves "failed";
 *   `failure` holds it.
 * - leaseLost(), or a checkpoint rejected with LeaseLost, stops at once: the running processRecords
 *   finishes (calls never overlap) but no other is made, then processor.leaseLost.
 */
import { systemClock, type Clock } from "../../util/clock.js";
import { ConsumerError } from "./errors.js";
import { comparePositions, isSentinel } from "./retrieval/positions.js";
import { Sleeper } from "./retrieval/retry.js";
import type { ExtendedSequenceNumber, FetchedBatch, RecordProcessorCheckpointer, RecordsFetcher, ShardRecordProcessor } from "./types.js";

export type ShardConsumerOutcome = "shard-ended" | "lease-lost" | "shutdown" | "failed";
export type ProcessorCall = "initialize" | "processRecords" | "leaseLost" | "shardEnded" | "shutdownRequested";

export interface ShardConsumerOptions {
  shardId: string;
  /** The lease's checkpoint: checkpoints before it are refused. */
  checkpoint: ExtendedSequenceNumber;
  pendingCheckpoint?: ExtendedSequenceNumber;
  processor: ShardRecordProcessor;
  fetcher: RecordsFetcher;
  /** Makes a checkpoint durable (the lease coordinator); rejects with ConsumerError LeaseLost when the lease is gone. */
  saveCheckpoint(position: ExtendedSequenceNumber): Promise<void>;
  clock?: Clock;
  /** Hand empty batches to processRecords too (default false, as the KCL). */
  callProcessRecordsEvenForEmptyRecordList?: boolean;
  /** shardEnded calls before giving up on a processor that does not checkpoint SHARD_END (default 5). */
  shardEndedAttemptsMax?: number;
  /** The wait between those calls (default 1,000 ms). */
  shardEndedRetryMs?: number;
  /** Told of every exception a processor call threw (the consumer carries on). */
  onProcessorError?(error: unknown, call: ProcessorCall): void;
}

const shardEnd: ExtendedSequenceNumber = { sequenceNumber: "SHARD_END", subSequenceNumber: 0 };

type Fetched = { batch: FetchedBatch } | { error: unknown };
type StopReason = "lease-lost" | "shutdown";

/**
 * @example
 * const consumer = new ShardConsumer({ shardId, checkpoint: lease.checkpoint, processor, fetcher,
 *   saveCheckpoint: (position) => coordinator.checkpoint(shardId, position) });
 * const outcome = await consumer.run(); // "shard-ended" | "lease-lost" | "shutdown" | "failed"
 */
export class ShardConsumer {
  readonly shardId: string;
  /** Exceptions thrown by the processor's calls. */
  processorErrors = 0;
  /** Why run resolved "failed", when a fetch or initialize failed. */
  failure: unknown;
  private readonly options: ShardConsumerOptions;
  private readonly processor: ShardRecordProcessor;
  private readonly fetcher: RecordsFetcher;
  private readonly sleeper: Sleeper;
  private lastCheckpoint: ExtendedSequenceNumber;
  private lastHandedOut: ExtendedSequenceNumber | undefined;
  private atShardEnd = false;
  private children: string[] = [];
  private checkpoints: Promise<unknown> = Promise.resolve();
  private stopReason: StopReason | undefined;
  private signalStop!: () => void;
  private readonly stopped = new Promise<"stop">((resolve) => (this.signalStop = () => resolve("stop")));
  private started = false;
  private outcome: ShardConsumerOutcome | undefined;
  private markDone!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.markDone = resolve));
  private readonly checkpointer: RecordProcessorCheckpointer;

  constructor(options: ShardConsumerOptions) {
    this.options = options;
    this.shardId = options.shardId;
    this.processor = options.processor;
    this.fetcher = options.fetcher;
    this.sleeper = new Sleeper(options.clock ?? systemClock);
    this.lastCheckpoint = options.checkpoint;
    this.checkpointer = { checkpoint: (sequenceNumber, subSequenceNumber) => this.checkpoint(sequenceNumber, subSequenceNumber) };
  }

  /** The children named at the shard's end (empty before it). */
  childShardIds(): string[] {
    return [...this.children];
  }

  /** The last checkpoint made durable (or the lease's, if none yet). */
  checkpointPosition(): ExtendedSequenceNumber {
    return { ...this.lastCheckpoint };
  }

  /** Runs the processor until the shard ends, the lease is lost, a shutdown is requested or it fails. May be called once. */
  async run(): Promise<ShardConsumerOutcome> {
    if (this.started) throw new Error("ShardConsumer.run() may be called once");
    this.started = true;
    let outcome: ShardConsumerOutcome;
    try {
      outcome = await this.execute();
    } catch (error) {
      // Only a bug gets here (processor errors are caught per call); report it as a failure.
      this.failure = error;
      outcome = "failed";
    }
    await this.fetcher.close().catch(() => undefined);
    this.outcome = outcome;
    this.markDone();
    return outcome;
  }

  /** The lease is gone: no more processRecords; processor.leaseLost; run resolves "lease-lost". */
  leaseLost(): void {
    if (this.outcome !== undefined) return;
    this.stopReason = "lease-lost";
    this.stop();
  }

  /**
   * Graceful: the running processRecords finishes, shutdownRequested gets a checkpointer, then run
   * resolves "shutdown". Resolves once run has resolved (whatever its outcome).
   */
  async requestShutdown(): Promise<void> {
    if (this.outcome === undefined) {
      this.stopReason ??= "shutdown";
      this.stop();
    }
    if (this.started) await this.done;
  }

  // -------------------------------------------------------------------------------------------

  private stop(): void {
    this.signalStop();
    this.sleeper.cancel();
    // Lease lost: stop reading at once. A shutdown keeps the fetcher until the loop ends (closed then).
    if (this.stopReason === "lease-lost") void this.fetcher.close().catch(() => undefined);
  }

  private async execute(): Promise<ShardConsumerOutcome> {
    if (this.stopReason === "lease-lost") return "lease-lost";
    const initialized = await this.call("initialize", () =>
      this.processor.initialize({
        shardId: this.shardId,
        extendedSequenceNumber: { ...this.options.checkpoint },
        ...(this.options.pendingCheckpoint !== undefined && { pendingCheckpointSequenceNumber: { ...this.options.pendingCheckpoint } }),
      }),
    );
    if (!initialized.ok) {
      this.failure = initialized.error;
      return "failed";
    }
    let pending: Promise<Fetched> | undefined = this.stopReason === undefined ? this.fetch() : undefined;
    while (this.stopReason === undefined && pending !== undefined) {
      const got = await Promise.race([pending, this.stopped]);
      if (got === "stop") break;
      pending = undefined;
      if ("error" in got) {
        if (this.stopReason !== undefined) break;
        this.failure = got.error;
        return "failed";
      }
      const { batch } = got;
      if (batch.shardEnd === undefined) pending = this.fetch();
      await this.processBatch(batch);
      if (batch.shardEnd !== undefined && this.stopReason === undefined) {
        this.children = [...batch.shardEnd.childShardIds];
        return await this.finishShard();
      }
    }
    return await this.stopNow();
  }

  /** One fetch as a value, so a prefetch abandoned at a stop never rejects unhandled. */
  private fetch(): Promise<Fetched> {
    return this.fetcher.next().then(
      (batch) => ({ batch }),
      (error: unknown) => ({ error }),
    );
  }

  private async processBatch(batch: FetchedBatch): Promise<void> {
    const { records } = batch;
    if (records.length === 0 && !this.options.callProcessRecordsEvenForEmptyRecordList) return;
    const last = records[records.length - 1];
    if (last !== undefined) this.lastHandedOut = { sequenceNumber: last.SequenceNumber, subSequenceNumber: last.SubSequenceNumber };
    await this.call("processRecords", () =>
      this.processor.processRecords({
        records,
        checkpointer: this.checkpointer,
        ...(batch.millisBehindLatest !== undefined && { millisBehindLatest: batch.millisBehindLatest }),
        isAtShardEnd: batch.shardEnd !== undefined,
      }),
    );
  }

  /** shardEnded until the processor checkpoints SHARD_END, up to the attempts allowed. */
  private async finishShard(): Promise<ShardConsumerOutcome> {
    this.atShardEnd = true;
    await this.fetcher.close().catch(() => undefined);
    const attemptsMax = this.options.shardEndedAttemptsMax ?? 5;
    for (let attempt = 1; attempt <= attemptsMax; attempt++) {
      await this.call("shardEnded", () => this.processor.shardEnded({ checkpointer: this.checkpointer }));
      // A checkpoint the processor started but did not await still counts once it lands.
      await this.checkpoints;
      if (this.lastCheckpoint.sequenceNumber === shardEnd.sequenceNumber) return "shard-ended";
      if (this.stopReason !== undefined || attempt === attemptsMax) break;
      await this.sleeper.sleep(this.options.shardEndedRetryMs ?? 1000);
      if (this.stopReason !== undefined) break;
    }
    if (this.stopReason !== undefined) return await this.stopNow();
    this.failure = new Error(`the processor of ${this.shardId} did not checkpoint SHARD_END in ${attemptsMax} shardEnded calls`);
    return "failed";
  }

  private async stopNow(): Promise<ShardConsumerOutcome> {
    await this.fetcher.close().catch(() => undefined);
    if (this.stopReason === "shutdown") {
      await this.call("shutdownRequested", () => this.processor.shutdownRequested({ checkpointer: this.checkpointer }));
      await this.checkpoints;
      // A checkpoint in shutdownRequested may find the lease already gone.
      if (this.stopReason === "shutdown") return "shutdown";
    }
    await this.call("leaseLost", () => this.processor.leaseLost({}));
    return "lease-lost";
  }

  private async call(name: ProcessorCall, body: () => void | Promise<void>): Promise<{ ok: true } | { ok: false; error: unknown }> {
    try {
      await body();
      return { ok: true };
    } catch (error) {
      this.processorErrors++;
      this.options.onProcessorError?.(error, name);
      return { ok: false, error };
    }
  }

  // -------------------------------------------------------------------------------------------
  // The checkpointer

  /** Checkpoints are made one at a time, in call order; the no-argument target is fixed at call time. */
  private checkpoint(sequenceNumber?: string, subSequenceNumber?: number): Promise<void> {
    let target: ExtendedSequenceNumber;
    try {
      target = sequenceNumber === undefined ? this.defaultTarget() : this.explicitTarget(sequenceNumber, subSequenceNumber);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.checkpoints.then(() => this.save(target));
    this.checkpoints = run.catch(() => undefined);
    return run;
  }

  /** checkpoint(): SHARD_END in shardEnded, else the last record handed out (the current checkpoint if none was). */
  private defaultTarget(): ExtendedSequenceNumber {
    if (this.atShardEnd) return shardEnd;
    return this.lastHandedOut ?? this.lastCheckpoint;
  }

  private explicitTarget(sequenceNumber: string, subSequenceNumber = 0): ExtendedSequenceNumber {
    const target = { sequenceNumber, subSequenceNumber };
    if (sequenceNumber === shardEnd.sequenceNumber) {
      if (!this.atShardEnd) throw invalid(`SHARD_END may be checkpointed only once the shard has ended (${this.shardId})`);
      return shardEnd;
    }
    if (!/^\d{1,128}$/.test(sequenceNumber) || !Number.isSafeInteger(subSequenceNumber) || subSequenceNumber < 0) {
      throw invalid(`checkpoint (${sequenceNumber}, ${subSequenceNumber}) is not a sequence number and sub-sequence number`);
    }
    const last = this.lastCheckpoint;
    if (last.sequenceNumber === shardEnd.sequenceNumber || (!isSentinel(last) && comparePositions(target, last) < 0)) {
      throw invalid(`checkpoint (${sequenceNumber}, ${subSequenceNumber}) is before the last checkpoint (${last.sequenceNumber}, ${last.subSequenceNumber}) of ${this.shardId}`);
    }
    const upper = this.lastHandedOut ?? (isSentinel(last) ? undefined : last);
    if (upper === undefined || comparePositions(target, upper) > 0) {
      const handed = upper === undefined ? "no record was handed out yet" : `the last record handed out is (${upper.sequenceNumber}, ${upper.subSequenceNumber})`;
      throw invalid(`checkpoint (${sequenceNumber}, ${subSequenceNumber}) is after the last record handed out of ${this.shardId}: ${handed}`);
    }
    return target;
  }

  private async save(target: ExtendedSequenceNumber): Promise<void> {
    if (this.stopReason === "lease-lost") throw new ConsumerError("LeaseLost", `the lease of ${this.shardId} was lost`);
    const last = this.lastCheckpoint;
    if (target.sequenceNumber === last.sequenceNumber && target.subSequenceNumber === last.subSequenceNumber) return;
    // Explicit targets were checked against the checkpoint when made; one queued behind a later checkpoint may now be behind it.
    if (!isSentinel(target) && !isSentinel(last) && comparePositions(target, last) < 0) {
      throw invalid(`checkpoint (${target.sequenceNumber}, ${target.subSequenceNumber}) is before the last checkpoint (${last.sequenceNumber}, ${last.subSequenceNumber}) of ${this.shardId}`);
    }
    try {
      await this.options.saveCheckpoint({ ...target });
    } catch (error) {
      if (isLeaseLost(error)) this.leaseLost();
      throw error;
    }
    this.lastCheckpoint = target;
  }
}

function invalid(message: string): ConsumerError {
  return new ConsumerError("InvalidCheckpoint", message);
}

function isLeaseLost(error: unknown): boolean {
  return error instanceof ConsumerError ? error.code === "LeaseLost" : (error as { code?: unknown } | null)?.code === "LeaseLost";
}
