/**
 * Work leases (docs/cluster.md, "Background work"): which node runs each unit of a service's
 * background work — one Lambda event source mapping, one Firehose delivery stream, one Analytics
 * application — when several Tributary nodes share one storage engine. A unit runs on the node
 * that holds its lease, and only while it holds it.
 *
 * Stored in the TableStore (namespace `cluster@<service>`, table `work-leases`, both invisible to
 * DynamoDB callers and dropped by a reset):
 *
 *   node/<nodeId>     {"beats":n,"beatAtMs":t}   a node's heartbeat, rewritten every renewal
 *   lease/<unitKey>   {"owner":id,"epoch":e}     the unit's holder ("" when released) and the
 *                                               number of times the lease was taken (the fence)
 *
 * A lease lives as long as its owner's heartbeat: one write per node per renewal, whatever the
 * number of units. Liveness is judged by each node on its own clock (as the KCL's lease taker
 * does): a heartbeat item whose content has not changed for `leaseTtlMs` since this node first saw
 * it is dead, and so are the leases of its node. The holder, for its part, counts its leases
 * valid only until `leaseTtlMs - renewIntervalMs` after the start of its last heartbeat that
 * storage took: it gives up before any other node may take over, with a renewal's margin for a
 * write in flight. Every take is a compare-and-set on the lease item, so two nodes never both take
 * one, and raises the epoch: checkpoints written through `putFenced` carry it, and a node that
 * lost a lease can no longer write a checkpoint once the new holder has written one.
 *
 * Spreading: a node takes free leases (never taken, released, or of a dead node) up to its fair
 * share — the units (lease items) over the live nodes (heartbeats), rounded up — and gives one
 * lease back per renewal while it holds more, so a node that joins gets work. A graceful stop
 * releases every lease at once.
 *
 * One node (the default) loses nothing to this: the first take is immediate, a unit runs at once.
 * With an engine only one process can open (memory, embedded: `processLocal`), the nodes are
 * exactly this process's WorkLeases on the same tables: a lease of any other owner (a process that
 * crashed) is free at once, the holder's deadline does not apply, and no heartbeat is written.
 */
import type { Clock, Timer } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import type { Random } from "../util/random.js";
import { randomUUIDFrom } from "../util/uuid.js";
import { NamespacedTables } from "./service-tables.js";
import type { StorageEngine, TableStore, WriteOutcome } from "./types.js";

export interface WorkLeaseTuning {
  /** How long a node's heartbeat may stay unchanged before other nodes take its leases. */
  leaseTtlMs: number;
  /** How often a node beats, looks for free leases and re-checks its units. */
  renewIntervalMs: number;
}

export const workLeaseTuningDefault: WorkLeaseTuning = { leaseTtlMs: 10_000, renewIntervalMs: 2_000 };

export interface WorkLeasesDeps {
  tables: TableStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The service whose units these are (`lambda`, `firehose`, `analytics`): its own set of leases. */
  service: string;
  /** Whether every node on these tables runs in this process (processLocalEngine). */
  processLocal: boolean;
  tuning?: Partial<WorkLeaseTuning>;
}

/** What the service does for the leases: the units are its own. */
export interface WorkLeaseHooks {
  /**
   * Look at the unit again (queued like any change): run it if its lease is held or can be had
   * (`held` ?? `acquire`), stop it otherwise. Called for a lease lost, a free lease worth taking,
   * and every held unit on each renewal (so a change made on another node is followed).
   */
  changed(unitKey: string): void;
  /** Stop the unit now (its lease is being given back); resolves once it is stopped. */
  stop(unitKey: string): Promise<void>;
}

/** A lease this node holds. */
export interface HeldLease {
  readonly unitKey: string;
  /** Raised by every take: what fenced writes carry. */
  readonly epoch: number;
  /** Aborted once the lease is lost or given back. */
  readonly signal: AbortSignal;
  /** Whether this node may still act as the unit's holder. */
  held(): boolean;
}

/**
 * Whether every node serving an engine's data runs in this process: the engines a single process
 * opens (an engine a test hands over without its name counts as one).
 */
export function processLocalEngine(engine: Partial<Pick<StorageEngine, "name">>): boolean {
  return engine.name === undefined || engine.name === "memory" || engine.name === "embedded";
}

interface LeaseValue {
  owner: string;
  epoch: number;
}

interface Observed {
  value: string;
  sinceMs: number;
}

const nodePrefix = "node/";
const leasePrefix = "lease/";
const scanPageItems = 1000;
/** A dead node's heartbeat item is removed after this many lease lifetimes. */
const deadNodeTtls = 3;

/** This process's nodes, per table store and service (processLocal engines). */
const processNodes = new WeakMap<TableStore, Map<string, Set<string>>>();

