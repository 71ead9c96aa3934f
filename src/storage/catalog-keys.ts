/**
 * How catalogs key and order entries: by (accountId, name). Lookups go through a map per account,
 * so finding an entry costs two map reads and builds no composite key.
 */

/** Entries of one account by name, per account. */
export type EntriesByAccount<Entry> = Map<string, Map<string, Entry>>;

export function entryOf<Entry>(entries: EntriesByAccount<Entry>, accountId: string, name: string): Entry | undefined {
  return entries.get(accountId)?.get(name);
}

export function setEntry<Entry>(entries: EntriesByAccount<Entry>, accountId: string, name: string, entry: Entry): void {
  let named = entries.get(accountId);
  if (named === undefined) {
    named = new Map();
    entries.set(accountId, named);
  }
  named.set(name, entry);
}

export function deleteEntry<Entry>(entries: EntriesByAccount<Entry>, accountId: string, name: string): void {
  const named = entries.get(accountId);
  if (named === undefined) return;
  named.delete(name);
  if (named.size === 0) entries.delete(accountId);
}

/** The entries of `accountId` sorted by name, or every account's sorted by account then name. */
export function sortedEntries<Entry>(entries: EntriesByAccount<Entry>, accountId?: string): Entry[] {
  if (accountId !== undefined) return byName(entries.get(accountId));
  const out: Entry[] = [];
  for (const account of [...entries.keys()].sort(compareText)) out.push(...byName(entries.get(account)));
  return out;
}

/** A copy whose per-account maps may be changed without touching `entries` (entries are replaced whole, never mutated). */
export function copyEntries<Entry>(entries: EntriesByAccount<Entry>): EntriesByAccount<Entry> {
  const copy: EntriesByAccount<Entry> = new Map();
  for (const [accountId, named] of entries) copy.set(accountId, new Map(named));
  return copy;
}

function byName<Entry>(named: Map<string, Entry> | undefined): Entry[] {
  if (named === undefined) return [];
  return [...named.keys()].sort(compareText).map((name) => named.get(name)!);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
