/**
 * A JetStream KV bucket followed by a process-local copy: what the tables part (nats-tables.ts)
 * and the objects part (nats-objects.ts) each keep their records in (docs/formats/nats.md
 * "Tables", "Objects"). The copy is the part's own data structure (a `KvFollower`); this module
 * feeds it every change in the bucket and decides compare-and-sets.
 *
 * - Reads are the copy's, without a round trip. A KV watch (an ordered push consumer) delivers
 *   the last value of every key, then every later write in stream order.
 * - A write is one publish to the bucket's stream; its revision is the stream sequence the ack
 *   names, larger than any revision before it, so a key deleted and created again never repeats
 *   one. The acknowledged write is applied to the copy at once ("early", before the watch brings
 *   it), so this node reads its own acknowledged writes immediately; the watch's later delivery
 *   of the same revision is then skipped. Per key, the copy only ever moves to a larger revision.
 * - A compare-and-set is decided by NATS, never by the copy: the publish carries
 *   Nats-Expected-Last-Subject-Sequence, and the stream's leader refuses it if the key's last
 *   write is another. A refused write reads the key from the leader (the bucket has no direct
 *   gets, so no lagging replica answers), applies what it found to the copy (so the caller's next
 *   read sees it) and answers that revision as the conflict's. "absent" is expected as "no message
 *   on the subject" or as the key's delete marker (history 1 keeps one per deleted key).
 * - Deletions of many keys at once (a dropped table's items) are stream purges, which the watch
 *   does not announce: the followers drop those keys themselves when they see the record that owns
 *   them (a table's meta, a bucket's record) deleted.
 * - Delete markers older than markerTtlMs are purged (each only up to its own sequence), so
 *   deleted keys do not pile up in the bucket. A watch that ends (a reconnect, a lost consumer)
 *   is replaced by a fresh one that resynchronises the copy, dropping keys purged meanwhile.
 */
import { headers, type JetStreamPublishOptions, type KV, type KvEntry, type NatsError, type QueuedIterator, type Status } from "nats";
import type { Expectation, StorageFailure } from "../types.js";
import type { NatsContext } from "./nats-context.js";
import { whilePlacing } from "./nats-placement.js";
import { AppliedRevision } from "./nats-sync.js";
import type { Timer } from "../../util/clock.js";

/** JetStream's "wrong last sequence" error: a compare-and-set that met another revision. */
const wrongLastSequenceCode = 10071;
/** Attempts of a creation ("absent") that keeps meeting a delete marker that moves. */
const createAttemptsMax = 4;
/** How long opening waits for the copy to hold what the bucket held (a bound, not an expectation). */
const loadTimeoutMs = 60_000;
const watchRestartDelayMs = 500;
/**
 * How long a delete marker stays in the bucket: every node's watch has delivered it long before,
 * and a node whose watch was cut off resynchronises from scratch (see `startWatch`), so a marker
 * gone does not leave a deleted key in anyone's copy.
 */
export const markerTtlMs = 24 * 60 * 60 * 1000;
const markerSweepIntervalMs = 60 * 60 * 1000;
const empty = new Uint8Array(0);

/** The process-local copy a bucket feeds. */
export interface KvFollower {
  /** The revision of the key's value in the copy, or undefined if the copy holds none. */
  revisionOf(key: string): number | undefined;
  /** A write of `key` at `revision`: its value, or undefined for a deletion. Called only with a revision above revisionOf(key). */
  apply(key: string, revision: number, value: Uint8Array | undefined): void;
  /** The KV key of every value the copy holds (for a resynchronisation). */
  keys(): Iterable<string>;
}

export type KvWriteOutcome =
  | { ok: true; revision: number }
  | { ok: false; conflict: { revision: number | "absent" } }
  | { ok: false; failure: StorageFailure };

export interface WatchedBucketOptions {
  /** The bucket's name after the prefix: `<prefix>-<suffix>`. */
  suffix: string;
  description: string;
  /** What the part is called in messages and logs ("tables", "objects"). */
  what: string;
}

export const closedFailure: StorageFailure = { kind: "closed", message: "the engine is closed" };

