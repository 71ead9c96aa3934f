/**
 * The catalog as its readers see it, for engines that hold it in memory (memory/, embedded/): the
 * entries with their revisions, each account's settings, the compare-and-set check, and the
 * watchers it announces every change to. Engine-neutral; a cluster engine's process-local copy is
 * src/storage/catalog-cache.ts instead.
 */
import type { CatalogChange, CatalogWatch, Expectation } from "./types.js";
import { deleteEntry, entryOf, setEntry, sortedEntries, type EntriesByAccount } from "./catalog-keys.js";
import { deepFreeze } from "../util/freeze.js";

interface Revisioned {
  entry: object;
  revision: number;
}

type Listener = (change: CatalogChange<object, object>) => void;

const ready: Promise<void> = Promise.resolve();

export class CatalogView {
  private readonly entries: EntriesByAccount<Revisioned> = new Map();
  private readonly settings = new Map<string, object>();
  /** list()'s answers, per account ("" for all), until the next change. */
  private readonly sorted = new Map<string, object[]>();
  private readonly listeners = new Set<Listener>();
  /** Revisions come from one counter, so an entry removed and created again never reuses one. */
  private lastRevision = 0;

  get(accountId: string, name: string): object | undefined {
    return entryOf(this.entries, accountId, name)?.entry;
  }

  list(accountId?: string): readonly object[] {
    const key = accountId ?? "";
    let sorted = this.sorted.get(key);
    if (sorted === undefined) {
      sorted = sortedEntries(this.entries, accountId).map((stored) => stored.entry);
      this.sorted.set(key, sorted);
    }
    return sorted;
  }

  accountSettings(accountId: string): object | undefined {
    return this.settings.get(accountId);
  }

  /** The conflict a write expecting `expect` meets now, or undefined if it may go ahead. */
  conflict(accountId: string, name: string, expect: Expectation | undefined): { revision: number | "absent" } | undefined {
    if (expect === undefined) return undefined;
    const revision = entryOf(this.entries, accountId, name)?.revision ?? "absent";
    return revision === expect.expectedRevision ? undefined : { revision };
  }

  /** Writes (or, with undefined, removes) an entry, frozen, and announces it; returns its new revision. */
  setEntry(accountId: string, name: string, entry: object | undefined): number {
    const revision = ++this.lastRevision;
    if (entry === undefined) deleteEntry(this.entries, accountId, name);
    else setEntry(this.entries, accountId, name, { entry: deepFreeze(entry), revision });
    this.sorted.clear();
    this.announce({ kind: "entry", accountId, name, entry, revision });
    return revision;
  }

  /** Replaces (or, with undefined, forgets) an account's settings and announces it. */
  setSettings(accountId: string, settings: object | undefined): void {
    if (settings === undefined) this.settings.delete(accountId);
    else this.settings.set(accountId, deepFreeze(settings));
    this.announce({ kind: "settings", accountId, settings });
  }

  /** Announces the present state to `listener` at once, then every change. */
  watch(listener: Listener): CatalogWatch {
    for (const [accountId, named] of this.entries) {
      for (const [name, stored] of named) listener({ kind: "entry", accountId, name, entry: stored.entry, revision: stored.revision });
    }
    for (const [accountId, settings] of this.settings) listener({ kind: "settings", accountId, settings });
    this.listeners.add(listener);
    return { ready, stop: () => this.listeners.delete(listener) };
  }

  private announce(change: CatalogChange<object, object>): void {
    for (const listener of this.listeners) listener(change);
  }
}
