/**
 * The catalog on NATS JetStream (docs/formats/nats.md "Catalog"): one KV bucket,
 * `<prefix>-catalog` (history 1, file storage, the engine's replicas), keyed as
 * nats-catalog-keys.ts says. Every write is a JetStream publish to the bucket's stream, so an
 * entry's revision is the stream sequence of its last write: it grows with every write of the
 * entry, and an entry removed and created again never reuses one.
 *
 * Reads are served from a process-local copy that a KV watch keeps (last value per key first,
 * then every change in stream order), so they cost no round trip and may lag another node's
 * writes by the watch's delivery delay. A compare-and-set is decided by NATS, never by the copy:
 * the publish carries Nats-Expected-Last-Subject-Sequence, and the stream's leader refuses it if
 * the key's last write is another. Every write resolves only once the copy has applied it, so
 * this node reads its own writes and a `watch` hears them before the write's promise settles.
 * Another node's writes it reads once `sync` has asked the bucket's leader for its last revision
 * and waited for the copy to reach it: what a miss does before it is answered as "not found".
 */
import type { KV, KvEntry, NatsError, QueuedIterator } from "nats";
import type { CasOutcome, Catalog, CatalogChange, CatalogWatch, Expectation, StorageFailure, WriteOutcome } from "../types.js";
import { deleteEntry, entryOf, setEntry, sortedEntries, type EntriesByAccount } from "../catalog-keys.js";
import { deepFreeze } from "../../util/freeze.js";
import type { NatsContext, NatsPart } from "./nats-context.js";
import { entryKey, parseKey, settingsKey } from "./nats-catalog-keys.js";
import { CatalogWriter, loadOrCreateSecret, openCatalogBucket } from "./nats-catalog-bucket.js";
import { AppliedRevision } from "./nats-sync.js";

/** The bucket's name after the prefix: `<prefix>-catalog`. */
export const catalogBucketSuffix = "catalog";
/** How long opening waits for the copy to hold what the bucket held (a bound, not an expectation). */
const loadTimeoutMs = 60_000;
/** How long a write waits for the copy to apply it before answering anyway (and saying so in the log). */
const applyWaitMs = 30_000;
/** A compare-and-set expecting "absent" may meet a delete marker: it then expects the marker, this many times. */
const createAttemptsMax = 4;
const watchRestartDelayMs = 500;

type Listener = (change: CatalogChange<object, object>) => void;

interface Revisioned {
  entry: object;
  revision: number;
}

const done: WriteOutcome = { ok: true };
const ready: Promise<void> = Promise.resolve();

/** An unconditional write answers as the other engines do: no revision (it never meets a conflict). */
function unconditional(outcome: CasOutcome): WriteOutcome {
  return outcome.ok || !("failure" in outcome) ? done : outcome;
}

export function catalogBucketName(prefix: string): string {
  return `${prefix}-${catalogBucketSuffix}`;
}

/** Opens (creating if needed) the catalog bucket, its secret, and the local copy; resolves once the copy holds the bucket. */
export async function openNatsCatalog(ctx: NatsContext): Promise<Catalog & NatsPart> {
  const bucket = catalogBucketName(ctx.prefix);
  const kv = await openCatalogBucket(ctx, bucket);
  const secret = await loadOrCreateSecret(kv, ctx);
  const catalog = new NatsCatalog(ctx, kv, bucket, secret);
  await catalog.load();
  return catalog;
}

class NatsCatalog implements Catalog, NatsPart {
  private readonly entries: EntriesByAccount<Revisioned> = new Map();
  private readonly settings = new Map<string, object>();
  /** list()'s answers, per account ("" for all), until the next change. */
  private readonly sorted = new Map<string, object[]>();
  private readonly listeners = new Set<Listener>();
  /** The stream sequence of the last write the copy applied, and writes and syncs waiting for the copy to reach theirs. */
  private readonly applied: AppliedRevision;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private closed = false;
  private readonly writer: CatalogWriter;

