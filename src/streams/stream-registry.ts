/**
 * The streams as actions see them: the catalog plus the status clock. Status transitions are
 * stored with the time they fall due and applied both lazily on every read (so a client sees
 * ACTIVE the moment the delay has passed) and by a sweeper that persists them and releases the
 * storage of deleted streams.
 *
 * Streams belong to accounts (keyed by accountId and name in the catalog). Actions see one
 * account's streams through an `AccountStreams` view (`forAccount`), the request's: names resolve
 * in that account, and a StreamARN of any other account or region is refused.
 */
import type { LogStore } from "../storage/types.js";
import type { StreamMeta } from "./model.js";
import { putStreamAt, wholeCatalogOf, type StreamsCache } from "./stream-catalog.js";
import { AccountQuotas, type Claim, type Usage } from "./quota/account-quota.js";
import type { Clock, Timer } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { streamsErrors } from "./errors.js";
import { parseStreamArn } from "../core/arn.js";
import type { StreamsConfig } from "./config.js";
import { WriteGates } from "./records/write-gate.js";
import { openShardCountAfterReshard, takeEffect } from "./resharding/index.js";
import { ShardNotifier } from "./subscriptions/index.js";

export interface StreamReference {
  StreamName?: string;
  StreamARN?: string;
}

const trimIntervalMs = 60_000;

export class StreamRegistry {
  private sweepTimer: Timer | undefined;
  private sweeping: Promise<void> | undefined;
  /** Per account and stream name (`exclusiveKey`), the tail of the queue of read-modify-write changes (see `exclusive`). */
  private readonly changing = new Map<string, Promise<void>>();
  /** Per stream name being changed in `exclusive`, the catalog revision the change works from: what its writes expect. */
  private readonly expected = new Map<string, number | "absent">();
  /** Per account, the tail of the queue of creations checked against the account's quotas (see `quotaChecked`). */
  private readonly quotaQueues = new Map<string, Promise<void>>();
  /** Writes hold these while routing and appending, so a reshard can close shards between writes. */
  readonly writeGates = new WriteGates();
  /**
   * Wakes SubscribeToShard's pumps when their stream's catalog entry changes (appends wake them
   * through the shard log's watch). It follows the catalog's watch, so a change made anywhere —
   * this process, a reshard taking effect, another node — wakes them alike.
   */
  readonly shardNotifier = new ShardNotifier();
  /** Per stream incarnation (streamId), the reshard being put into effect (see `settleReshard`). */
  private readonly settling = new Map<string, Promise<void>>();
  /** One view per account that has made a request; accounts come from the credentials file, so they are few. */
  private readonly views = new Map<string, AccountStreams>();
  /** The account quotas every node admits against, by compare-and-set of one catalog record per account (quota/account-quota.ts). */
  readonly quotas: AccountQuotas;

  constructor(
    /** The catalog's streams as this process last heard of them (its watch): every read comes from here. */
    private readonly catalog: StreamsCache,
    private readonly logs: LogStore,
    private readonly clock: Clock,
    private readonly config: StreamsConfig,
    private readonly logger: Logger,
  ) {
    this.quotas = new AccountQuotas(
      wholeCatalogOf(catalog.catalog),
      { visible: (accountId, streamName) => this.get(accountId, streamName), stored: (accountId) => this.catalog.list(accountId) },
      clock,
    );
    // Subscriptions re-check their stream and consumer at once (a deletion, a deregistration, a
    // reshard closing their shard) rather than at their next heartbeat.
    catalog.onChange((change) => {
      if (change.kind !== "entry" || change.entry === undefined) return;
      const { streamId, shards } = change.entry;
      for (const shard of shards) this.shardNotifier.notify(streamId, shard.shardIndex);
    });
  }

  /** The streams of one account, as its requests see them. */
  forAccount(accountId: string): AccountStreams {
    let view = this.views.get(accountId);
    if (view === undefined) {
      view = new AccountStreams(this, accountId, this.config.region);
      this.views.set(accountId, view);
    }
    return view;
  }

