/**
 * Lambda's concurrency bounds across the nodes of a cluster (docs/cluster.md, "Limits across
 * nodes"): a function runs at most ReservedConcurrentExecutions invocations at once and an account
 * at most `accountConcurrencyMax`, however many nodes serve them. Each node counts what it runs
 * and tells the others over the peer bus (src/storage/peer-bus.ts); an invocation is admitted when
 * this node's count plus the others' last reported counts is under the bound.
 *
 * Wire (topic `lambda-concurrency`), one JSON object a message:
 *   {"v":1,"kind":"change","functions":{<functionArn>:n},"accounts":{<accountId>:n}}
 *     the current counts of what changed since this node's last message (0: none any more),
 *     sent at most every `changePublishIntervalMs` (changes of one interval go together);
 *   {"v":1,"kind":"snapshot",…}
 *     every count above 0, replacing all the receiver knew of the sender: sent every
 *     `snapshotIntervalMs` while the node runs anything (and once after it stops), so a node that
 *     missed a change, or just started, learns the state;
 *   {"v":1,"kind":"hello"}
 *     sent when a node starts: the others answer with a snapshot at once.
 * Counts are absolute, never increments, so a lost or repeated message is corrected by the next.
 * A node not heard from for `peerSilenceMs` counts 0: it died, or its invocations ended and it
 * has nothing to report (a node running something is heard every second).
 *
 * The window: a node's admissions reach the others up to `changePublishIntervalMs` later (plus the
 * bus's delivery time, under a millisecond on a local NATS). Within that window two nodes can both
 * admit the last free slot, and the total runs over the bound by the invocations admitted in it,
 * until they end. Without a bus (memory or embedded engine: one process) the counts are this
 * node's only, exactly as one node alone counts.
 */
import type { Clock, Timer } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { PeerBus, PeerSubscription } from "../../storage/peer-bus.js";

export const concurrencyTopic = "lambda-concurrency";
/** Changes are batched for this long before they go to the other nodes: the window above. */
export const changePublishIntervalMs = 50;
/** How often a node running anything repeats all its counts. */
export const snapshotIntervalMs = 1000;
/** A node not heard from for this long counts 0 (three snapshots missed). */
export const peerSilenceMs = 3000;
/** Entries of one message read at most (a message past it is ignored as malformed). */
const messageEntriesMax = 100_000;

export type ThrottleReason = "ReservedFunctionConcurrentInvocationLimitExceeded" | "ConcurrentInvocationLimitExceeded";

/** What admission reads of a function. */
export interface CountedFunction {
  readonly functionArn: string;
  readonly accountId: string;
  readonly reservedConcurrency?: number;
}

export interface ClusterConcurrencyDeps {
  clock: Clock;
  logger: Logger;
  /** The engine's peer bus; absent: one process, this node's counts only. */
  peers?: PeerBus;
  accountConcurrencyMax: number;
}

interface PeerCounts {
  heardMs: number;
  functions: Map<string, number>;
  accounts: Map<string, number>;
}

type Message =
  | { kind: "hello" }
  | { kind: "change" | "snapshot"; functions: Map<string, number>; accounts: Map<string, number> };

function increment(counts: Map<string, number>, key: string, delta: number): void {
  const next = (counts.get(key) ?? 0) + delta;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}

export class ClusterConcurrency {
  private readonly functionInFlight = new Map<string, number>();
  private readonly accountInFlight = new Map<string, number>();
  private readonly peerCounts = new Map<string, PeerCounts>();
  private readonly changedFunctions = new Set<string>();
  private readonly changedAccounts = new Set<string>();
  private readonly subscription: PeerSubscription | undefined;
  private readonly snapshotTimer: Timer | undefined;
  private changeTimer: Timer | undefined;
  private lastPublishMs = Number.NEGATIVE_INFINITY;
  /** Whether the last snapshot sent had counts: one empty snapshot follows the last busy one. */
  private lastSnapshotBusy = false;
  private stopped = false;

  constructor(private readonly deps: ClusterConcurrencyDeps) {
    const peers = deps.peers;
    if (peers === undefined) return;
    this.subscription = peers.subscribe(concurrencyTopic, (payload, fromNodeId) => this.receive(payload, fromNodeId));
    this.snapshotTimer = deps.clock.setInterval(() => this.publishSnapshot(false), snapshotIntervalMs, { unref: true });
    peers.publish(concurrencyTopic, Buffer.from(JSON.stringify({ v: 1, kind: "hello" })));
  }

  /**
   * Admits one invocation of `fn` (counted until `release`) or answers why it is throttled:
   * this node's runs plus the other nodes' last reported runs must stay under each bound.
   */
  admit(fn: CountedFunction): ThrottleReason | undefined {
    if (fn.reservedConcurrency !== undefined && this.inFlight(fn.functionArn) >= fn.reservedConcurrency) return "ReservedFunctionConcurrentInvocationLimitExceeded";
    if (this.accountTotal(fn.accountId) >= this.deps.accountConcurrencyMax) return "ConcurrentInvocationLimitExceeded";
    this.change(fn, 1);
    return undefined;
  }

  release(fn: CountedFunction): void {
    this.change(fn, -1);
  }

  /** The function's invocations running on every node, as far as this node knows. */
  inFlight(functionArn: string): number {
    return (this.functionInFlight.get(functionArn) ?? 0) + this.othersInFlight(functionArn);
  }

