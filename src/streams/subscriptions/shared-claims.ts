/**
 * SubscribeToShard's one-subscription rule across the nodes sharing an engine (docs/cluster.md):
 * each node's Subscriptions applies AWS's 5-second rule and takeover to the calls it serves; this
 * module makes them hold whatever node serves each call, through one catalog record per consumer
 * and shard, the subscription record:
 *
 *   account `kinesis-subscription@<stream's account>`, name `<ConsumerARN>/<ShardId>`:
 *   {"accountId", "StreamName": <name>, "streamId": "000…0" (names no log), "service":
 *    "kinesis-subscription", "subscriptionId", "nodeId", "startedAtMs", "endsAtMs"}
 *
 * A call claims the record by one compare-and-set on the revision this node's copy holds: created
 * if absent, replaced if its subscription started 5 seconds or more ago. A record younger than
 * that, or a compare-and-set lost to a write this node had not heard of yet that turns out to be
 * one, answers the ResourceInUseException one node answers. The node whose subscription the
 * record named hears of the replacement through the catalog's watch (its copy follows it) and
 * ends that subscription as a takeover on one node does. A subscription that ends removes its
 * record by a compare-and-set on the revision it wrote (not before 5 seconds from its start: the
 * rule holds after a client closed early); a record left by a node that died or stopped is
 * harmless once 5 seconds old (any call replaces it) and is removed by any node's sweep once its
 * subscription's 5 minutes are long over. Deleting a consumer or its stream ends its
 * subscriptions, which remove their records.
 *
 * Start times come from each node's clock: nodes whose clocks disagree by d apply the 5 seconds
 * as 5 ± d, as they would any time AWS states.
 */
import { CatalogCache } from "../../storage/catalog-cache.js";
import type { Catalog, CatalogChange } from "../../storage/types.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import { shardIdFromIndex } from "../../core/shard-id.js";
import { streamsErrors, type ServiceError } from "../errors.js";
import type { ClockAlarms, Alarm } from "./clock-alarms.js";
import { namespaceRecordsOnly } from "../../storage/namespace-records.js";

export const subscriptionNamespace = "kinesis-subscription";
/** Lowercase hex naming no log: a reset (server/drop-all-state.ts) drops every entry's logs. */
const noStreamId = "0".repeat(32);
/** Calls on one node for one consumer and shard are already one a second (the call rate): few ever conflict. */
const casAttemptsMax = 5;
/** How long a node waits for its watch to bring the write it lost a compare-and-set to. */
const catchUpWaitMs = 5_000;
/** A record whose subscription ended this long ago is removed by any node's sweep (past any clock skew). */
export const recordLapseMs = 60_000;
/** How often each node sweeps for lapsed records, and how many it removes at most per sweep. */
export const sweepIntervalMs = 60_000;
export const sweepRemovalsMax = 100;

/** The catalog entry (named as the embedded catalog's format requires: accountId, StreamName). */
export interface SubscriptionRecord {
  accountId: string;
  StreamName: string;
  streamId: string;
  service: typeof subscriptionNamespace;
  subscriptionId: string;
  nodeId: string;
  startedAtMs: number;
  endsAtMs: number;
}

/** A claim stored: what this node keeps of the record it wrote. */
export interface SharedHold {
  readonly recordAccount: string;
  readonly recordName: string;
  readonly subscriptionId: string;
  readonly startedAtMs: number;
  /** Set by the owner once its local claim exists: told to stop when another call takes the record. */
  onTakeover?: () => void;
}

export function subscriptionAccountOf(accountId: string): string {
  return `${subscriptionNamespace}@${accountId}`;
}

export function subscriptionRecordName(consumerArn: string, shardIndex: number): string {
  return `${consumerArn}/${shardIdFromIndex(shardIndex)}`;
}

export class SharedClaims {
  private readonly cache: CatalogCache<SubscriptionRecord, object>;
  /** This node's holds by record (account, then name): the subscriptions a takeover must end. */
  private readonly holds = new Map<string, SharedHold>();
  private readonly removals = new Set<Alarm>();
  private sweepAlarm: Alarm | undefined;
  private count = 0;
  private stopped = false;

  constructor(
    /** The engine's whole catalog (the records live under a namespace account). */
    catalog: Catalog,
    private readonly clock: Clock,
    private readonly alarms: ClockAlarms,
    private readonly nodeId: string,
    private readonly logger: Logger | undefined,
  ) {
    this.cache = new CatalogCache(namespaceRecordsOnly(catalog as Catalog<SubscriptionRecord, object>, subscriptionNamespace));
    this.cache.onChange((change) => this.heard(change));
    this.armSweep();
  }