  logWarning(error: unknown, message: string): void {
    this.logger.warn({ err: error }, message);
  }

  /** The stream as a client sees it now, or undefined if it does not exist (or its deletion is done). */
  get(accountId: string, streamName: string): StreamMeta | undefined {
    const meta = this.catalog.get(accountId, streamName);
    return meta && this.view(meta);
  }

  /** The visible streams of `accountId` sorted by name, or every account's sorted by account then name. */
  list(accountId?: string): StreamMeta[] {
    const out: StreamMeta[] = [];
    for (const meta of this.catalog.list(accountId)) {
      const seen = this.view(meta);
      if (seen) out.push(seen);
    }
    return out;
  }

  /** The reshard of this stream incarnation being put into effect, if one is (`get` and `require` start a due one). */
  reshardSettling(meta: StreamMeta): Promise<void> | undefined {
    return this.settling.get(meta.streamId);
  }

  /** As `get`, after any due reshard has taken effect (never call it inside `exclusive`: the reshard waits for the same queue). */
  async current(accountId: string, streamName: string): Promise<StreamMeta | undefined> {
    const meta = this.get(accountId, streamName);
    const settling = meta && this.settling.get(meta.streamId);
    if (settling === undefined) return meta;
    await settling;
    return this.get(accountId, streamName);
  }

  /** Stores a stream (under its meta.accountId); throws InternalFailure if storage cannot make it durable. */
  async put(meta: StreamMeta): Promise<void> {
    // A name whose deletion has fallen due but not yet been swept still holds the old
    // incarnation's logs: release them before the new stream takes the name.
    const previous = this.catalog.get(meta.accountId, meta.StreamName);
    if (previous && previous.streamId !== meta.streamId) await this.logs.dropStream(previous.streamId);
    const key = exclusiveKey(meta.accountId, meta.StreamName);
    const outcome = await putStreamAt(this.catalog.catalog, meta, this.expected.get(key) ?? this.catalog.revisionOf(meta.accountId, meta.StreamName));
    if (!outcome.ok) throw "conflict" in outcome ? new StreamChanged() : streamsErrors.storageUnavailable(outcome.failure);
    if (this.expected.has(key)) this.expected.set(key, outcome.revision);
    this.scheduleSweep(meta);
  }

  /**
   * Runs `change` — a quota check and the write it allows — after the account's earlier ones. The
   * counts come from this node's copy of the catalog, which shows a write once it is stored (with
   * a cluster engine, only after the round trip): without the queue, creations made at once through
   * one node would each count the others' streams as absent and all pass the quota.
   */
  quotaChecked<T>(accountId: string, change: () => Promise<T>): Promise<T> {
    return afterEarlier(this.quotaQueues, accountId, change);
  }

  /**
   * Runs a read-modify-write of one stream's catalog entry after every earlier one has finished,
   * so two concurrent changes (two AddTagsToStream, a create racing a create) never work from the
   * same old copy and lose one another's write. Its writes are compare-and-sets on the revision the
   * change started from: a writer this process does not see (another node on the same catalog)
   * makes them conflict, and the change runs again on the stream as it is then.
   */
  exclusive<T>(accountId: string, streamName: string, change: () => Promise<T>): Promise<T> {
    const key = exclusiveKey(accountId, streamName);
    return afterEarlier(this.changing, key, () => this.withExpectation(key, accountId, streamName, change));
  }

