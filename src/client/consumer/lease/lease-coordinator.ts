/**
 * One worker's side of lease coordination, after the KCL's DynamoDBLeaseRenewer and
 * DynamoDBLeaseTaker:
 *
 * - Renewal every failoverTimeMs / 3: each held lease's counter is bumped, conditional on the
 *   counter and owner this worker last wrote. A failed condition means another worker took it:
 *   lost at once. A lease not renewed within failoverTimeMs (the table unreachable, say) is lost
 *   locally even though the table may still name us, because by then another worker may take it.
 * - Taking every ~2 × failoverTimeMs: a scan; a lease is expired when its counter has not moved
 *   for failoverTimeMs as seen by this worker's own clock (no clock is shared between workers),
 *   or when it has no owner. The target is ceil(leases / workers), workers being those with
 *   unexpired leases plus this one. Expired leases are taken first; when there are none and this
 *   worker is below target, a few are stolen from the most loaded worker above target.
 * - Each lease's writes (renew, checkpoint, release, child ids) run one at a time, so each
 *   carries the counter the previous one wrote.
 *
 * @example
 *   const coordinator = new LeaseCoordinator({ table, workerId: "w1", onAcquired: (lease) => start(lease), onLost: (key) => stop(key) });
 *   await coordinator.start();
 */
import { systemClock, type Clock, type Timer } from "../../../util/clock.js";
import { systemRandom, type Random } from "../../../util/random.js";
import { ConsumerError } from "../errors.js";
import type { ExtendedSequenceNumber, Lease, LeaseTable } from "../types.js";
import { computeLeasesToTake, isFinished, LeaseObserver } from "./lease-taking.js";
import { randomFraction } from "../../retry.js";

export interface LeaseCoordinatorOptions {
  table: LeaseTable;
  workerId: string;
  /** A lease not renewed for this long may be taken by another worker (default 10,000 ms, the KCL's failoverTimeMillis). */
  failoverTimeMs?: number;
  maxLeasesForWorker?: number;
  /** Leases stolen from the most loaded worker per take (default 1, as the KCL). */
  maxLeasesToStealAtOneTime?: number;
  /** The mean time between scans for leases to take, jittered by ±25% (default 2 × failoverTimeMs, as the KCL). */
  takeIntervalMs?: number;
  /** Reads the time and schedules renewals and takes (default the system clock). */
  clock?: Clock;
  random?: Random;
  /** A lease this worker now holds (taken or stolen); called once per acquisition. */
  onAcquired?(lease: Lease): void;
  /** A lease this worker no longer holds without having released it. */
  onLost?(leaseKey: string): void;
  /** A scan or renewal that failed for a reason other than a lost lease (it is retried next time). */
  onError?(error: unknown): void;
}

interface Held {
  lease: Lease;
  /** When the last successful renewal (or take, or checkpoint) was sent: the lease is ours until this + failoverTimeMs. */
  renewedAtMs: number;
  /** The tail of this lease's write queue. */
  queue: Promise<unknown>;
}

export class LeaseCoordinator {
  readonly workerId: string;
  readonly failoverTimeMs: number;
  readonly takeIntervalMs: number;
  private readonly table: LeaseTable;
  private readonly maxLeasesForWorker: number;
  private readonly maxLeasesToStealAtOneTime: number;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly options: LeaseCoordinatorOptions;
  private readonly leases = new Map<string, Held>();
  private readonly observer: LeaseObserver;
  private running = false;
  private renewTimer: Timer | undefined;
  private takeTimer: Timer | undefined;
  private renewing: Promise<void> = Promise.resolve();
  private taking: Promise<void> = Promise.resolve();

  constructor(options: LeaseCoordinatorOptions) {
    this.options = options;
    this.table = options.table;
    this.workerId = options.workerId;
    this.failoverTimeMs = options.failoverTimeMs ?? 10_000;
    this.takeIntervalMs = options.takeIntervalMs ?? 2 * this.failoverTimeMs;
    this.maxLeasesForWorker = options.maxLeasesForWorker ?? Infinity;
    this.maxLeasesToStealAtOneTime = options.maxLeasesToStealAtOneTime ?? 1;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.observer = new LeaseObserver(this.failoverTimeMs);
    if (!(this.failoverTimeMs > 0)) throw new RangeError("failoverTimeMs must be positive");
    if (!(this.takeIntervalMs > 0)) throw new RangeError("takeIntervalMs must be positive");
    if (!(this.maxLeasesForWorker >= 1)) throw new RangeError("maxLeasesForWorker must be at least 1");
    if (!(this.maxLeasesToStealAtOneTime >= 0)) throw new RangeError("maxLeasesToStealAtOneTime must not be negative");
  }

  /** Takes a first share of leases (resolves after that scan) and starts renewing and taking. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.scheduleRenewal();
    this.taking = this.takeRound();
    await this.taking;
    this.scheduleTake();
  }

  /** No more renewals or takes; held leases are not released (they expire for others to take). */
  async stop(): Promise<void> {
    this.running = false;
    this.clock.clearTimer(this.renewTimer);
    this.clock.clearTimer(this.takeTimer);
    await Promise.allSettled([this.renewing, this.taking, ...[...this.leases.values()].map((held) => held.queue)]);
  }

  /** The leases this worker holds now: taken, and renewed within failoverTimeMs. */
  held(): Lease[] {
    const nowMs = this.clock.nowMs();
    return [...this.leases.values()].filter((held) => this.isFresh(held, nowMs)).map((held) => held.lease);
  }

  heldLease(leaseKey: string): Lease | undefined {
    const held = this.leases.get(leaseKey);
    return held !== undefined && this.isFresh(held, this.clock.nowMs()) ? held.lease : undefined;
  }

