/**
 * The lease taker's decisions, kept pure so they can be read and tested apart from the I/O: which
 * leases look expired to this worker, and which to take or steal (the KCL's DynamoDBLeaseTaker).
 */
import type { Random } from "../../../util/random.js";
import type { Lease } from "../types.js";
import { randomIndex, shuffled } from "./timing.js";

/** A lease whose shard has ended and been processed to its end: nothing left to take. */
export function isFinished(lease: Lease): boolean {
  return lease.checkpoint.sequenceNumber === "SHARD_END";
}

/**
 * Tracks, per lease, when this worker last saw its counter change. Expiry is judged against this
 * worker's own clock only, because workers' clocks are not comparable: a lease is expired when
 * its counter has stood still for failoverTimeMs since we first saw that value.
 */
export class LeaseObserver {
  private readonly seen = new Map<string, { leaseCounter: number; leaseOwner: string | undefined; sinceMs: number }>();

  constructor(private readonly failoverTimeMs: number) {}

  /** `nowMs` is taken after the scan returned, so a change is never dated earlier than it happened. */
  observe(leases: readonly Lease[], nowMs: number): void {
    const present = new Set<string>();
    for (const lease of leases) {
      present.add(lease.leaseKey);
      const last = this.seen.get(lease.leaseKey);
      if (last === undefined || last.leaseCounter !== lease.leaseCounter || last.leaseOwner !== lease.leaseOwner) {
        this.seen.set(lease.leaseKey, { leaseCounter: lease.leaseCounter, leaseOwner: lease.leaseOwner, sinceMs: nowMs });
      }
    }
    for (const leaseKey of this.seen.keys()) if (!present.has(leaseKey)) this.seen.delete(leaseKey);
  }

  isExpired(lease: Lease, nowMs: number): boolean {
    if (lease.leaseOwner === undefined) return true;
    const last = this.seen.get(lease.leaseKey);
    if (last === undefined || last.leaseCounter !== lease.leaseCounter) return false;
    return nowMs - last.sinceMs > this.failoverTimeMs;
  }
}

export interface TakeInput {
  /** Every lease in the table, as just scanned. */
  leases: readonly Lease[];
  workerId: string;
  /** The leases this worker holds (renews) now. */
  heldKeys: ReadonlySet<string>;
  isExpired(lease: Lease): boolean;
  maxLeasesForWorker: number;
  maxLeasesToStealAtOneTime: number;
  random: Random;
}

/** The leases to try to take this round (a take may still lose the race to another worker). */
export function computeLeasesToTake(input: TakeInput): Lease[] {
  const active = input.leases.filter((lease) => !isFinished(lease));
  const available = active.filter((lease) => !input.heldKeys.has(lease.leaseKey) && input.isExpired(lease));
  const counts = workerCounts(active, input);
  const target = Math.min(input.maxLeasesForWorker, Math.max(1, Math.ceil(active.length / counts.size)));
  const needed = target - input.heldKeys.size;
  if (needed <= 0) return [];
  if (available.length > 0) return shuffled(available, input.random).slice(0, needed);
  return leasesToSteal(active, counts, target, needed, input);
}

/** Leases held per worker, among unexpired owned leases, with this worker counted by what it holds. */
function workerCounts(active: readonly Lease[], input: TakeInput): Map<string, number> {
  const counts = new Map<string, number>();
  for (const lease of active) {
    if (lease.leaseOwner === undefined || lease.leaseOwner === input.workerId || input.isExpired(lease)) continue;
    counts.set(lease.leaseOwner, (counts.get(lease.leaseOwner) ?? 0) + 1);
  }
  counts.set(input.workerId, input.heldKeys.size);
  return counts;
}

/** From the most loaded other worker, if it holds more than the target: at most maxLeasesToStealAtOneTime. */
function leasesToSteal(active: readonly Lease[], counts: Map<string, number>, target: number, needed: number, input: TakeInput): Lease[] {
  let victim: string | undefined;
  let victimCount = 0;
  for (const [workerId, count] of counts) {
    if (workerId !== input.workerId && count > victimCount) [victim, victimCount] = [workerId, count];
  }
  if (victim === undefined || victimCount <= target) return [];
  const count = Math.min(needed, victimCount - target, input.maxLeasesToStealAtOneTime);
  const candidates = active.filter((lease) => lease.leaseOwner === victim && !input.isExpired(lease));
  const chosen: Lease[] = [];
  while (chosen.length < count && candidates.length > 0) chosen.push(candidates.splice(randomIndex(input.random, candidates.length), 1)[0]!);
  return chosen;
}