  /**
   * Stores this node's subscription for the consumer and shard, started at `nowMs` and ending at
   * `endsAtMs`, unless a subscription started less than 5 seconds before (`takeoverAfterMs`):
   * then throws `inUse()`. A storage failure throws InternalFailure.
   */
  async claim(accountId: string, consumerArn: string, shardIndex: number, nowMs: number, endsAtMs: number, takeoverAfterMs: number, inUse: () => ServiceError): Promise<SharedHold> {
    await this.cache.ready;
    const recordAccount = subscriptionAccountOf(accountId);
    const recordName = subscriptionRecordName(consumerArn, shardIndex);
    const subscriptionId = `${this.nodeId}-${++this.count}`;
    const record: SubscriptionRecord = {
      accountId: recordAccount, StreamName: recordName, streamId: noStreamId, service: subscriptionNamespace,
      subscriptionId, nodeId: this.nodeId, startedAtMs: nowMs, endsAtMs,
    };
    for (let attempt = 1; attempt <= casAttemptsMax; attempt++) {
      const revision = this.cache.revisionOf(recordAccount, recordName);
      const current = this.cache.get(recordAccount, recordName);
      if (current !== undefined && nowMs - current.startedAtMs < takeoverAfterMs) throw inUse();
      const outcome = await this.cache.catalog.put(recordAccount, recordName, record, { expectedRevision: revision });
      if (outcome.ok) {
        const hold: SharedHold = { recordAccount, recordName, subscriptionId, startedAtMs: nowMs };
        this.holds.set(holdKey(recordAccount, recordName), hold);
        return hold;
      }
      if (!("conflict" in outcome)) throw streamsErrors.storageUnavailable(outcome.failure);
      // Another write this node has not heard of yet: decide again on it.
      await this.cache.revisionOtherThan(recordAccount, recordName, revision, this.clock, catchUpWaitMs);
    }
    // Still conflicting: calls for this consumer and shard keep succeeding elsewhere.
    throw inUse();
  }

  /** Whether the record still names `hold`'s subscription in this node's copy (false: taken over). */
  stillHolds(hold: SharedHold): boolean {
    return this.cache.get(hold.recordAccount, hold.recordName)?.subscriptionId === hold.subscriptionId;
  }

  /**
   * `hold`'s subscription has ended: its record is removed, by a compare-and-set, once 5 seconds
   * (`takeoverAfterMs`) have passed since it started — unless a later call has replaced it.
   */
  release(hold: SharedHold, takeoverAfterMs: number): void {
    const key = holdKey(hold.recordAccount, hold.recordName);
    if (this.holds.get(key) === hold) this.holds.delete(key);
    hold.onTakeover = undefined;
    if (this.stopped) return;
    const removeIfOurs = () =>
      void this.remove(hold.recordAccount, hold.recordName, (record) => record.subscriptionId === hold.subscriptionId)
        .catch((error: unknown) => this.logger?.warn({ err: error, record: hold.recordName }, "could not remove a subscription record; the sweep will"));
    const dueMs = hold.startedAtMs + takeoverAfterMs;
    if (this.clock.nowMs() >= dueMs) return removeIfOurs();
    const removal = this.alarms.at(dueMs, () => {
      this.removals.delete(removal);
      removeIfOurs();
    });
    this.removals.add(removal);
  }

  /** Removes the records whose subscription ended over `recordLapseMs` ago (at most sweepRemovalsMax); returns how many. */
  async sweep(): Promise<number> {
    await this.cache.ready;
    const nowMs = this.clock.nowMs();
    const lapsed = this.cache.list().filter((record) => nowMs >= record.endsAtMs + recordLapseMs).slice(0, sweepRemovalsMax);
    let removed = 0;
    for (const record of lapsed) {
      if (await this.remove(record.accountId, record.StreamName, (current) => current.subscriptionId === record.subscriptionId)) removed++;
    }
    return removed;
  }

  /** Records in this node's copy (tests: nothing piles up). */
  recordCount(): number {
    return this.cache.list().length;
  }

  stop(): void {
    this.stopped = true;
    for (const removal of this.removals) removal.cancel();
    this.removals.clear();
    this.sweepAlarm?.cancel();
    this.holds.clear();
    this.cache.stop();
  }

  /** A record changed: a subscription this node holds whose record now names another has been taken over. */
  private heard(change: CatalogChange<SubscriptionRecord, object>): void {
    if (change.kind !== "entry" || change.entry === undefined) return;
    const hold = this.holds.get(holdKey(change.accountId, change.name));
    if (hold === undefined || change.entry.subscriptionId === hold.subscriptionId) return;
    this.holds.delete(holdKey(change.accountId, change.name));
    hold.onTakeover?.();
  }

  /** Removes the record if this node's copy shows it and `still` holds of it; true if removed. */
  private async remove(recordAccount: string, recordName: string, still: (record: SubscriptionRecord) => boolean): Promise<boolean> {
    const current = this.cache.get(recordAccount, recordName);
    if (current === undefined || !still(current) || this.stopped) return false;
    const revision = this.cache.revisionOf(recordAccount, recordName);
    if (revision === "absent") return false;
    const outcome = await this.cache.catalog.remove(recordAccount, recordName, { expectedRevision: revision });
    // A conflict: a later subscription's record, which is not ours to remove.
    if (!outcome.ok && !("conflict" in outcome)) {
      this.logger?.warn({ failure: outcome.failure, record: recordName }, "could not remove a subscription record; the sweep will");
    }
    return outcome.ok;
  }

  private armSweep(): void {
    this.sweepAlarm = this.alarms.at(this.clock.nowMs() + sweepIntervalMs, () => {
      void this.sweep()
        .catch((error: unknown) => this.logger?.warn({ err: error }, "sweeping subscription records failed"))
        .finally(() => {
          if (!this.stopped) this.armSweep();
        });
    });
  }

}

function holdKey(recordAccount: string, recordName: string): string {
  return `${recordAccount}\n${recordName}`;
}