  constructor(
    private readonly ctx: NatsContext,
    private readonly kv: KV,
    private readonly bucket: string,
    private readonly secretValue: Buffer,
  ) {
    this.writer = new CatalogWriter(ctx, bucket, () => this.closed);
    this.applied = new AppliedRevision(ctx);
  }

  private get appliedRevision(): number {
    return this.applied.value;
  }

  /** Starts the watch and waits until the copy holds every key the bucket held when it began. */
  async load(): Promise<void> {
    const info = await this.ctx.jsm.streams.info(`KV_${this.bucket}`);
    const lastRevision = info.state.last_seq;
    await this.startWatch();
    if (!(await this.appliedWithin(lastRevision, loadTimeoutMs))) {
      await this.close();
      throw new Error(`the catalog bucket ${this.bucket} did not load within ${loadTimeoutMs} ms (revision ${lastRevision} not reached)`);
    }
  }

  async list(accountId?: string): Promise<readonly object[]> {
    const key = accountId ?? "";
    let sorted = this.sorted.get(key);
    if (sorted === undefined) {
      sorted = sortedEntries(this.entries, accountId).map((stored) => stored.entry);
      this.sorted.set(key, sorted);
    }
    return sorted;
  }

  async get(accountId: string, name: string): Promise<object | undefined> {
    return entryOf(this.entries, accountId, name)?.entry;
  }

  put(accountId: string, name: string, entry: object): Promise<WriteOutcome>;
  put(accountId: string, name: string, entry: object, expect: Expectation): Promise<CasOutcome>;
  async put(accountId: string, name: string, entry: object, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    const outcome = await this.write(entryKey(accountId, name), Buffer.from(JSON.stringify(entry)), expect);
    return expect === undefined ? unconditional(outcome) : outcome;
  }

  remove(accountId: string, name: string): Promise<WriteOutcome>;
  remove(accountId: string, name: string, expect: Expectation): Promise<CasOutcome>;
  async remove(accountId: string, name: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    const outcome = await this.write(entryKey(accountId, name), undefined, expect);
    return expect === undefined ? unconditional(outcome) : outcome;
  }

  async accountSettings(accountId: string): Promise<object | undefined> {
    return this.settings.get(accountId);
  }

  async putAccountSettings(accountId: string, settings: object): Promise<WriteOutcome> {
    return unconditional(await this.write(settingsKey(accountId), Buffer.from(JSON.stringify(settings)), undefined));
  }

  secret(): Buffer {
    return this.secretValue;
  }

  sync(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.applied.sync(`KV_${this.bucket}`, "catalog");
  }

  watch(listener: Listener): CatalogWatch {
    // The copy is loaded before the catalog is handed out: the present state is announced at once.
    for (const [accountId, named] of this.entries) {
      for (const [name, stored] of named) listener({ kind: "entry", accountId, name, entry: stored.entry, revision: stored.revision });
    }
    for (const [accountId, settings] of this.settings) listener({ kind: "settings", accountId, settings });
    this.listeners.add(listener);
    return { ready, stop: () => this.listeners.delete(listener) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.stop();
    this.listeners.clear();
    this.applied.close();
  }

  /** Puts `value` (or, undefined, a delete marker) under `key`; with `expect`, only at that revision. */
  private async write(key: string, value: Uint8Array | undefined, expect: Expectation | undefined): Promise<CasOutcome> {
    if (this.closed) return { ok: false, failure: { kind: "closed", message: "the engine is closed" } };
    try {
      let expectedLast = expect === undefined ? undefined : expect.expectedRevision === "absent" ? 0 : expect.expectedRevision;
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.writer.publish(key, value, expectedLast);
        if (outcome.ok) {
          if (!(await this.appliedWithin(outcome.revision, applyWaitMs))) {
            this.ctx.logger.warn({ bucket: this.bucket, key, revision: outcome.revision, applied: this.appliedRevision }, "the catalog's watch has not delivered a write of this node's yet");
          }
          return { ok: true, revision: outcome.revision };
        }
        // Refused: NATS, not the copy, says where the key is now.
        const current = await this.writer.lastOf(key);
        if (current?.live === true) return { ok: false, conflict: { revision: current.revision } };
        if (expect!.expectedRevision !== "absent") return { ok: false, conflict: { revision: "absent" } };
        // Absent, as expected, but its last write is a delete marker (or changed meanwhile): expect that.
        if (attempt >= createAttemptsMax) return { ok: false, failure: { kind: "io", message: `catalog bucket ${this.bucket}: the key ${key} kept changing` } };
        expectedLast = current?.revision ?? 0;
      }
    } catch (error) {
      return { ok: false, failure: this.failureOf(error) };
    }
  }