  /** Writes a checkpoint through the held lease; rejects with ConsumerError LeaseLost if it is not ours any more. */
  checkpoint(leaseKey: string, position: ExtendedSequenceNumber): Promise<void> {
    return this.write(leaseKey, "checkpoint", (lease) => this.table.checkpoint(lease, position));
  }

  /** Records the children of a lease whose shard ended. */
  setChildShardIds(leaseKey: string, childShardIds: string[]): Promise<void> {
    return this.write(leaseKey, "set the child shards of", (lease) => this.table.setChildShardIds(lease, childShardIds));
  }

  /** Graceful hand-off: clears the owner so another worker may take the lease without waiting for it to expire. */
  release(leaseKey: string): Promise<void> {
    const held = this.leases.get(leaseKey);
    if (held === undefined) return Promise.resolve();
    return this.enqueue(held, async () => {
      if (this.leases.get(leaseKey) !== held) return;
      // No longer ours from here, whatever the write's outcome: a failed condition means it was
      // lost anyway, and the renewer must not renew it meanwhile.
      this.leases.delete(leaseKey);
      await this.table.release(held.lease);
    });
  }

  private write(leaseKey: string, what: string, call: (lease: Lease) => Promise<Lease | undefined>): Promise<void> {
    const held = this.leases.get(leaseKey);
    if (held === undefined) return Promise.reject(leaseLost(leaseKey, what));
    return this.enqueue(held, async () => {
      const sentAtMs = this.clock.nowMs();
      if (this.leases.get(leaseKey) !== held || !this.isFresh(held, sentAtMs)) {
        this.lose(leaseKey, held);
        throw leaseLost(leaseKey, what);
      }
      const written = await call(held.lease);
      if (written === undefined) {
        this.lose(leaseKey, held);
        throw leaseLost(leaseKey, what);
      }
      // The write was conditional on our counter and owner: as good as a renewal.
      held.lease = written;
      held.renewedAtMs = sentAtMs;
    });
  }

  private enqueue<T>(held: Held, operation: () => Promise<T>): Promise<T> {
    const result = held.queue.then(operation, operation);
    held.queue = result.catch(() => undefined);
    return result;
  }

  private isFresh(held: Held, nowMs: number): boolean {
    return nowMs - held.renewedAtMs < this.failoverTimeMs;
  }

  /** Drops a lease we did not give up ourselves, once, and tells the owner of the processing. */
  private lose(leaseKey: string, held: Held): void {
    if (this.leases.get(leaseKey) !== held) return;
    this.leases.delete(leaseKey);
    if (this.running) this.options.onLost?.(leaseKey);
  }

  private scheduleRenewal(): void {
    if (!this.running) return;
    this.renewTimer = this.clock.setTimeout(() => {
      this.renewing = this.renewAll().finally(() => this.scheduleRenewal());
    }, Math.max(1, Math.floor(this.failoverTimeMs / 3)));
  }

  private async renewAll(): Promise<void> {
    await Promise.all([...this.leases.entries()].map(([leaseKey, held]) => this.enqueue(held, () => this.renewOne(leaseKey, held))));
  }

  private async renewOne(leaseKey: string, held: Held): Promise<void> {
    if (!this.running || this.leases.get(leaseKey) !== held) return;
    const sentAtMs = this.clock.nowMs();
    if (!this.isFresh(held, sentAtMs)) return this.lose(leaseKey, held);
    try {
      const renewed = await this.table.renew(held.lease);
      if (renewed === undefined) return this.lose(leaseKey, held);
      held.lease = renewed;
      held.renewedAtMs = sentAtMs;
    } catch (error) {
      // The table could not be reached: keep the lease until it expires locally.
      this.options.onError?.(error);
      if (!this.isFresh(held, this.clock.nowMs())) this.lose(leaseKey, held);
    }
  }

  private scheduleTake(): void {
    if (!this.running) return;
    // Jittered so workers that started together do not scan in lockstep.
    const delayMs = Math.max(1, Math.floor(this.takeIntervalMs * (0.75 + 0.5 * randomFraction(this.random))));
    this.takeTimer = this.clock.setTimeout(() => {
      this.taking = this.takeRound().finally(() => this.scheduleTake());
    }, delayMs);
  }

  private async takeRound(): Promise<void> {
    try {
      const leases = await this.table.list();
      const scannedAtMs = this.clock.nowMs();
      if (!this.running) return;
      this.observer.observe(leases, scannedAtMs);
      const choice = computeLeasesToTake({
        leases,
        workerId: this.workerId,
        heldKeys: new Set(this.leases.keys()),
        isExpired: (lease) => this.observer.isExpired(lease, scannedAtMs),
        maxLeasesForWorker: this.maxLeasesForWorker,
        maxLeasesToStealAtOneTime: this.maxLeasesToStealAtOneTime,
        random: this.random,
      });
      await Promise.all(choice.map((lease) => this.takeOne(lease)));
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  private async takeOne(lease: Lease): Promise<void> {
    if (isFinished(lease)) return;
    const sentAtMs = this.clock.nowMs();
    const taken = await this.table.take(lease, this.workerId);
    if (taken === undefined || !this.running || this.leases.has(lease.leaseKey)) return;
    this.leases.set(lease.leaseKey, { lease: taken, renewedAtMs: sentAtMs, queue: Promise.resolve() });
    this.options.onAcquired?.(taken);
  }
}

function leaseLost(leaseKey: string, what: string): ConsumerError {
  return new ConsumerError("LeaseLost", `Could not ${what} lease ${leaseKey}: it is no longer held by this worker`);
}
