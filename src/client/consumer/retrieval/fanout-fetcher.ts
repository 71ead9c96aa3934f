/**
 * Reads one shard by enhanced fan-out: SubscribeToShard (an HTTP/2 event stream the service
 * pushes), one SubscribeToShardEvent per `next()`.
 *
 * - Each subscription lasts 5 minutes (or ends on an error); the fetcher subscribes again AFTER the
 *   last event's ContinuationSequenceNumber, or at the start position if no event came yet — so a
 *   re-subscription neither loses nor repeats a record.
 * - ResourceInUseException on subscribing (AWS refuses a second call for the same consumer and shard
 *   within 5 seconds of the last) and LimitExceededException (over one call a second) are retried
 *   after a jittered backoff, as are throttling and the service's failures; other errors reject.
 * - An event without ContinuationSequenceNumber is the shard's end: its batch carries `shardEnd`
 *   with the event's ChildShards (or those ListShards names, if the event has none).
 * - Bounded memory: the next event is read only when `next()` is called again; in between the SDK
 *   stops reading the stream and HTTP/2 flow control holds the service back.
 */
import {
  DescribeStreamConsumerCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  type KinesisClient,
  type SubscribeToShardEvent,
  type SubscribeToShardEventStream,
} from "@aws-sdk/client-kinesis";
import { systemClock, type Clock } from "../../../util/clock.js";
import { systemRandom, type Random } from "../../../util/random.js";
import { jitteredBackoffMs } from "../../retry.js";
import { ConsumerError } from "../errors.js";
import type { FetchedBatch, FetcherStart, RecordsFetcher } from "../types.js";
import { RecordFilter, startingPosition, type StartingPosition } from "./positions.js";
import { errorName, isRetriableError } from "../../retry.js";
import { backoffMs, childShardsFromListShards, Sleeper } from "./retry.js";

/** The wait before subscribing again after ResourceInUseException: 500 – 1,000 ms (AWS frees the slot 5 s after the last call). */
export const inUseRetryMsBase = 500;

export interface FanOutFetcherOptions extends FetcherStart {
  kinesis: KinesisClient;
  /** The registered consumer (see `ensureStreamConsumer`). */
  consumerARN: string;
  /** The stream, for ListShards when a shard's end comes without ChildShards. */
  streamARN: string;
  clock?: Clock;
  random?: Random;
}

interface Open {
  events: AsyncIterator<SubscribeToShardEventStream>;
  abort: AbortController;
}

/**
 * @example
 * const consumerARN = await ensureStreamConsumer({ kinesis, streamARN, consumerName: "my-app" });
 * const fetcher = new FanOutFetcher({ kinesis, consumerARN, streamARN, shardId, checkpoint, initialPosition: { type: "LATEST" } });
 * for (;;) { const batch = await fetcher.next(); handle(batch.records); if (batch.shardEnd) break; }
 * await fetcher.close();
 */
export class FanOutFetcher implements RecordsFetcher {
  private readonly kinesis: KinesisClient;
  private readonly consumerARN: string;
  private readonly streamARN: string;
  private readonly shardId: string;
  private readonly start: StartingPosition;
  private readonly filter: RecordFilter;
  private readonly random: Random;
  private readonly sleeper: Sleeper;
  private open: Open | undefined;
  /** The last event's ContinuationSequenceNumber: where the next subscription starts (AFTER it). */
  private continuation: string | undefined;
  private ended: FetchedBatch["shardEnd"];
  private inFlight = false;
  private closed = false;
  /** SubscribeToShard calls, those answered (the subscription is in place), those retried, and streams that failed: for tests and metrics. */
  readonly stats = { subscribeCalls: 0, subscriptions: 0, subscribeRetries: 0, streamErrors: 0 };

  constructor(options: FanOutFetcherOptions) {
    if (options.checkpoint.sequenceNumber === "SHARD_END") throw new TypeError(`shard ${options.shardId} is at SHARD_END: nothing to fetch`);
    this.kinesis = options.kinesis;
    this.consumerARN = options.consumerARN;
    this.streamARN = options.streamARN;
    this.shardId = options.shardId;
    this.start = startingPosition(options);
    this.filter = new RecordFilter(options);
    this.random = options.random ?? systemRandom;
    this.sleeper = new Sleeper(options.clock ?? systemClock);
  }

