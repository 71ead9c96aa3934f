/**
 * The service's subscriptions: one claim per consumer and shard, with AWS's rules (API reference,
 * SubscribeToShard): a subscription lasts 5 minutes; a second call for the same ConsumerARN and
 * ShardId within 5 seconds of a successful one fails with ResourceInUseException; one 5 seconds or
 * more after takes the subscription over, and the earlier connection fails with
 * ResourceInUseException. The 5 seconds run from the successful call, whether or not its
 * connection is still open — AWS keeps a subscription at least that long after a cancel.
 *
 * On an engine several nodes share, `acquire` also claims the consumer and shard in the catalog
 * (shared-claims.ts), so the rules hold whatever node serves each call; on an engine only this
 * process opens (memory, embedded) it is `claim`, with no storage write.
 */
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { Random } from "../../util/random.js";
import type { StorageEngine } from "../../storage/types.js";
import { processLocalEngine } from "../../storage/work-leases.js";
import type { ServiceError } from "../errors.js";
import { ClockAlarms, type Alarm } from "./clock-alarms.js";
import { SharedClaims, type SharedHold } from "./shared-claims.js";

/** A subscription ends this long after the call that started it. */
export const subscriptionMs = 5 * 60 * 1000;
/** A second call for the same consumer and shard within this long of a successful one is refused. */
export const takeoverAfterMs = 5000;
/**
 * Claims remembered at most. Live ones are bounded by consumers (20 a stream) × shards; ended
 * ones stay only to apply the 5-second rule, and are pruned past this.
 */
export const claimsMax = 100_000;

/** Why a subscription stopped: its 5 minutes ran out, a later call took it over, or the server stopped. */
export type StopReason = "ended" | "taken-over" | "server-stopped";

/** One successful SubscribeToShard's hold on its consumer and shard. */
export class SubscriptionClaim {
  private stopped: StopReason | undefined;
  private released = false;
  private listener: (() => void) | undefined;
  /** Set by Subscriptions: fires at the 5-minute end. */
  endAlarm: Alarm | undefined;
  /** Set by Subscriptions on a shared engine: the catalog record this subscription holds. */
  sharedHold: SharedHold | undefined;

  constructor(
    readonly key: string,
    readonly startedAtMs: number,
    private readonly durationMs: number = subscriptionMs,
  ) {}

  get endsAtMs(): number {
    return this.startedAtMs + this.durationMs;
  }

  /** Why the subscription must stop, if it must. */
  get stopReason(): StopReason | undefined {
    return this.stopped;
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Calls `listener` (once) when the subscription must stop; one listener, the pump's. */
  onStop(listener: () => void): void {
    this.listener = listener;
    if (this.stopped !== undefined) listener();
  }

  stop(reason: StopReason): void {
    if (this.stopped !== undefined) return;
    this.stopped = reason;
    this.endAlarm?.cancel();
    const listener = this.listener;
    this.listener = undefined;
    listener?.();
  }

  /** The pump has finished: the claim now only blocks a new call within 5 s of its start. */
  markReleased(): void {
    this.released = true;
    this.listener = undefined;
    this.endAlarm?.cancel();
  }
}

/** What Subscriptions needs to share its claims with the other nodes of an engine. */
export interface SharedSubscriptionsDeps {
  storage: Pick<StorageEngine, "name" | "catalog" | "peers">;
  random: Random;
  logger?: Logger;
}

export class Subscriptions {
  readonly alarms: ClockAlarms;
  private readonly claims = new Map<string, SubscriptionClaim>();
  /** The claims every node of a shared engine sees; undefined on an engine only this process opens. */
  readonly shared: SharedClaims | undefined;

  /** `durationMs`: AWS's 5 minutes, unless a test shortens it (StreamsConfig.subscriptionMs) to see clients re-subscribe. */
  constructor(
    private readonly clock: Clock,
    private readonly durationMs: number = subscriptionMs,
    sharing?: SharedSubscriptionsDeps,
  ) {
    this.alarms = new ClockAlarms(clock);
    if (sharing !== undefined && !processLocalEngine(sharing.storage)) {
      const nodeId = sharing.storage.peers?.nodeId ?? sharing.random.bytes(8).toString("hex");
      this.shared = new SharedClaims(sharing.storage.catalog, clock, this.alarms, nodeId, sharing.logger);
    }
  }

