/**
 * One table's items in memory, in key order: a map for lookups and a sorted key array for scans.
 * Lease tables hold one item per shard (thousands at most), so an insertion's O(n) array splice
 * costs less than a tree's bookkeeping would.
 *
 * Every write gives its item a new revision, larger than any this table gave before (a deletion
 * takes one too, so a deleted and re-created item never repeats a revision). Revisions are not
 * stored: a table loaded from disk numbers its items afresh, and a table replacing another (a
 * journal replayed after a failed write) continues after the one it replaces (`renumberAfter`), so
 * no compare-and-set made against the old copy can succeed against the new one by accident.
 */
import type { Expectation, TableEntry, VersionedItem } from "./types.js";

export class TableItems {
  private readonly values = new Map<string, VersionedItem>();
  private readonly keys: string[] = [];
  private bytes = 0;
  private revision = 0;

  get(key: string): string | undefined {
    return this.values.get(key)?.value;
  }

  /** The item's value with its revision. */
  getVersioned(key: string): VersionedItem | undefined {
    return this.values.get(key);
  }

  /** The largest revision given so far. */
  lastRevision(): number {
    return this.revision;
  }

  /** Where `key` is, if that is not where `expect` says it must be (undefined: the expectation holds). */
  conflict(key: string, expect: Expectation | undefined): { revision: number | "absent" } | undefined {
    if (expect === undefined) return undefined;
    const revision = this.values.get(key)?.revision ?? "absent";
    return revision === expect.expectedRevision ? undefined : { revision };
  }

  /** Gives every item a revision above `revision`, in key order, and continues from there. */
  renumberAfter(revision: number): void {
    this.revision = Math.max(this.revision, revision);
    for (const key of this.keys) this.values.set(key, Object.freeze({ value: this.values.get(key)!.value, revision: ++this.revision }));
  }

  /** Inserts or replaces the item; answers its new revision. */
  put(key: string, value: string): number {
    const previous = this.values.get(key)?.value;
    if (previous === undefined) {
      this.keys.splice(this.indexAfter(key, true), 0, key);
      this.bytes += key.length;
    } else {
      this.bytes -= previous.length;
    }
    const revision = ++this.revision;
    this.values.set(key, Object.freeze({ value, revision }));
    this.bytes += value.length;
    return revision;
  }

  /** Removes the item (if there is one); answers the deletion's revision. */
  delete(key: string): number {
    const revision = ++this.revision;
    const previous = this.values.get(key)?.value;
    if (previous === undefined) return revision;
    this.values.delete(key);
    this.keys.splice(this.indexAfter(key, true), 1);
    this.bytes -= key.length + previous.length;
    return revision;
  }

  scan(afterKey: string | undefined, limit: number): TableEntry[] {
    const out: TableEntry[] = [];
    for (let index = afterKey === undefined ? 0 : this.indexAfter(afterKey, false); index < this.keys.length && out.length < limit; index++) {
      const key = this.keys[index]!;
      out.push({ key, value: this.values.get(key)!.value });
    }
    return out;
  }

  entries(): TableEntry[] {
    return this.scan(undefined, this.keys.length);
  }

  stats(): { itemCount: number; sizeBytes: number } {
    return { itemCount: this.keys.length, sizeBytes: this.bytes };
  }

  /** The first index whose key is at or after `key` (`inclusive`), or strictly after it. */
  private indexAfter(key: string, inclusive: boolean): number {
    let low = 0;
    let high = this.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const probe = this.keys[mid]!;
      if (probe < key || (!inclusive && probe === key)) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

/** Tables sorted by account, then name, as the TableStore's list() answers. */
export function sortTables<T extends { accountId: string; TableName: string }>(tables: Iterable<T>, accountId?: string): T[] {
  const out = [...tables].filter((table) => accountId === undefined || table.accountId === accountId);
  return out.sort((a, b) => (a.accountId === b.accountId ? compareText(a.TableName, b.TableName) : compareText(a.accountId, b.accountId)));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The map key of a table by account and name. */
export function tableKey(accountId: string, tableName: string): string {
  return `${accountId}/${tableName}`;
}
