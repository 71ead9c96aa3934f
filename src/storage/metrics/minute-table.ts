/**
 * The table the metrics store keeps its minutes in (minute-items.ts): one table of the engine's
 * TableStore under the "metrics" namespace (service-tables.ts), so every engine serves it and the
 * embedded engine keeps it across restarts. Writes create the table on first use; reads and the
 * retention sweep never create it (a node that recorded nothing writes nothing).
 */
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import { NamespacedTables } from "../service-tables.js";
import type { StorageFailure, TableEntry, TableStore } from "../types.js";

export const metricsNamespace = "metrics";
export const minutesTableName = "minutes";
/**
 * Items a scan asks the engine for at once: a small first page, since most scans are one series'
 * few dozen items and the engine copies a whole page whatever lies past the series' range.
 */
export const scanFirstPageItems = 64;
export const scanPageItems = 500;

export type PutResult = { ok: true } | { ok: false; failure: StorageFailure | unknown };

export class MinuteTable {
  private namespaced: NamespacedTables;
  /**
   * Counts the times the table was looked up afresh after a write threw (its cached id named a
   * table that is gone): items written before may be gone with it, so writers note the
   * generation they last wrote a directory item in and write it again in a new one.
   */
  generation = 0;

  constructor(
    private readonly tables: TableStore,
    private readonly clock: Clock,
    private readonly random: Random,
    /** The account the table lives under (`metrics@<accountId>`): the process's. */
    private readonly accountId: string,
  ) {
    this.namespaced = this.fresh();
  }

  /** Inserts or replaces an item; a failure (an outcome or a thrown error) is answered, not thrown. */
  async put(key: string, value: string): Promise<PutResult> {
    try {
      const outcome = await this.tables.putItem(await this.namespaced.tableId(this.accountId, minutesTableName), { key, value });
      if (outcome.ok) return { ok: true };
      return { ok: false, failure: outcome.failure };
    } catch (error) {
      // The cached table id may name a table that is gone (dropped under us): look it up afresh next time.
      this.namespaced = this.fresh();
      this.generation++;
      return { ok: false, failure: error };
    }
  }

  async get(key: string): Promise<string | undefined> {
    const tableId = await this.existingTableId();
    return tableId === undefined ? undefined : this.tables.getItem(tableId, key);
  }

  async delete(tableId: string, key: string): Promise<void> {
    const outcome = await this.tables.deleteItem(tableId, key);
    if (!outcome.ok) throw new Error(`cannot delete the metrics item ${key}: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  /** The table's id if it exists; undefined before any node wrote a minute. */
  async existingTableId(): Promise<string | undefined> {
    return (await this.tables.get(this.namespaced.accountIdOf(this.accountId), minutesTableName))?.tableId;
  }

  /** The table's items after `afterKey` (exclusive) in key order, a page at a time, while their keys start with `prefix`. */
  async *scan(tableId: string, afterKey: string | undefined, prefix: string): AsyncGenerator<TableEntry[]> {
    let after = afterKey;
    for (let limit = scanFirstPageItems; ; limit = scanPageItems) {
      const page = await this.tables.scan(tableId, after, limit);
      const matching = page.filter((entry) => entry.key.startsWith(prefix));
      if (matching.length > 0) yield matching;
      // Keys are in order: once one leaves the prefix's range, the rest have too.
      if (page.length < limit || matching.length < page.length) return;
      after = page[page.length - 1]!.key;
    }
  }

  private fresh(): NamespacedTables {
    return new NamespacedTables(metricsNamespace, this.tables, this.clock, this.random);
  }
}

/** Whether a table account is the metrics namespace's (a reset keeps these: docs/metrics.md). */
export function isMetricsAccount(accountId: string): boolean {
  return accountId.startsWith(`${metricsNamespace}@`);
}
