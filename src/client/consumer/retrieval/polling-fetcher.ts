/**
 * Reads one shard by polling: GetShardIterator once, then GetRecords with each NextShardIterator,
 * one call per `next()` — at most one call in flight, and at most one response in memory.
 *
 * - Throttling (ProvisionedThroughputExceededException, 5 calls a second a shard on AWS) and the
 *   service's failures are retried with jittered exponential backoff; other errors reject `next()`.
 * - An expired iterator (AWS: 5 minutes) is replaced by one AFTER the last Kinesis record seen, or
 *   at the start position when none was seen yet.
 * - A response without NextShardIterator is the shard's end: its batch carries `shardEnd` with the
 *   children from the response's ChildShards (or ListShards, when the response has none).
 */
import { GetRecordsCommand, GetShardIteratorCommand, type GetRecordsCommandOutput, type KinesisClient } from "@aws-sdk/client-kinesis";
import { systemRandom, type Random } from "../../../util/random.js";
import { systemClock, type Clock } from "../../../util/clock.js";
import { ConsumerError } from "../errors.js";
import type { FetchedBatch, FetcherStart, RecordsFetcher } from "../types.js";
import { RecordFilter, startingPosition, type StartingPosition } from "./positions.js";
import { errorName, isRetriableError } from "../../retry.js";
import { backoffMs, childShardsFromListShards, Sleeper } from "./retry.js";

/** GetRecords' own maximum (and the KCL's default maxRecords). */
export const getRecordsLimitMax = 10_000;

export interface PollingFetcherOptions extends FetcherStart {
  kinesis: KinesisClient;
  stream: { StreamName?: string; StreamARN?: string };
  /** GetRecords' Limit, 1 – 10,000 (default 10,000). */
  maxRecords?: number;
  /** How long to wait after a GetRecords that returned no records (default 1,000 ms, as the KCL). */
  idleTimeBetweenReadsMs?: number;
  clock?: Clock;
  random?: Random;
}

/**
 * @example
 * const fetcher = new PollingFetcher({ kinesis, stream: { StreamName: "orders" }, shardId: "shardId-000000000000",
 *   checkpoint: { sequenceNumber: "TRIM_HORIZON", subSequenceNumber: 0 }, initialPosition: { type: "TRIM_HORIZON" } });
 * for (;;) { const batch = await fetcher.next(); handle(batch.records); if (batch.shardEnd) break; }
 * await fetcher.close();
 */
export class PollingFetcher implements RecordsFetcher {
  private readonly kinesis: KinesisClient;
  private readonly stream: { StreamName?: string; StreamARN?: string };
  private readonly shardId: string;
  private readonly start: StartingPosition;
  private readonly filter: RecordFilter;
  private readonly maxRecords: number;
  private readonly idleTimeBetweenReadsMs: number;
  private readonly random: Random;
  private readonly sleeper: Sleeper;
  private readonly abort = new AbortController();
  private iterator: string | undefined;
  /** The last Kinesis record handed out (all its sub-records with it): where an expired iterator resumes. */
  private lastSequenceNumber: string | undefined;
  private ended: FetchedBatch["shardEnd"];
  private inFlight = false;
  private closed = false;
  /** GetRecords calls made, throttled and expired: for tests and metrics. */
  readonly stats = { getRecordsCalls: 0, throttled: 0, iteratorsExpired: 0 };

  constructor(options: PollingFetcherOptions) {
    if (options.checkpoint.sequenceNumber === "SHARD_END") throw new TypeError(`shard ${options.shardId} is at SHARD_END: nothing to fetch`);
    if (options.stream.StreamName === undefined && options.stream.StreamARN === undefined) throw new TypeError("PollingFetcher needs a StreamName or a StreamARN");
    this.kinesis = options.kinesis;
    this.stream = options.stream.StreamARN !== undefined ? { StreamARN: options.stream.StreamARN } : { StreamName: options.stream.StreamName! };
    this.shardId = options.shardId;
    this.start = startingPosition(options);
    this.filter = new RecordFilter(options);
    this.maxRecords = options.maxRecords ?? getRecordsLimitMax;
    if (!Number.isInteger(this.maxRecords) || this.maxRecords < 1 || this.maxRecords > getRecordsLimitMax) {
      throw new RangeError(`maxRecords must be an integer from 1 to ${getRecordsLimitMax}, got ${String(options.maxRecords)}`);
    }
    this.idleTimeBetweenReadsMs = options.idleTimeBetweenReadsMs ?? 1000;
    this.random = options.random ?? systemRandom;
    this.sleeper = new Sleeper(options.clock ?? systemClock);
  }