  async next(): Promise<FetchedBatch> {
    if (this.inFlight) throw new Error("FanOutFetcher.next() called again before the previous call settled");
    this.inFlight = true;
    try {
      return await this.fetch();
    } finally {
      this.inFlight = false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sleeper.cancel();
    this.dropSubscription();
  }

  private async fetch(): Promise<FetchedBatch> {
    if (this.ended !== undefined) return { records: [], shardEnd: this.ended };
    let failures = 0;
    for (;;) {
      this.checkOpen();
      const open = this.open ?? (await this.subscribe());
      let result: IteratorResult<SubscribeToShardEventStream>;
      try {
        result = await open.events.next();
      } catch (error) {
        this.dropSubscription();
        this.checkOpen(error);
        if (!isRetriableError(error) && errorName(error) !== "ResourceInUseException") throw error;
        // Mid-stream ResourceInUseException: another subscription took this one over. Subscribing
        // again takes it back after AWS's 5 seconds; whether this worker should is the lease's business.
        this.stats.streamErrors++;
        await this.sleeper.sleep(backoffMs(++failures, this.random));
        continue;
      }
      if (result.done) {
        // The subscription's 5 minutes are up (or the service closed it cleanly): subscribe again.
        this.dropSubscription();
        continue;
      }
      const event = eventOf(result.value);
      return await this.batchFrom(event);
    }
  }

  private async batchFrom(event: SubscribeToShardEvent): Promise<FetchedBatch> {
    const batch: FetchedBatch = {
      records: this.filter.apply(event.Records),
      ...(event.MillisBehindLatest !== undefined && { millisBehindLatest: event.MillisBehindLatest }),
    };
    if (event.ContinuationSequenceNumber !== undefined && event.ContinuationSequenceNumber !== null) {
      this.continuation = event.ContinuationSequenceNumber;
      return batch;
    }
    this.dropSubscription();
    const fromEvent = (event.ChildShards ?? []).flatMap((child) => (child.ShardId !== undefined ? [child.ShardId] : []));
    const childShardIds = fromEvent.length > 0 ? fromEvent.sort() : await this.childShardsFromListShards();
    this.ended = { childShardIds };
    return { ...batch, shardEnd: this.ended };
  }

  /** SubscribeToShard until it answers, retrying what a wait can fix. */
  private async subscribe(): Promise<Open> {
    const position: StartingPosition =
      this.continuation !== undefined ? { Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: this.continuation } : this.start;
    for (let attempt = 1; ; attempt++) {
      this.checkOpen();
      const abort = new AbortController();
      try {
        this.stats.subscribeCalls++;
        const out = await this.kinesis.send(
          new SubscribeToShardCommand({ ConsumerARN: this.consumerARN, ShardId: this.shardId, StartingPosition: position }),
          { abortSignal: abort.signal },
        );
        if (out.EventStream === undefined) throw new Error(`SubscribeToShard returned no event stream for ${this.shardId}`);
        this.open = { events: out.EventStream[Symbol.asyncIterator](), abort };
        this.stats.subscriptions++;
        // close() may have come while the call was answered.
        this.checkOpen();
        return this.open;
      } catch (error) {
        abort.abort();
        this.checkOpen(error);
        this.stats.subscribeRetries++;
        if (errorName(error) === "ResourceInUseException") {
          await this.sleeper.sleep(inUseRetryMsBase + jitteredBackoffMs(1, this.random, inUseRetryMsBase, inUseRetryMsBase));
          continue;
        }
        if (!isRetriableError(error)) throw error;
        await this.sleeper.sleep(backoffMs(attempt, this.random));
      }
    }
  }

  private dropSubscription(): void {
    const open = this.open;
    this.open = undefined;
    if (open === undefined) return;
    open.abort.abort();
    // The iterator's own cleanup may reject once aborted; nobody waits for it.
    void open.events.return?.().catch(() => undefined);
  }

  private async childShardsFromListShards(): Promise<string[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await childShardsFromListShards(this.kinesis, { StreamARN: this.streamARN }, this.shardId);
      } catch (error) {
        this.checkOpen(error);
        if (!isRetriableError(error)) throw error;
        await this.sleeper.sleep(backoffMs(attempt, this.random));
      }
    }
  }

  private checkOpen(cause?: unknown): void {
    if (!this.closed) return;
    this.dropSubscription();
    throw new ConsumerError("FetcherClosed", `the fetcher of ${this.shardId} was closed`, cause !== undefined ? { cause } : undefined);
  }
}

