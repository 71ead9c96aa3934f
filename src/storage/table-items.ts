/**
 * One table's items in memory, in key order: a map for lookups and a sorted key array for scans.
 * Lease tables hold one item per shard (thousands at most), so an insertion's O(n) array splice
 * costs less than a tree's bookkeeping would.
 */
import type { TableEntry } from "./types.js";

export class TableItems {
  private readonly values = new Map<string, string>();
  private readonly keys: string[] = [];
  private bytes = 0;

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  put(key: string, value: string): void {
    const previous = this.values.get(key);
    if (previous === undefined) {
      this.keys.splice(this.indexAfter(key, true), 0, key);
      this.bytes += key.length;
    } else {
      this.bytes -= previous.length;
    }
    this.values.set(key, value);
    this.bytes += value.length;
  }

  delete(key: string): void {
    const previous = this.values.get(key);
    if (previous === undefined) return;
    this.values.delete(key);
    this.keys.splice(this.indexAfter(key, true), 1);
    this.bytes -= key.length + previous.length;
  }

  scan(afterKey: string | undefined, limit: number): TableEntry[] {
    const out: TableEntry[] = [];
    for (let index = afterKey === undefined ? 0 : this.indexAfter(afterKey, false); index < this.keys.length && out.length < limit; index++) {
      const key = this.keys[index]!;
      out.push({ key, value: this.values.get(key)! });
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