export class WatchedBucket {
  readonly bucket: string;
  private readonly stream: string;
  private readonly subjectPrefix: string;
  /**
   * The delete markers in the bucket as far as this node knows, with when they were written: a
   * creation expects the marker's revision at once, and the sweep removes markers past markerTtlMs.
   */
  private readonly markers = new Map<string, { revision: number; atMs: number }>();
  private markerSweep: Timer | undefined;
  private watcher: QueuedIterator<KvEntry> | undefined;
  /** The connection's status events (nats.js's iterator, which stops). */
  private status: (AsyncIterable<Status> & { stop?(): void }) | undefined;
  private closed = false;
  /** The last revision the watch applied (this node's own writes are applied earlier, on their ack): what `sync` waits on. */
  private readonly watched: AppliedRevision;

  private constructor(
    private readonly ctx: NatsContext,
    private readonly kv: KV,
    private readonly follower: KvFollower,
    private readonly options: WatchedBucketOptions,
  ) {
    this.bucket = `${ctx.prefix}-${options.suffix}`;
    this.stream = `KV_${this.bucket}`;
    this.subjectPrefix = `$KV.${this.bucket}.`;
    this.watched = new AppliedRevision(ctx);
  }

  /** Opens (creating if needed) the bucket and resolves once the follower holds everything it held. */
  static async open(ctx: NatsContext, follower: KvFollower, options: WatchedBucketOptions): Promise<WatchedBucket> {
    const name = `${ctx.prefix}-${options.suffix}`;
    const kv = await whilePlacing(ctx, `the ${options.what} bucket ${name}`, () =>
      ctx.js.views.kv(name, {
        history: 1,
        replicas: ctx.replicas,
        // A conflict's revision is read from the stream's leader, never from a lagging replica.
        allow_direct: false,
        description: options.description,
      }),
    );
    const bucket = new WatchedBucket(ctx, kv, follower, options);
    await bucket.load();
    bucket.restartOnReconnect();
    bucket.markerSweep = ctx.clock.setInterval(() => void bucket.sweepMarkers(), markerSweepIntervalMs, { unref: true });
    return bucket;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Puts `value` (undefined: a delete marker) under `key`, with `expect` only at that revision.
   * Resolves once acknowledged (replicated to a quorum) and applied to the copy.
   */
  async write(key: string, value: Uint8Array | undefined, expect?: Expectation): Promise<KvWriteOutcome> {
    if (this.closed) return { ok: false, failure: closedFailure };
    try {
      let expectedLast = expect === undefined ? undefined : expect.expectedRevision === "absent" ? (this.markers.get(key)?.revision ?? 0) : expect.expectedRevision;
      for (let attempt = 1; ; attempt++) {
        const revision = await this.publish(key, value, expectedLast);
        if (revision !== undefined) {
          this.applyIfNewer(key, revision, value);
          return { ok: true, revision };
        }
        // Refused: the leader, not the copy, says where the key is now.
        const current = await this.refresh(key);
        if (current !== undefined && current.operation === "PUT") return { ok: false, conflict: { revision: current.revision } };
        if (expect!.expectedRevision !== "absent") return { ok: false, conflict: { revision: "absent" } };
        if (attempt >= createAttemptsMax) return { ok: false, failure: { kind: "io", message: `${this.options.what} bucket ${this.bucket}: the key ${key} kept changing` } };
        // Absent as expected, behind a delete marker (or changed meanwhile): expect what is there.
        expectedLast = current?.revision ?? 0;
      }
    } catch (error) {
      return { ok: false, failure: this.failureOf(error) };
    }
  }

  /**
   * Waits, bounded, until the copy holds every write the bucket had acknowledged when the call
   * began, through any node; resolves whether the watch applied anything meanwhile (nats-sync.ts).
   */
  sync(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.watched.sync(this.stream, this.options.what);
  }

  /** Reads `key` from the stream's leader and applies it to the copy if it is newer; answers what is there (undefined: nothing). */
  async refresh(key: string): Promise<KvEntry | undefined> {
    const current = (await this.kv.get(key)) ?? undefined;
    if (current !== undefined) this.applyIfNewer(key, current.revision, current.operation === "PUT" ? current.value : undefined);
    return current;
  }

  /** Removes every message under the keys `keyFilter` matches (a subject filter: `i.<tableId>.>`); the watch announces nothing. */
  async purge(keyFilter: string): Promise<void> {
    await this.ctx.jsm.streams.purge(this.stream, { filter: this.subjectPrefix + keyFilter });
  }

  failureOf(error: unknown): StorageFailure {
    const natsError = error as Partial<NatsError>;
    if (this.closed || natsError.code === "CONNECTION_CLOSED" || natsError.code === "CONNECTION_DRAINING") {
      return { kind: "closed", message: "the engine is closed", cause: error };
    }
    const message = natsError.api_error?.description ?? (error as Error).message ?? String(error);
    const kind = /insufficient resources|maximum bytes|storage/i.test(message) ? "no-space" : "io";
    return { kind, message: `${this.options.what} bucket ${this.bucket}: ${message}`, cause: error };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.stop();
    this.status?.stop?.();
    this.ctx.clock.clearTimer(this.markerSweep);
    this.watched.close();
  }

  /** One publish; the revision it was given, or undefined if its expectation was refused. */
  private async publish(key: string, value: Uint8Array | undefined, expectedLast: number | undefined): Promise<number | undefined> {
    const options: Partial<JetStreamPublishOptions> = {};
    if (value === undefined) {
      const marker = headers();
      marker.set("KV-Operation", "DEL");
      options.headers = marker;
    }
    if (expectedLast !== undefined) options.expect = { lastSubjectSequence: expectedLast };
    try {
      return (await this.ctx.js.publish(this.subjectPrefix + key, value ?? empty, options)).seq;
    } catch (error) {
      if ((error as NatsError).api_error?.err_code === wrongLastSequenceCode) return undefined;
      throw error;
    }
  }

  /** Applies a change unless the copy holds the key at this revision or later (a delete marker counts). */
  private applyIfNewer(key: string, revision: number, value: Uint8Array | undefined, atMs = this.ctx.clock.nowMs()): void {
    const held = this.follower.revisionOf(key) ?? this.markers.get(key)?.revision ?? 0;
    if (revision <= held) return;
    if (value === undefined) this.markers.set(key, { revision, atMs });
    else this.markers.delete(key);
    this.follower.apply(key, revision, value);
  }

  /**
   * Removes the delete markers older than markerTtlMs, each only up to its own sequence (a purge
   * with `seq`), so a value written after it is never touched. Every node sweeps what its watch
   * saw; a marker another node removed first costs an empty purge.
   */
  private async sweepMarkers(): Promise<void> {
    const cutoffMs = this.ctx.clock.nowMs() - markerTtlMs;
    const old = [...this.markers].filter(([, marker]) => marker.atMs <= cutoffMs);
    if (old.length === 0) return;
    let lastRevision: number;
    try {
      lastRevision = (await this.ctx.jsm.streams.info(this.stream)).state.last_seq;
    } catch (error) {
      this.ctx.logger.warn({ bucket: this.bucket, err: error }, `cannot read the ${this.options.what} bucket's last revision; the next sweep tries again`);
      return;
    }
    for (const [key, marker] of old) {
      if (this.closed) return;
      // The stream's last message stays: `sync` waits for the watch to deliver the last sequence, which a purged message never is.
      if (marker.revision >= lastRevision) continue;
      try {
        await this.ctx.jsm.streams.purge(this.stream, { filter: this.subjectPrefix + key, seq: marker.revision + 1 });
        if (this.markers.get(key) === marker) this.markers.delete(key);
      } catch (error) {
        this.ctx.logger.warn({ bucket: this.bucket, key, err: error }, `cannot remove an old delete marker of the ${this.options.what} bucket; the next sweep tries again`);
        return;
      }
    }
  }

  /**
   * After a reconnect the watch's consumer may be gone with the server that held it; the ordered
   * consumer would notice only when its heartbeats stop (seconds). Restart it at once instead,
   * from the revision after the last one delivered, so another node's writes keep arriving.
   */
  private restartOnReconnect(): void {
    const status = this.ctx.nc.status();
    this.status = status;
    void (async () => {
      for await (const event of status) {
        if (event.type === "reconnect" && !this.closed) this.watcher?.stop();
      }
    })().catch(() => undefined);
  }

  /** Starts the watch and waits until the copy holds every key the bucket held when it began. */
  private async load(): Promise<void> {
    let initialized!: () => void;
    const loaded = new Promise<void>((resolve) => (initialized = resolve));
    await this.startWatch(initialized);
    let timer: ReturnType<NatsContext["clock"]["setTimeout"]> | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = this.ctx.clock.setTimeout(() => resolve(true), loadTimeoutMs, { unref: true })));
    const late = await Promise.race([loaded.then(() => false), timedOut]);
    this.ctx.clock.clearTimer(timer);
    if (late) {
      this.close();
      throw new Error(`the ${this.options.what} bucket ${this.bucket} did not load within ${loadTimeoutMs} ms`);
    }
  }

  /**
   * Starts a watch of every key's last value, then every change. The first (`initialized` given)
   * fills the empty copy. A later one, after the watch ended, resynchronises: the copy keeps what
   * it holds, every key delivered is applied if newer, and once the initial values are in, a key
   * the watch did not deliver and the copy holds at a revision the stream had passed when it began
   * is gone (its deletion, marker and all, may have been purged meanwhile: a dropped table's
   * items, an old marker) and is removed from the copy.
   */
  private async startWatch(initialized?: () => void): Promise<void> {
    const resync = initialized === undefined;
    const floor = resync ? (await this.ctx.jsm.streams.info(this.stream)).state.last_seq : 0;
    let seen: Set<string> | undefined = resync ? new Set() : undefined;
    const caughtUp = () => {
      if (seen !== undefined) this.dropUnseen(seen, floor);
      seen = undefined;
      initialized?.();
    };
    let watcher: QueuedIterator<KvEntry> | undefined;
    let processed = 0;
    /** How many entries must be applied before the copy holds the initial values (-1: not known yet). */
    let target: number | undefined;
    let done = false;
    const check = () => {
      if (done || target === undefined || target < 0 || processed < target) return;
      done = true;
      caughtUp();
    };
    watcher = await this.kv.watch({
      key: ">",
      // Called once the initial values are queued, possibly before the loop below applied them
      // (or inside watch(), before it returns): the copy holds them once that many are applied.
      initializedFn: () => {
        target = watcher === undefined ? -1 : watcher.getReceived();
        check();
      },
    });
    if (target === -1) target = watcher.getReceived();
    this.watcher = watcher;
    check();
    void this.follow(watcher, (key) => {
      seen?.add(key);
      processed++;
      check();
    });
  }

  /** After a resynchronisation's initial values: removes what the copy holds that the bucket no longer has. */
  private dropUnseen(seen: ReadonlySet<string>, floor: number): void {
    const gone = [...this.follower.keys()].filter((key) => !seen.has(key) && (this.follower.revisionOf(key) ?? Infinity) <= floor);
    for (const key of gone) this.follower.apply(key, floor, undefined);
    if (gone.length > 0) this.ctx.logger.info({ bucket: this.bucket, removed: gone.length }, `the ${this.options.what} bucket's copy dropped keys purged while its watch was down`);
  }

  /** Applies the watch's entries; if the watch ends while open, starts another (a resynchronisation). */
  private async follow(watcher: QueuedIterator<KvEntry>, counted: (key: string) => void): Promise<void> {
    try {
      for await (const entry of watcher) {
        this.applyIfNewer(entry.key, entry.revision, entry.operation === "PUT" ? entry.value : undefined, entry.created.getTime());
        this.watched.advance(entry.revision);
        counted(entry.key);
      }
    } catch (error) {
      if (!this.closed) this.ctx.logger.warn({ bucket: this.bucket, err: error }, `the ${this.options.what} bucket's watch stopped; restarting it`);
    }
    while (!this.closed) {
      await this.ctx.clock.sleep(watchRestartDelayMs, { unref: true });
      if (this.closed) return;
      try {
        await this.startWatch();
        return;
      } catch (error) {
        this.ctx.logger.warn({ bucket: this.bucket, err: error }, `cannot restart the ${this.options.what} bucket's watch; retrying`);
      }
    }
  }
}