  /**
   * `claim` for a call on the stream of `accountId`, and on a shared engine first the catalog's
   * claim (shared-claims.ts): throws `inUse()` within 5 s of the last successful call through any
   * node, and a takeover through another node stops the subscription here as one through this
   * node does.
   */
  async acquire(accountId: string, consumerArn: string, shardIndex: number, nowMs: number, inUse: () => ServiceError): Promise<SubscriptionClaim> {
    const { shared } = this;
    if (shared === undefined) return this.claim(consumerArn, shardIndex, nowMs, inUse);
    // This node's own rule first: a refusal it can decide costs no write.
    const previous = this.claims.get(claimKey(consumerArn, shardIndex));
    if (previous !== undefined && nowMs - previous.startedAtMs < takeoverAfterMs) throw inUse();
    const hold = await shared.claim(accountId, consumerArn, shardIndex, nowMs, nowMs + this.durationMs, takeoverAfterMs, inUse);
    let claim: SubscriptionClaim;
    try {
      claim = this.claim(consumerArn, shardIndex, nowMs, inUse);
    } catch (error) {
      shared.release(hold, takeoverAfterMs);
      throw error;
    }
    claim.sharedHold = hold;
    hold.onTakeover = () => claim.stop("taken-over");
    // Taken over while the claim was being stored (another node, 5 s later: a stalled node).
    if (!shared.stillHolds(hold)) claim.stop("taken-over");
    return claim;
  }

  /**
   * Claims the consumer's subscription to a shard for a call at `nowMs`: throws `inUse()` within
   * 5 s of the last successful call, else stops the previous subscription (taken over) and claims.
   */
  claim(consumerArn: string, shardIndex: number, nowMs: number, inUse: () => ServiceError): SubscriptionClaim {
    const key = claimKey(consumerArn, shardIndex);
    const previous = this.claims.get(key);
    if (previous !== undefined && nowMs - previous.startedAtMs < takeoverAfterMs) throw inUse();
    if (previous !== undefined && !previous.isReleased) previous.stop("taken-over");
    if (previous === undefined && this.claims.size >= claimsMax) this.prune(nowMs);
    const claim = new SubscriptionClaim(key, nowMs, this.durationMs);
    // The claim ends itself even if its stream is never served (a client gone before the answer).
    claim.endAlarm = this.alarms.at(claim.endsAtMs, () => claim.stop("ended"));
    this.claims.set(key, claim);
    return claim;
  }

  /** The pump of `claim` has finished. */
  release(claim: SubscriptionClaim): void {
    claim.markReleased();
    if (claim.sharedHold !== undefined) this.shared?.release(claim.sharedHold, takeoverAfterMs);
    if (this.claims.get(claim.key) === claim && this.clock.nowMs() - claim.startedAtMs >= takeoverAfterMs) this.claims.delete(claim.key);
  }

  /** Subscriptions whose pump is still running. */
  activeCount(): number {
    let count = 0;
    for (const claim of this.claims.values()) if (!claim.isReleased) count++;
    return count;
  }

  /** Fires every alarm the clock has reached: tests call it after moving a ManualClock. */
  tick(): void {
    this.alarms.tick();
  }

  /** Stops every subscription (the server is stopping). */
  stop(): void {
    for (const claim of this.claims.values()) claim.stop("server-stopped");
    this.shared?.stop();
    this.alarms.cancelAll();
  }

  private prune(nowMs: number): void {
    for (const [key, claim] of this.claims) {
      if (claim.isReleased && nowMs - claim.startedAtMs >= takeoverAfterMs) this.claims.delete(key);
    }
  }
}

function claimKey(consumerArn: string, shardIndex: number): string {
  return `${consumerArn}\n${shardIndex}`;
}