  private async withExpectation<T>(key: string, accountId: string, streamName: string, change: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.expected.set(key, this.catalog.revisionOf(accountId, streamName));
      try {
        return await change();
      } catch (error) {
        if (!(error instanceof StreamChanged)) throw error;
        if (attempt === conflictAttemptsMax) throw streamsErrors.storageUnavailable(error);
        // The watch brings the other writer's version before the change reads the stream again.
        await this.catalog.ready;
      } finally {
        this.expected.delete(key);
      }
    }
  }

  /**
   * Open shards that count against the account's shard quota: those of PROVISIONED streams
   * (AWS sizes ON_DEMAND streams itself and puts no shard quota on them).
   */
  openShardCount(accountId: string): number {
    let count = 0;
    for (const meta of this.list(accountId)) {
      if (meta.StreamMode === "PROVISIONED") count += openShardCountAfterReshard(meta);
    }
    return count;
  }

  onDemandStreamCount(accountId: string): number {
    return this.list(accountId).filter((meta) => meta.StreamMode === "ON_DEMAND").length;
  }

  private view(meta: StreamMeta): StreamMeta | undefined {
    if (this.clock.nowMs() < meta.statusDueAtMs) return meta;
    switch (meta.StreamStatus) {
      case "UPDATING":
        // A reshard is in effect only once stored through the write gate: until then, UPDATING.
        if (meta.pendingReshard !== undefined) {
          void this.settleReshard(meta);
          return meta;
        }
        return { ...meta, StreamStatus: "ACTIVE" };
      case "CREATING":
        return { ...meta, StreamStatus: "ACTIVE" };
      case "DELETING":
        return undefined;
      default:
        return meta;
    }
  }

  /**
   * Puts the due reshard of `meta`'s stream into effect, once however many callers ask. The write
   * gate closes at once, so a write arriving from now on waits and then routes to the new shards.
   */
  private settleReshard(meta: StreamMeta): Promise<void> {
    const { accountId, StreamName: streamName, streamId } = meta;
    let settling = this.settling.get(streamId);
    if (settling !== undefined) return settling;
    const gate = this.writeGates.of(streamId);
    gate.close();
    const deps = { catalog: this.catalog, logs: this.logs, clock: this.clock, logger: this.logger };
    settling = this.exclusive(accountId, streamName, () => takeEffect(deps, accountId, streamName, streamId, gate))
      .catch((error: unknown) => this.logger.error({ err: error, stream: streamName }, "reshard failed; will retry"))
      .finally(() => {
        gate.open();
        this.settling.delete(streamId);
      });
    this.settling.set(streamId, settling);
    return settling;
  }

  private scheduleSweep(meta: StreamMeta): void {
    if (meta.StreamStatus === "ACTIVE") return;
    const delayMs = Math.max(0, meta.statusDueAtMs - this.clock.nowMs());
    // Due already (transitions of 0 ms, as tests configure): persisted at once, not when a
    // ManualClock next moves.
    if (delayMs === 0) this.sweepSoon();
    else this.clock.setTimeout(() => this.sweepSoon(), delayMs + 1, { unref: true });
  }

  /**
   * A timer's sweep, a microtask later and after any sweep already running (which may have listed
   * the streams before this change): a ManualClock fires a test's whole move at once, and the
   * sweep then reads the time the clock was moved to, as a sweep on real timers would.
   */
  private sweepSoon(): void {
    const sweep = () => this.sweep();
    queueMicrotask(() => void (this.sweeping ?? Promise.resolve()).then(sweep, sweep));
  }

  /** Persists due transitions and releases the storage of deleted streams. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const now = this.clock.nowMs();
    await this.trimExpired(now);
    for (const meta of this.catalog.list()) {
      if (meta.StreamStatus === "ACTIVE" || now < meta.statusDueAtMs) continue;
      try {
        if (meta.pendingReshard !== undefined && meta.StreamStatus === "UPDATING") {
          await this.settleReshard(meta);
          continue;
        }
        // Under the name's lock and from a fresh copy: a change stored since the list above (a tag,
        // a consumer, a new stream of the same name) must not be overwritten or removed.
        await this.exclusive(meta.accountId, meta.StreamName, async () => {
          const current = this.catalog.get(meta.accountId, meta.StreamName);
          if (!current || current.streamId !== meta.streamId || current.StreamStatus !== meta.StreamStatus || this.clock.nowMs() < current.statusDueAtMs) return;
          if (current.StreamStatus === "DELETING") {
            await this.logs.dropStream(current.streamId);
            await this.catalog.catalog.remove(current.accountId, current.StreamName, { expectedRevision: this.catalog.revisionOf(current.accountId, current.StreamName) });
            this.writeGates.forget(current.streamId);
          } else {
            await putStreamAt(this.catalog.catalog, { ...current, StreamStatus: "ACTIVE" }, this.catalog.revisionOf(current.accountId, current.StreamName));
          }
        });
      } catch (error) {
        this.logger.error({ err: error, stream: meta.StreamName }, "status transition failed; will retry");
      }
    }
  }

  private lastTrimMs = 0;

  /**
   * Lets engines drop whole expired segments even of streams nobody reads (readers also trim
   * opportunistically); at most once a minute, since a trim only ever frees whole segments.
   */
  private async trimExpired(nowMs: number): Promise<void> {
    if (nowMs - this.lastTrimMs < trimIntervalMs) return;
    this.lastTrimMs = nowMs;
    for (const meta of this.catalog.list()) {
      if (meta.StreamStatus === "DELETING") continue;
      const cutoffMs = nowMs - meta.RetentionPeriodHours * 3_600_000;
      for (const shard of meta.shards) {
        try {
          await this.logs.shard(meta.streamId, shard.shardIndex).trimBefore(cutoffMs);
        } catch (error) {
          this.logger.error({ err: error, stream: meta.StreamName, shard: shard.ShardId }, "retention trim failed; will retry");
        }
      }
    }
  }

  /** Starts the periodic sweeper (for transitions due after a restart) and applies what is due now. */
  start(intervalMs = 1000): void {
    void this.sweep();
    this.sweepTimer = this.clock.setInterval(() => this.sweepSoon(), intervalMs, { unref: true });
  }

  async stop(): Promise<void> {
    this.clock.clearTimer(this.sweepTimer);
    await this.sweeping;
    this.quotas.stop();
    this.catalog.stop();
  }
}