/** The event of a stream message; a modelled exception in the stream becomes an error (the SDK usually throws those itself). */
function eventOf(message: SubscribeToShardEventStream): SubscribeToShardEvent {
  if (message.SubscribeToShardEvent !== undefined) return message.SubscribeToShardEvent;
  const [name, value] = Object.entries(message).find(([, member]) => member !== undefined) ?? ["UnknownEvent", undefined];
  const error = value instanceof Error ? value : Object.assign(new Error(`SubscribeToShard stream sent ${name}`), { name });
  throw error;
}

// ---------------------------------------------------------------------------------------------
// The registered consumer

/** How often a consumer's status is polled while it is CREATING (from 100 ms, doubling to 1 s), and for how long at most. */
export const consumerPollMsMax = 1000;
export const consumerActiveWaitMsMax = 5 * 60 * 1000;

export interface EnsureStreamConsumerOptions {
  kinesis: KinesisClient;
  streamARN: string;
  consumerName: string;
  clock?: Clock;
  random?: Random;
}

/**
 * The ARN of the stream's consumer of that name, registering it if it is not there, once it is
 * ACTIVE. Several workers may call it at once: a registration that loses the race
 * (ResourceInUseException) finds the winner's consumer.
 *
 * @example const consumerARN = await ensureStreamConsumer({ kinesis, streamARN, consumerName: "my-app" });
 */
export async function ensureStreamConsumer(options: EnsureStreamConsumerOptions): Promise<string> {
  const { kinesis, streamARN, consumerName } = options;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const sleeper = new Sleeper(options.clock ?? systemClock);
  const deadlineMs = clock.nowMs() + consumerActiveWaitMsMax;
  let attempt = 0;
  for (let polls = 0; ; polls++) {
    let status: string | undefined;
    let consumerARN: string | undefined;
    try {
      const described = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: consumerName }));
      status = described.ConsumerDescription?.ConsumerStatus;
      consumerARN = described.ConsumerDescription?.ConsumerARN;
    } catch (error) {
      if (errorName(error) === "ResourceNotFoundException") {
        const registered = await register(kinesis, streamARN, consumerName);
        status = registered?.ConsumerStatus;
        consumerARN = registered?.ConsumerARN;
      } else if (isRetriableError(error)) {
        await sleeper.sleep(backoffMs(++attempt, random));
        continue;
      } else {
        throw error;
      }
    }
    if (status === "ACTIVE" && consumerARN !== undefined) return consumerARN;
    if (status === "DELETING") throw new ConsumerError("StreamConsumerNotActive", `stream consumer ${consumerName} is being deleted`);
    if (clock.nowMs() >= deadlineMs) throw new ConsumerError("StreamConsumerNotActive", `stream consumer ${consumerName} did not become ACTIVE within ${consumerActiveWaitMsMax} ms`);
    await sleeper.sleep(Math.min(consumerPollMsMax, 100 * 2 ** polls));
  }
}

/** RegisterStreamConsumer; undefined when someone else registered it first (describe it again). */
async function register(kinesis: KinesisClient, streamARN: string, consumerName: string): Promise<{ ConsumerStatus?: string; ConsumerARN?: string } | undefined> {
  try {
    const out = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: streamARN, ConsumerName: consumerName }));
    return out.Consumer;
  } catch (error) {
    if (errorName(error) === "ResourceInUseException") return undefined;
    if (isRetriableError(error)) return undefined;
    throw error;
  }
}