function registered(tables: TableStore, service: string): Set<string> {
  let services = processNodes.get(tables);
  if (services === undefined) processNodes.set(tables, (services = new Map()));
  let nodes = services.get(service);
  if (nodes === undefined) services.set(service, (nodes = new Set()));
  return nodes;
}

class Lease implements HeldLease {
  private readonly abort = new AbortController();
  constructor(
    readonly unitKey: string,
    readonly epoch: number,
    private readonly valid: () => boolean,
  ) {}
  get signal(): AbortSignal {
    return this.abort.signal;
  }
  held(): boolean {
    return !this.abort.signal.aborted && this.valid();
  }
  end(): void {
    this.abort.abort();
  }
}

export class WorkLeases {
  readonly nodeId: string;
  private readonly tuning: WorkLeaseTuning;
  private readonly namespaced: NamespacedTables;
  private readonly leases = new Map<string, Lease>();
  /** Leases being given back (past the fair share): not to be taken again meanwhile. */
  private readonly givingBack = new Set<string>();
  /** Other nodes' heartbeats and lease items as this node last saw them change. */
  private readonly nodes = new Map<string, Observed>();
  private units = new Map<string, LeaseValue>();
  private beats = 0;
  private validUntilMs = Number.POSITIVE_INFINITY;
  private timer: Timer | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: WorkLeasesDeps,
    private readonly hooks: WorkLeaseHooks,
  ) {
    this.tuning = { ...workLeaseTuningDefault, ...deps.tuning };
    this.namespaced = new NamespacedTables("cluster", deps.tables, deps.clock, deps.random);
    const nodes = registered(deps.tables, deps.service);
    let id = randomUUIDFrom(deps.random);
    // Two apps of one process with one seeded random draw the same id: keep them apart.
    while (nodes.has(id)) id = `${id}-${nodes.size}`;
    this.nodeId = id;
    nodes.add(id);
  }

  /** Beats once and reads the leases, so the first acquire knows its share; then renews on the clock. */
  async start(): Promise<void> {
    this.stopped = false;
    registered(this.deps.tables, this.deps.service).add(this.nodeId);
    await this.beat();
    await this.scan();
    this.timer = this.deps.clock.setInterval(() => void this.renewSoon(), this.tuning.renewIntervalMs, { unref: true });
  }

  /** Releases every lease (the service has stopped its units) and removes this node's heartbeat. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clearTimer(this.timer);
    await this.round;
    for (const unitKey of [...this.leases.keys()]) await this.release(unitKey);
    registered(this.deps.tables, this.deps.service).delete(this.nodeId);
    if (this.deps.processLocal) return;
    try {
      await this.deps.tables.deleteItem(await this.tableId(), nodePrefix + this.nodeId);
    } catch (error) {
      this.deps.logger.warn({ err: error }, `${this.deps.service}: heartbeat not removed`);
    }
  }

  /** The unit's lease, if this node holds it now. */
  held(unitKey: string): HeldLease | undefined {
    const lease = this.leases.get(unitKey);
    if (lease === undefined || this.givingBack.has(unitKey)) return undefined;
    if (lease.held()) return lease;
    this.lose(unitKey);
    return undefined;
  }

  /**
   * Takes the unit's lease if it is free (never taken, released, or its owner dead) and this node
   * is under its fair share (`force`: whatever the share — a deletion to carry out). A new unit
   * beyond the share is recorded free, for another node to take. Undefined: another node has it.
   */
  async acquire(unitKey: string, options: { force?: boolean } = {}): Promise<HeldLease | undefined> {
    const mine = this.held(unitKey);
    if (mine !== undefined) return mine;
    if (this.stopped || !this.valid() || this.givingBack.has(unitKey)) return undefined;
    const tableId = await this.tableId();
    const key = leasePrefix + unitKey;
    const item = await this.deps.tables.getVersionedItem(tableId, key);
    const current = item === undefined ? undefined : (JSON.parse(item.value) as LeaseValue);
    if (current !== undefined && current.owner !== "" && current.owner !== this.nodeId && this.alive(current.owner)) return undefined;
    const share = options.force === true || this.underShare(this.units.has(unitKey) ? 0 : 1);
    if (!share) {
      if (current === undefined) await this.deps.tables.putItem(tableId, { key, value: JSON.stringify({ owner: "", epoch: 0 }) }, { expectedRevision: "absent" });
      return undefined;
    }
    const next: LeaseValue = { owner: this.nodeId, epoch: (current?.epoch ?? 0) + 1 };
    const outcome = await this.deps.tables.putItem(tableId, { key, value: JSON.stringify(next) }, { expectedRevision: item?.revision ?? "absent" });
    if (!outcome.ok) return undefined;
    this.units.set(unitKey, next);
    const lease = new Lease(unitKey, next.epoch, () => this.valid());
    this.leases.get(unitKey)?.end();
    this.leases.set(unitKey, lease);
    return lease;
  }

  /** Gives the unit's lease back (the service stopped the unit here: disabled, or this node stops). */
  async release(unitKey: string): Promise<void> {
    const lease = this.leases.get(unitKey);
    if (lease === undefined) return;
    lease.end();
    this.leases.delete(unitKey);
    await this.giveBack(unitKey, lease.epoch);
  }

  /**
   * Forgets the unit (it was deleted): its lease item goes, whoever held it. Only for a unit that
   * is gone with its checkpoints: a new lease item starts again at epoch 1, and checkpoints still
   * carrying a larger epoch would refuse the new holder's writes.
   */
  async remove(unitKey: string): Promise<void> {
    this.leases.get(unitKey)?.end();
    this.leases.delete(unitKey);
    this.units.delete(unitKey);
    const outcome = await this.deps.tables.deleteItem(await this.tableId(), leasePrefix + unitKey);
    if (!outcome.ok) this.deps.logger.warn({ failure: outcome.failure }, `${this.deps.service}: the lease of ${unitKey} not removed`);
  }

  /** Runs a renewal now (tests; the timer calls it every renewIntervalMs). */
  renewSoon(): Promise<void> {
    this.round ??= this.renew().finally(() => (this.round = undefined));
    return this.round;
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.beat();
      await this.scan();
      await this.spread();
    } catch (error) {
      this.deps.logger.warn({ err: error }, `${this.deps.service}: lease renewal failed`);
    } finally {
      // Past its deadline (its beats did not reach storage), the node gives its units up before any other node may take them.
      if (!this.valid()) for (const unitKey of [...this.leases.keys()]) this.lose(unitKey);
    }
  }

  /**
   * Rewrites this node's heartbeat; a beat storage took extends the holder's deadline. Not with a
   * process-local engine, whose nodes are known without one: an idle server writes nothing.
   */
  private async beat(): Promise<void> {
    if (this.deps.processLocal) return;
    const startMs = this.deps.clock.nowMs();
    const value = JSON.stringify({ beats: ++this.beats, beatAtMs: startMs });
    const outcome = await this.deps.tables.putItem(await this.tableId(), { key: nodePrefix + this.nodeId, value });
    if (outcome.ok) this.validUntilMs = startMs + this.tuning.leaseTtlMs - this.tuning.renewIntervalMs;
    else this.deps.logger.warn({ failure: outcome.failure }, `${this.deps.service}: heartbeat not written`);
  }

  /** Reads every heartbeat and lease: notes changes, finds leases lost, removes long-dead heartbeats. */
  private async scan(): Promise<void> {
    const tableId = await this.tableId();
    const nowMs = this.deps.clock.nowMs();
    const units = new Map<string, LeaseValue>();
    const seen = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.tables.scan(tableId, after, scanPageItems);
      for (const entry of page) {
        if (entry.key.startsWith(leasePrefix)) units.set(entry.key.slice(leasePrefix.length), JSON.parse(entry.value) as LeaseValue);
        else if (entry.key.startsWith(nodePrefix)) {
          const nodeId = entry.key.slice(nodePrefix.length);
          seen.add(nodeId);
          const observed = this.nodes.get(nodeId);
          if (observed === undefined || observed.value !== entry.value) this.nodes.set(nodeId, { value: entry.value, sinceMs: nowMs });
        }
      }
      if (page.length < scanPageItems) break;
      after = page[page.length - 1]!.key;
    }
    for (const nodeId of this.nodes.keys()) if (!seen.has(nodeId)) this.nodes.delete(nodeId);
    this.units = units;
    for (const [unitKey, lease] of this.leases) {
      const stored = units.get(unitKey);
      if (stored === undefined || stored.owner !== this.nodeId || stored.epoch !== lease.epoch) this.lose(unitKey);
    }
    for (const [nodeId, observed] of this.nodes) {
      if (nodeId === this.nodeId || this.alive(nodeId) || nowMs - observed.sinceMs < deadNodeTtls * this.tuning.leaseTtlMs) continue;
      const item = await this.deps.tables.getVersionedItem(tableId, nodePrefix + nodeId);
      if (item !== undefined && item.value === observed.value) await this.deps.tables.deleteItem(tableId, nodePrefix + nodeId, { expectedRevision: item.revision });
    }
  }

  /** Re-checks held units, offers free ones to the service up to the fair share, gives one back past it. */
  private async spread(): Promise<void> {
    for (const unitKey of this.leases.keys()) this.hooks.changed(unitKey);
    const share = this.fairShare(0);
    const free = [...this.units].filter(([unitKey, value]) => !this.leases.has(unitKey) && (value.owner === "" || value.owner === this.nodeId || !this.alive(value.owner)));
    for (const [unitKey] of free.slice(0, Math.max(0, share - this.leases.size))) this.hooks.changed(unitKey);
    if (this.leases.size <= share) return;
    const [unitKey, lease] = [...this.leases][this.leases.size - 1]!;
    // The unit stops while the lease is still good, so its last checkpoints are written; then it goes.
    this.givingBack.add(unitKey);
    try {
      await this.hooks.stop(unitKey);
      lease.end();
      this.leases.delete(unitKey);
      await this.giveBack(unitKey, lease.epoch);
    } finally {
      this.givingBack.delete(unitKey);
    }
  }

  /** The lease ended without this node giving it back: the service stops the unit. */
  private lose(unitKey: string): void {
    const lease = this.leases.get(unitKey);
    if (lease === undefined) return;
    lease.end();
    this.leases.delete(unitKey);
    this.deps.logger.info({ unit: unitKey, epoch: lease.epoch }, `${this.deps.service}: work lease lost`);
    this.hooks.changed(unitKey);
  }

  /** Marks the lease free in storage, if it is still this node's take `epoch`. */
  private async giveBack(unitKey: string, epoch: number): Promise<void> {
    const tableId = await this.tableId();
    const key = leasePrefix + unitKey;
    const item = await this.deps.tables.getVersionedItem(tableId, key);
    if (item === undefined) return;
    const current = JSON.parse(item.value) as LeaseValue;
    if (current.owner !== this.nodeId || current.epoch !== epoch) return;
    const outcome = await this.deps.tables.putItem(tableId, { key, value: JSON.stringify({ owner: "", epoch }) }, { expectedRevision: item.revision });
    if (outcome.ok) this.units.set(unitKey, { owner: "", epoch });
  }

  private alive(nodeId: string): boolean {
    if (nodeId === this.nodeId) return true;
    if (this.deps.processLocal) return registered(this.deps.tables, this.deps.service).has(nodeId);
    const observed = this.nodes.get(nodeId);
    return observed !== undefined && this.deps.clock.nowMs() - observed.sinceMs < this.tuning.leaseTtlMs;
  }

  private liveNodes(): number {
    if (this.deps.processLocal) return Math.max(1, registered(this.deps.tables, this.deps.service).size);
    let live = 1;
    for (const nodeId of this.nodes.keys()) if (nodeId !== this.nodeId && this.alive(nodeId)) live += 1;
    return live;
  }

  private fairShare(newUnits: number): number {
    return Math.ceil(Math.max(1, this.units.size + newUnits) / this.liveNodes());
  }

  private underShare(newUnits: number): boolean {
    return this.liveNodes() === 1 || this.leases.size < this.fairShare(newUnits);
  }

  private valid(): boolean {
    return this.deps.processLocal || this.deps.clock.nowMs() < this.validUntilMs;
  }

  private tableId(): Promise<string> {
    return this.namespaced.tableId(this.deps.service, "work-leases");
  }
}