/** How many times a read-modify-write runs when other writers keep changing the stream under it. */
const conflictAttemptsMax = 5;

/** A write inside `exclusive` met a revision it did not expect: the change runs again. */
class StreamChanged extends Error {
  override name = "StreamChanged";
  constructor() {
    super("the stream's catalog entry changed since it was read");
  }
}

function exclusiveKey(accountId: string, streamName: string): string {
  return `${accountId}/${streamName}`;
}

/**
 * One account's streams: what an action sees as `context.streams`. Names resolve in the account;
 * a StreamARN must name the account and the server's region (a granted cross-account call runs
 * with the owner's view: src/streams/index.ts).
 */
export class AccountStreams {
  readonly writeGates: WriteGates;
  readonly shardNotifier: ShardNotifier;

  constructor(
    /** Every account's streams, for the service's own work across accounts (the sweeper, the on-demand scaler). */
    readonly registry: StreamRegistry,
    readonly accountId: string,
    private readonly region: string,
  ) {
    this.writeGates = registry.writeGates;
    this.shardNotifier = registry.shardNotifier;
  }

  /** The stream as a client sees it now, or undefined if it does not exist (or its deletion is done). */
  get(streamName: string): StreamMeta | undefined {
    return this.registry.get(this.accountId, streamName);
  }

  /** The account's visible streams, sorted by name. */
  list(): StreamMeta[] {
    return this.registry.list(this.accountId);
  }

  /**
   * As `require`, but first waits for a reshard that has fallen due to take effect, for actions
   * that need the shards as they are now. Never call it inside `exclusive`: the reshard waits
   * for the same queue.
   */
  async requireCurrent(reference: StreamReference): Promise<StreamMeta> {
    const meta = this.require(reference);
    const settling = this.registry.reshardSettling(meta);
    if (settling === undefined) return meta;
    await settling;
    return this.require(reference);
  }

  /** The reshard of the stream being put into effect, if one is (`get` and `require` start a due one). */
  reshardSettling(meta: StreamMeta): Promise<void> | undefined {
    return this.registry.reshardSettling(meta);
  }

