/**
 * AWS's per-account, per-stream and per-shard call rates for the actions that are not metered by
 * throughput (PutRecord, PutRecords and GetRecords are: throughput-meters.ts). Each action declares
 * its rate beside its shape (`rate` in src/streams/actions/<action>.ts), from its API reference page
 * ("… has a limit of five transactions per second per account"); actions whose page names no rate
 * are not limited. Every rate is a token bucket holding one second's calls, so N calls in one
 * instant pass and the next is refused until 1/N s has passed — except where AWS is seen to allow a
 * burst (`burstCalls`): GetShardIterator takes a burst of about a dozen calls on one shard without a
 * throttle (issue 13, observed against AWS; no page states a number), so its bucket holds three
 * seconds' calls, 15.
 *
 * A refused call gets LimitExceededException naming the stream the request names — as AWS's
 * DescribeStream does even though its limit is per account — or the account when it names none;
 * GetShardIterator, a data-plane call limited per shard, gets ProvisionedThroughputExceededException
 * naming the shard. The check runs after the request's shape is checked and before the action (after
 * the action's own argument checks, for an action that has them: GetShardIterator), and a refused
 * call takes no token.
 *
 * The consumer actions are limited as their pages say: RegisterStreamConsumer 5 per account,
 * DeregisterStreamConsumer and ListStreamConsumers 5 and DescribeStreamConsumer 20 per stream (a
 * call naming its consumer by ConsumerARN counts against the ARN's stream); SubscribeToShard one
 * per second per consumer and shard.
 *
 * In a cluster the buckets are shared by counting: each node reports the calls it admitted per
 * bucket key (`takeAdmitted`) and takes the others' from its own buckets (`debit`; cluster-rates.ts).
 */
import { ServiceError, streamsErrors } from "../errors.js";
import { parseStreamArn } from "../../core/arn.js";
import { shardIdFromIndex, shardIndexFromId } from "../../core/shard-id.js";
import { TokenBucket } from "./token-bucket.js";
import { streamsActions } from "../actions/index.js";

/** Whose calls share a bucket: the account's, a stream's, a shard's, or a consumer's on one shard. */
export type RateScope = "account" | "stream" | "shard" | "consumer-shard";

export interface ControlPlaneRate {
  callsPerSecond: number;
  /** Calls the bucket holds (a burst after idling); one second's calls unless set. */
  burstCalls?: number;
  scope: RateScope;
}

/** Per API action name, the rate its file declares (`rate` in its `defineAction`): the actions that have one. */
export const controlPlaneRates: Readonly<Record<string, ControlPlaneRate>> = Object.fromEntries(
  Object.entries(streamsActions).flatMap(([name, action]) => (action.rate === undefined ? [] : [[name, action.rate]])),
);

/**
 * Buckets kept at most: one per action and account, stream, shard or consumer. Past this (a client
 * naming ever new streams), full buckets are dropped — they would be made full again — and, if
 * that is not enough, all of them.
 */
export const rateBucketsMax = 10_000;

type Input = Readonly<Record<string, unknown>>;

/** A consumer ARN: arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<timestamp>. */
const consumerArnStream = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/([a-zA-Z0-9_.-]{1,128})\/consumer\//;

export class ControlPlaneLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Calls admitted per bucket key since the last `takeAdmitted`: kept only when the node reports to peers (cluster-rates.ts). */
  private admitted: Map<string, number> | undefined;

  /** Counts the calls admitted from now on, for `takeAdmitted` (cluster-rates.ts). */
  trackAdmitted(): void {
    this.admitted ??= new Map();
  }

  /** The calls admitted per bucket key since the last call. */
  takeAdmitted(): Map<string, number> {
    const admitted = this.admitted ?? new Map<string, number>();
    if (admitted.size > 0) this.admitted = new Map();
    return admitted;
  }

  /**
   * Takes `calls` another node admitted from the bucket `key` (its `takeAdmitted` key), whatever
   * it holds: the nodes together admit the action's rate. A key naming no rated action is ignored.
   */
  debit(key: string, calls: number, nowMs: number): void {
    const action = key.split("\n", 2)[1];
    const rate = action === undefined ? undefined : controlPlaneRates[action];
    if (rate === undefined) return;
    this.bucket(key, rate, nowMs).debit(nowMs, calls);
  }

  /**
   * Throws AWS's throttling error if `action` has a `rate` (its declaration's) and its bucket is
   * empty at `nowMs`. Every bucket is the account's the request acts on (`accountId`): accounts never share one.
   */
  admit(action: string, rate: ControlPlaneRate | undefined, input: Input, nowMs: number, accountId: string): void {
    if (rate === undefined) return;
    const streamName = requestStreamName(input);
    const shardId = rate.scope === "shard" || rate.scope === "consumer-shard" ? canonicalShardId(input.ShardId) : "";
    const key = `${accountId}\n${bucketKey(action, rate.scope, streamName, shardId, input)}`;
    if (!this.bucket(key, rate, nowMs).tryTake(nowMs)) throw throttled(rate.scope, streamName, shardId, accountId);
    if (this.admitted !== undefined) this.admitted.set(key, (this.admitted.get(key) ?? 0) + 1);
  }

  private bucket(key: string, rate: ControlPlaneRate, nowMs: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= rateBucketsMax) this.evict(nowMs);
      bucket = new TokenBucket(rate.callsPerSecond, rate.burstCalls ?? rate.callsPerSecond, nowMs);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private evict(nowMs: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(nowMs)) this.buckets.delete(key);
    if (this.buckets.size >= rateBucketsMax) this.buckets.clear();
  }
}

function throttled(scope: RateScope, streamName: string | undefined, shardId: string, accountId: string): ServiceError {
  if (scope === "shard") {
    if (streamName === undefined) return streamsErrors.accountRateExceeded("ProvisionedThroughputExceededException", accountId);
    return streamsErrors.shardRateExceeded(shardId, streamName, accountId);
  }
  if (streamName === undefined) return streamsErrors.accountRateExceeded("LimitExceededException", accountId);
  return streamsErrors.streamRateExceeded(streamName, accountId);
}

function bucketKey(action: string, scope: RateScope, streamName: string | undefined, shardId: string, input: Input): string {
  switch (scope) {
    case "account":
      return action;
    case "stream":
      // A ListShards that pages by NextToken alone names no stream: those calls share one bucket.
      return `${action}\n${streamName ?? ""}`;
    case "shard":
      return `${action}\n${streamName ?? ""}\n${shardId}`;
    case "consumer-shard":
      return `${action}\n${typeof input.ConsumerARN === "string" ? input.ConsumerARN : ""}\n${shardId}`;
  }
}

/** The stream a request names: StreamName, else StreamARN, else the stream of its ConsumerARN. */
function requestStreamName(input: Input): string | undefined {
  if (typeof input.StreamName === "string") return input.StreamName;
  if (typeof input.StreamARN === "string") return parseStreamArn(input.StreamARN)?.streamName;
  if (typeof input.ConsumerARN === "string") return consumerArnStream.exec(input.ConsumerARN)?.[1];
  return undefined;
}

/** `shardId-1` and `shardId-000000000001` name one shard, so they share its bucket. */
function canonicalShardId(shardId: unknown): string {
  if (typeof shardId !== "string") return "";
  const index = shardIndexFromId(shardId);
  return index === undefined ? shardId : shardIdFromIndex(index);
}
