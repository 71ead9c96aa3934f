/**
 * A process-local copy of a catalog that follows its `watch`: what a service reads on every
 * request (the Kinesis registry's streams) without asking the store, as a cluster node would
 * keep one. It is exactly as current as the watch: for the memory and embedded engines, which
 * announce a change as they make it, that is every write made through the engine.
 *
 * @example
 *   const cache = new CatalogCache(engine.catalog as Catalog<StreamMeta, AccountSettings>);
 *   await cache.ready;
 *   cache.get(accountId, "orders")?.StreamStatus;
 */
import type { Catalog, CatalogChange, CatalogWatch } from "./types.js";
import type { Clock } from "../util/clock.js";
import { deleteEntry, entryOf, setEntry, sortedEntries, type EntriesByAccount } from "./catalog-keys.js";

interface Cached<Entry> {
  entry: Entry;
  revision: number;
}

export class CatalogCache<Entry extends object, Settings extends object> {
  private readonly entries: EntriesByAccount<Cached<Entry>> = new Map();
  private readonly settings = new Map<string, Settings>();
  /** list()'s answers, per account ("" for all), until the next change. */
  private readonly sorted = new Map<string, Entry[]>();
  private readonly listeners = new Set<(change: CatalogChange<Entry, Settings>) => void>();
  private readonly watching: CatalogWatch;
  /** Resolves once the cache holds everything the catalog held when it began watching. */
  readonly ready: Promise<void>;

  constructor(readonly catalog: Catalog<Entry, Settings>) {
    this.watching = catalog.watch((change) => this.apply(change));
    this.ready = this.watching.ready;
  }

  get(accountId: string, name: string): Entry | undefined {
    return entryOf(this.entries, accountId, name)?.entry;
  }

  /** The revision of the entry as cached, "absent" if there is none: what a compare-and-set expects. */
  revisionOf(accountId: string, name: string): number | "absent" {
    return entryOf(this.entries, accountId, name)?.revision ?? "absent";
  }

  list(accountId?: string): readonly Entry[] {
    const key = accountId ?? "";
    let sorted = this.sorted.get(key);
    if (sorted === undefined) {
      sorted = sortedEntries(this.entries, accountId).map((cached) => cached.entry);
      this.sorted.set(key, sorted);
    }
    return sorted;
  }

  accountSettings(accountId: string): Settings | undefined {
    return this.settings.get(accountId);
  }

  /** Calls `listener` after the cache has applied each change; returns the way to stop. */
  onChange(listener: (change: CatalogChange<Entry, Settings>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once the cached entry's revision is other than `revision` (a compare-and-set lost to
   * that write: the copy now shows the winner), or after `waitMsMax` on `clock`: a watch that
   * falls behind makes the caller's next attempt conflict again and wait again.
   */
  revisionOtherThan(accountId: string, name: string, revision: number | "absent", clock: Clock, waitMsMax: number): Promise<void> {
    if (this.revisionOf(accountId, name) !== revision) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        stopListening();
        clock.clearTimer(timer);
        resolve();
      };
      const stopListening = this.onChange((change) => {
        if (change.kind === "entry" && change.accountId === accountId && change.name === name && this.revisionOf(accountId, name) !== revision) done();
      });
      const timer = clock.setTimeout(done, waitMsMax, { unref: true });
    });
  }

  stop(): void {
    this.watching.stop();
    this.listeners.clear();
  }

  private apply(change: CatalogChange<Entry, Settings>): void {
    if (change.kind === "settings") {
      if (change.settings === undefined) this.settings.delete(change.accountId);
      else this.settings.set(change.accountId, change.settings);
    } else {
      const current = entryOf(this.entries, change.accountId, change.name);
      // A watch delivers in order; a late announcement of an older revision changes nothing.
      if (current !== undefined && current.revision > change.revision) return;
      if (change.entry === undefined) deleteEntry(this.entries, change.accountId, change.name);
      else setEntry(this.entries, change.accountId, change.name, { entry: change.entry, revision: change.revision });
      this.sorted.clear();
    }
    for (const listener of this.listeners) listener(change);
  }
}