  /** As `get`, after any due reshard has taken effect (the same caveat as `requireCurrent`). */
  current(streamName: string): Promise<StreamMeta | undefined> {
    return this.registry.current(this.accountId, streamName);
  }

  /** Resolves StreamName or StreamARN to an existing stream, or throws ResourceNotFoundException. */
  require(reference: StreamReference): StreamMeta {
    const name = this.nameOf(reference);
    const meta = this.registry.get(this.accountId, name);
    if (!meta) throw streamsErrors.streamNotFound(name, this.accountId);
    return meta;
  }

  /** The stream name a request names, by StreamName or StreamARN (which must agree if both are given). */
  nameOf(reference: StreamReference): string {
    if (reference.StreamARN !== undefined) {
      const parsed = parseStreamArn(reference.StreamARN);
      if (!parsed) throw streamsErrors.invalidArgument(`Invalid StreamARN: ${reference.StreamARN}`);
      if (parsed.accountId !== this.accountId || parsed.region !== this.region) {
        throw streamsErrors.accessDenied(
          `User is not authorized to access stream ${reference.StreamARN}: the stream belongs to another account or region.`,
        );
      }
      if (reference.StreamName !== undefined && reference.StreamName !== parsed.streamName) {
        throw streamsErrors.invalidArgument(
          `StreamARN ${reference.StreamARN} and StreamName ${reference.StreamName} refer to different streams.`,
        );
      }
      return parsed.streamName;
    }
    if (reference.StreamName !== undefined) return reference.StreamName;
    throw streamsErrors.invalidArgument("Either StreamName or StreamARN must be provided.");
  }

  /** Stores a stream (under its own meta.accountId); throws InternalFailure if storage cannot make it durable. */
  put(meta: StreamMeta): Promise<void> {
    return this.registry.put(meta);
  }

  /** Runs a read-modify-write of the account's stream `streamName` after every earlier one (StreamRegistry.exclusive). */
  exclusive<T>(streamName: string, change: () => Promise<T>): Promise<T> {
    return this.registry.exclusive(this.accountId, streamName, change);
  }

  /**
   * Sets what stream incarnation `streamId` counts against the account's quotas if `check` (given
   * the account's usage) passes, in one compare-and-set with every node (AccountQuotas.admit).
   */
  admitQuota(streamId: string, claim: Claim | undefined, check: (usage: Usage) => void): Promise<void> {
    return this.registry.quotas.admit(this.accountId, streamId, claim, check);
  }

  /** Lowers or gives back a stream's claim on the account's quotas (AccountQuotas.release); a failure is logged, not thrown. */
  async releaseQuota(streamId: string, change: (claim: Claim) => Claim | undefined): Promise<void> {
    try {
      await this.registry.quotas.release(this.accountId, streamId, change);
    } catch (error) {
      // The claim stays until reconciliation finds its stream gone or smaller (quota/account-quota.ts).
      this.registry.logWarning(error, "releasing a quota claim failed; reconciliation will");
    }
  }

  /** Runs a quota check and the write it allows after the account's earlier ones (StreamRegistry.quotaChecked). */
  quotaChecked<T>(change: () => Promise<T>): Promise<T> {
    return this.registry.quotaChecked(this.accountId, change);
  }

  /** The account's open shards that count against its shard quota (StreamRegistry.openShardCount). */
  openShardCount(): number {
    return this.registry.openShardCount(this.accountId);
  }

  onDemandStreamCount(): number {
    return this.registry.onDemandStreamCount(this.accountId);
  }
}

/** Runs `change` once the queue under `key` has settled, as its new tail; an empty queue is dropped. */
async function afterEarlier<T>(queues: Map<string, Promise<void>>, key: string, change: () => Promise<T>): Promise<T> {
  const result = (queues.get(key) ?? Promise.resolve()).then(change);
  const tail = result.then(
    () => {},
    () => {},
  );
  queues.set(key, tail);
  try {
    return await result;
  } finally {
    if (queues.get(key) === tail) queues.delete(key);
  }
}