  /** The function's invocations the other nodes last reported running. */
  othersInFlight(functionArn: string): number {
    let sum = 0;
    for (const peer of this.livePeers()) sum += peer.functions.get(functionArn) ?? 0;
    return sum;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.subscription?.stop();
    this.deps.clock.clearTimer(this.snapshotTimer);
    this.deps.clock.clearTimer(this.changeTimer);
    // Whatever still runs here ends with the process: the others stop counting it now, not in 3 s.
    if (this.deps.peers !== undefined && (this.functionInFlight.size > 0 || this.lastSnapshotBusy)) {
      this.deps.peers.publish(concurrencyTopic, Buffer.from(JSON.stringify({ v: 1, kind: "snapshot", functions: {}, accounts: {} })));
    }
  }

  private accountTotal(accountId: string): number {
    let sum = this.accountInFlight.get(accountId) ?? 0;
    for (const peer of this.livePeers()) sum += peer.accounts.get(accountId) ?? 0;
    return sum;
  }

  /** The peers heard from within `peerSilenceMs`; the silent ones are forgotten. */
  private *livePeers(): Iterable<PeerCounts> {
    const oldestMs = this.deps.clock.nowMs() - peerSilenceMs;
    for (const [nodeId, peer] of this.peerCounts) {
      if (peer.heardMs < oldestMs) this.peerCounts.delete(nodeId);
      else yield peer;
    }
  }

  private change(fn: CountedFunction, delta: number): void {
    increment(this.functionInFlight, fn.functionArn, delta);
    increment(this.accountInFlight, fn.accountId, delta);
    if (this.deps.peers === undefined || this.stopped) return;
    this.changedFunctions.add(fn.functionArn);
    this.changedAccounts.add(fn.accountId);
    if (this.changeTimer !== undefined) return;
    // At once (on the next turn, with whatever else changes in this one) unless a message went
    // out within the interval: then at its end, so a node sends at most one change per interval.
    const delayMs = Math.max(0, this.lastPublishMs + changePublishIntervalMs - this.deps.clock.nowMs());
    this.changeTimer = this.deps.clock.setTimeout(() => this.publishChanges(), delayMs, { unref: true });
  }

  private publishChanges(): void {
    this.changeTimer = undefined;
    const counts = (changed: Set<string>, source: Map<string, number>) => Object.fromEntries([...changed].map((key) => [key, source.get(key) ?? 0]));
    this.publish("change", counts(this.changedFunctions, this.functionInFlight), counts(this.changedAccounts, this.accountInFlight));
  }

  /** Every count, while this node runs anything and once after; to a new node (`hello`) only while it does. */
  private publishSnapshot(answeringHello: boolean): void {
    const busy = this.functionInFlight.size > 0;
    if (!busy && (answeringHello || !this.lastSnapshotBusy)) return;
    this.lastSnapshotBusy = busy;
    this.deps.clock.clearTimer(this.changeTimer);
    this.changeTimer = undefined;
    this.publish("snapshot", Object.fromEntries(this.functionInFlight), Object.fromEntries(this.accountInFlight));
  }

  private publish(kind: "change" | "snapshot", functions: Record<string, number>, accounts: Record<string, number>): void {
    this.changedFunctions.clear();
    this.changedAccounts.clear();
    this.lastPublishMs = this.deps.clock.nowMs();
    this.deps.peers?.publish(concurrencyTopic, Buffer.from(JSON.stringify({ v: 1, kind, functions, accounts })));
  }

  private receive(payload: Uint8Array, fromNodeId: string): void {
    const message = decodeMessage(payload);
    if (message === undefined) {
      this.deps.logger.debug({ fromNodeId }, "malformed lambda concurrency message ignored");
      return;
    }
    if (message.kind === "hello") {
      this.publishSnapshot(true);
      return;
    }
    const nowMs = this.deps.clock.nowMs();
    let peer = this.peerCounts.get(fromNodeId);
    if (peer === undefined || message.kind === "snapshot") {
      peer = { heardMs: nowMs, functions: new Map(), accounts: new Map() };
      this.peerCounts.set(fromNodeId, peer);
    }
    peer.heardMs = nowMs;
    for (const [target, counts] of [[peer.functions, message.functions], [peer.accounts, message.accounts]] as const) {
      for (const [key, count] of counts) {
        if (count === 0) target.delete(key);
        else target.set(key, count);
      }
    }
  }
}

/** The message, or undefined for anything else (another version's, a corrupted one). */
export function decodeMessage(payload: Uint8Array): Message | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { v, kind, functions, accounts } = value as Record<string, unknown>;
  if (v !== 1) return undefined;
  if (kind === "hello") return { kind };
  if (kind !== "change" && kind !== "snapshot") return undefined;
  const functionCounts = countsOf(functions);
  const accountCounts = countsOf(accounts);
  if (functionCounts === undefined || accountCounts === undefined) return undefined;
  return { kind, functions: functionCounts, accounts: accountCounts };
}

function countsOf(value: unknown): Map<string, number> | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > messageEntriesMax) return undefined;
  const counts = new Map<string, number>();
  for (const [key, count] of entries) {
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return undefined;
    counts.set(key, count);
  }
  return counts;
}