/** A fenced write that storage did not make: the writer no longer holds the unit's lease. */
export interface Fenced {
  ok: false;
  fenced: true;
}

const fencedAttemptsMax = 5;

/**
 * Writes a checkpoint item (a JSON object) only while `lease` is held and unless a later holder of
 * the lease (a larger epoch) has written it: the item carries the writer's epoch as `leaseEpoch`,
 * and the write is a compare-and-set on the revision just read. Without a lease, a plain put.
 */
export async function putFenced(tables: TableStore, tableId: string, key: string, value: Record<string, unknown>, lease: HeldLease | undefined): Promise<WriteOutcome | Fenced> {
  if (lease === undefined) return tables.putItem(tableId, { key, value: JSON.stringify(value) });
  const text = JSON.stringify({ ...value, leaseEpoch: lease.epoch });
  for (let attempt = 0; attempt < fencedAttemptsMax; attempt += 1) {
    if (!lease.held()) return { ok: false, fenced: true };
    const item = await tables.getVersionedItem(tableId, key);
    if (item !== undefined && ((JSON.parse(item.value) as { leaseEpoch?: number }).leaseEpoch ?? 0) > lease.epoch) return { ok: false, fenced: true };
    const outcome = await tables.putItem(tableId, { key, value: text }, { expectedRevision: item?.revision ?? "absent" });
    if (outcome.ok) return { ok: true };
    if ("failure" in outcome) return outcome;
  }
  return { ok: false, failure: { kind: "io", message: `the checkpoint ${key} kept changing under a fenced write` } };
}