  async next(): Promise<FetchedBatch> {
    if (this.inFlight) throw new Error("PollingFetcher.next() called again before the previous call settled");
    this.inFlight = true;
    try {
      return await this.fetch();
    } finally {
      this.inFlight = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    this.sleeper.cancel();
  }

  private async fetch(): Promise<FetchedBatch> {
    // After the end, the shard has nothing more: say so again rather than call a closed shard.
    if (this.ended !== undefined) return { records: [], shardEnd: this.ended };
    for (let attempt = 1; ; attempt++) {
      this.checkOpen();
      let response: GetRecordsCommandOutput;
      try {
        this.iterator ??= await this.freshIterator();
        this.stats.getRecordsCalls++;
        response = await this.kinesis.send(
          new GetRecordsCommand({ ShardIterator: this.iterator, Limit: this.maxRecords, ...(this.stream.StreamARN !== undefined && { StreamARN: this.stream.StreamARN }) }),
          { abortSignal: this.abort.signal },
        );
      } catch (error) {
        this.checkOpen(error);
        if (errorName(error) === "ExpiredIteratorException") {
          this.stats.iteratorsExpired++;
          this.iterator = undefined;
          // A fresh iterator that expires at once again (a skewed clock) must not spin.
          if (attempt > 1) await this.sleeper.sleep(backoffMs(attempt, this.random));
          continue;
        }
        if (!isRetriableError(error)) throw error;
        this.stats.throttled++;
        await this.sleeper.sleep(backoffMs(attempt, this.random));
        continue;
      }
      return this.batchFrom(response);
    }
  }

  private async batchFrom(response: GetRecordsCommandOutput): Promise<FetchedBatch> {
    const raw = response.Records ?? [];
    const last = raw[raw.length - 1];
    if (last?.SequenceNumber !== undefined) this.lastSequenceNumber = last.SequenceNumber;
    const batch: FetchedBatch = {
      records: this.filter.apply(raw),
      ...(response.MillisBehindLatest !== undefined && { millisBehindLatest: response.MillisBehindLatest }),
    };
    this.iterator = response.NextShardIterator ?? undefined;
    if (this.iterator === undefined) {
      const fromResponse = (response.ChildShards ?? []).flatMap((child) => (child.ShardId !== undefined ? [child.ShardId] : []));
      const childShardIds = fromResponse.length > 0 ? fromResponse.sort() : await this.childShardsFromListShards();
      this.ended = { childShardIds };
      return { ...batch, shardEnd: this.ended };
    }
    if (raw.length === 0) {
      await this.sleeper.sleep(this.idleTimeBetweenReadsMs);
      this.checkOpen();
    }
    return batch;
  }

  private async freshIterator(): Promise<string> {
    const position: StartingPosition =
      this.lastSequenceNumber !== undefined ? { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: this.lastSequenceNumber } : this.start;
    const out = await this.kinesis.send(
      new GetShardIteratorCommand({
        ...this.stream,
        ShardId: this.shardId,
        ShardIteratorType: position.Type,
        ...(position.SequenceNumber !== undefined && { StartingSequenceNumber: position.SequenceNumber }),
        ...(position.Timestamp !== undefined && { Timestamp: position.Timestamp }),
      }),
      { abortSignal: this.abort.signal },
    );
    if (out.ShardIterator === undefined) throw new Error(`GetShardIterator returned no iterator for ${this.shardId}`);
    return out.ShardIterator;
  }

  private async childShardsFromListShards(): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await childShardsFromListShards(this.kinesis, this.stream, this.shardId, this.abort.signal);
      } catch (error) {
        this.checkOpen(error);
        if (!isRetriableError(error)) throw error;
        await this.sleeper.sleep(backoffMs(attempt, this.random));
      }
    }
  }

  private checkOpen(cause?: unknown): void {
    if (this.closed) throw new ConsumerError("FetcherClosed", `the fetcher of ${this.shardId} was closed`, cause !== undefined ? { cause } : undefined);
  }
}