  private failureOf(error: unknown): StorageFailure {
    const natsError = error as Partial<NatsError>;
    if (this.closed || natsError.code === "CONNECTION_CLOSED" || natsError.code === "CONNECTION_DRAINING") {
      return { kind: "closed", message: "the engine is closed", cause: error };
    }
    const message = natsError.api_error?.description ?? (error as Error).message ?? String(error);
    const kind = /insufficient resources|maximum bytes|storage/i.test(message) ? "no-space" : "io";
    return { kind, message: `catalog bucket ${this.bucket}: ${message}`, cause: error };
  }

  /** Waits up to `timeoutMs` for the copy to apply `revision`; whether it did. */
  private appliedWithin(revision: number, timeoutMs: number): Promise<boolean> {
    return this.applied.within(revision, timeoutMs);
  }

  private async startWatch(): Promise<void> {
    const resume = this.appliedRevision > 0 ? { resumeFromRevision: this.appliedRevision + 1 } : {};
    const watcher = await this.kv.watch({ key: ">", ...resume });
    this.watcher = watcher;
    void this.follow(watcher);
  }

  /** Applies the watch's entries; if the watch ends while the catalog is open, starts another after the last revision applied. */
  private async follow(watcher: QueuedIterator<KvEntry>): Promise<void> {
    try {
      for await (const entry of watcher) this.apply(entry);
    } catch (error) {
      if (!this.closed) this.ctx.logger.warn({ bucket: this.bucket, err: error }, "the catalog's watch stopped; restarting it");
    }
    while (!this.closed) {
      await this.ctx.clock.sleep(watchRestartDelayMs, { unref: true });
      if (this.closed) return;
      try {
        await this.startWatch();
        return;
      } catch (error) {
        this.ctx.logger.warn({ bucket: this.bucket, err: error }, "cannot restart the catalog's watch; retrying");
      }
    }
  }

  private apply(kvEntry: KvEntry): void {
    if (kvEntry.revision <= this.appliedRevision) return;
    // Waiters resume after this change is applied and announced: a promise's resolution runs later.
    this.applied.advance(kvEntry.revision);
    const key = parseKey(kvEntry.key);
    const removed = kvEntry.operation !== "PUT";
    if (key?.kind === "entry") {
      const entry = removed ? undefined : this.decode(kvEntry);
      if (entry === undefined) deleteEntry(this.entries, key.accountId, key.name);
      else setEntry(this.entries, key.accountId, key.name, { entry, revision: kvEntry.revision });
      this.sorted.clear();
      this.announce({ kind: "entry", accountId: key.accountId, name: key.name, entry, revision: kvEntry.revision });
    } else if (key?.kind === "settings") {
      const settings = removed ? undefined : this.decode(kvEntry);
      if (settings === undefined) this.settings.delete(key.accountId);
      else this.settings.set(key.accountId, settings);
      this.announce({ kind: "settings", accountId: key.accountId, settings });
    }
  }

  private decode(kvEntry: KvEntry): object | undefined {
    try {
      const value: unknown = JSON.parse(Buffer.from(kvEntry.value).toString("utf8"));
      if (value !== null && typeof value === "object") return deepFreeze(value);
    } catch {
      // Reported below.
    }
    this.ctx.logger.error({ bucket: this.bucket, key: kvEntry.key, revision: kvEntry.revision }, "a catalog value is not a JSON object; treating it as absent");
    return undefined;
  }

  private announce(change: CatalogChange<object, object>): void {
    for (const listener of this.listeners) listener(change);
  }
}
