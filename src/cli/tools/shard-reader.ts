/**
 * Reads one shard's Kinesis records as they are stored (not de-aggregated: an export must give
 * back the very records it read), page by page: GetShardIterator once, then GetRecords with each
 * NextShardIterator. Throttling and the service's failures are retried with jittered backoff; an
 * expired iterator is replaced by one after the last record read. For a de-aggregated reader with
 * the KCL's semantics, the client library's PollingFetcher is the one (tail uses it).
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type _Record,
  type Shard,
  type ShardIteratorType,
} from "@aws-sdk/client-kinesis";
import { errorName, isRetriableError, jitteredBackoffMs } from "../../client/retry.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";

/** GetRecords' own maximum page. */
export const pageRecordsMax = 10_000;
/** Backoff after a throttled call: full jitter over 100 ms × 2^(attempt−1), at most 5 s. */
const backoffMsBase = 100;
const backoffMsMax = 5_000;
/** How long to wait after an empty page before asking again (AWS allows five GetRecords a second a shard). */
export const idleMsDefault = 1_000;

export interface ReaderDeps {
  kinesis: KinesisClient;
  clock: Clock;
  random: Random;
}

export interface ReadStart {
  Type: ShardIteratorType;
  SequenceNumber?: string;
  Timestamp?: Date;
}

export interface Page {
  Records: _Record[];
  MillisBehindLatest: number | undefined;
  /** The shard has ended: no NextShardIterator came back. */
  ended: boolean;
}

export class ShardReader {
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  private ended = false;

  constructor(
    private readonly deps: ReaderDeps,
    private readonly StreamName: string,
    private readonly ShardId: string,
    private readonly start: ReadStart,
    private readonly signal: AbortSignal,
    /** Tries of one page before its error is the caller's (throttling, the service's failures, expired iterators); unbounded for a tail. */
    private readonly attemptsMax = Infinity,
  ) {}

  /** The next page; rejects with the signal's reason once aborted. */
  async next(): Promise<Page> {
    if (this.ended) return { Records: [], MillisBehindLatest: 0, ended: true };
    for (let attempt = 1; ; attempt++) {
      this.signal.throwIfAborted();
      try {
        this.iterator ??= await this.freshIterator();
        const out = await this.deps.kinesis.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: pageRecordsMax }), { abortSignal: this.signal });
        const Records = out.Records ?? [];
        const last = Records[Records.length - 1];
        if (last?.SequenceNumber !== undefined) this.lastSequenceNumber = last.SequenceNumber;
        this.iterator = out.NextShardIterator ?? undefined;
        this.ended = this.iterator === undefined;
        return { Records, MillisBehindLatest: out.MillisBehindLatest, ended: this.ended };
      } catch (error) {
        this.signal.throwIfAborted();
        if (attempt >= this.attemptsMax) throw error;
        if (errorName(error) === "ExpiredIteratorException") {
          this.iterator = undefined;
          if (attempt > 1) await this.sleep(attempt);
          continue;
        }
        if (!isRetriableError(error)) throw error;
        await this.sleep(attempt);
      }
    }
  }

  /** Waits the idle time between empty pages (or until aborted). */
  idle(delayMs = idleMsDefault): Promise<void> {
    return this.deps.clock.sleep(delayMs, { signal: this.signal }).catch(() => undefined);
  }

  private sleep(attempt: number): Promise<void> {
    return this.deps.clock.sleep(jitteredBackoffMs(attempt, this.deps.random, backoffMsBase, backoffMsMax), { signal: this.signal });
  }

  private async freshIterator(): Promise<string> {
    const start: ReadStart = this.lastSequenceNumber !== undefined ? { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: this.lastSequenceNumber } : this.start;
    const out = await this.deps.kinesis.send(
      new GetShardIteratorCommand({
        StreamName: this.StreamName,
        ShardId: this.ShardId,
        ShardIteratorType: start.Type,
        ...(start.SequenceNumber !== undefined && { StartingSequenceNumber: start.SequenceNumber }),
        ...(start.Timestamp !== undefined && { Timestamp: start.Timestamp }),
      }),
      { abortSignal: this.signal },
    );
    if (out.ShardIterator === undefined) throw new Error(`GetShardIterator returned no iterator for ${this.ShardId}`);
    return out.ShardIterator;
  }
}

/** Every shard of the stream (ListShards, all pages), closed ones within the retention period included. */
export async function listAllShards(kinesis: KinesisClient, StreamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let NextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(NextToken !== undefined ? { NextToken } : { StreamName }));
    shards.push(...(page.Shards ?? []));
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return shards;
}

/** Whether the shard is closed (resharded): its range has an ending sequence number. */
export function isClosed(shard: Shard): boolean {
  return shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
}
