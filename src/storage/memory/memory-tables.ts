/** The memory engine's tables: TableItems per table, nothing on disk. */
import type { CasOutcome, Expectation, TableEntry, TableExists, TableMeta, TableStore, VersionedItem, WriteOutcome } from "../types.js";
import { deepFreeze } from "../../util/freeze.js";
import { assert } from "../../util/assert.js";
import { TableItems, sortTables, tableKey } from "../table-items.js";

const done: WriteOutcome = { ok: true };
const closedOutcome: WriteOutcome = { ok: false, failure: { kind: "closed", message: "the engine is closed" } };

export class MemoryTableStore implements TableStore {
  private readonly metas = new Map<string, TableMeta>();
  private readonly items = new Map<string, TableItems>();
  closed = false;

  async list(accountId?: string): Promise<readonly TableMeta[]> {
    return sortTables(this.metas.values(), accountId);
  }
  async get(accountId: string, tableName: string): Promise<TableMeta | undefined> {
    return this.metas.get(tableKey(accountId, tableName));
  }
  async create(meta: TableMeta): Promise<WriteOutcome | TableExists> {
    if (this.closed) return closedOutcome;
    if (this.metas.has(tableKey(meta.accountId, meta.TableName))) return { ok: false, exists: true };
    this.metas.set(tableKey(meta.accountId, meta.TableName), deepFreeze(structuredClone(meta)));
    this.items.set(meta.tableId, new TableItems());
    return done;
  }
  async drop(accountId: string, tableName: string): Promise<WriteOutcome> {
    if (this.closed) return closedOutcome;
    const meta = this.metas.get(tableKey(accountId, tableName));
    if (meta === undefined) return done;
    this.metas.delete(tableKey(accountId, tableName));
    this.items.delete(meta.tableId);
    return done;
  }
  async getItem(tableId: string, key: string): Promise<string | undefined> {
    return this.items.get(tableId)?.get(key);
  }
  async getVersionedItem(tableId: string, key: string): Promise<VersionedItem | undefined> {
    return this.items.get(tableId)?.getVersioned(key);
  }
  putItem(tableId: string, entry: TableEntry): Promise<WriteOutcome>;
  putItem(tableId: string, entry: TableEntry, expect: Expectation): Promise<CasOutcome>;
  async putItem(tableId: string, entry: TableEntry, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(tableId, entry.key, expect, (items) => items.put(entry.key, entry.value));
  }
  deleteItem(tableId: string, key: string): Promise<WriteOutcome>;
  deleteItem(tableId: string, key: string, expect: Expectation): Promise<CasOutcome>;
  async deleteItem(tableId: string, key: string, expect?: Expectation): Promise<WriteOutcome | CasOutcome> {
    return this.write(tableId, key, expect, (items) => items.delete(key));
  }
  async scan(tableId: string, afterKey: string | undefined, limit: number): Promise<TableEntry[]> {
    return this.items.get(tableId)?.scan(afterKey, limit) ?? [];
  }
  async stats(tableId: string): Promise<{ itemCount: number; sizeBytes: number }> {
    return this.items.get(tableId)?.stats() ?? { itemCount: 0, sizeBytes: 0 };
  }
  /** Checks the expectation and applies the change in one synchronous step. */
  private write(tableId: string, key: string, expect: Expectation | undefined, apply: (items: TableItems) => number): WriteOutcome | CasOutcome {
    if (this.closed) return closedOutcome;
    const items = this.items.get(tableId);
    assert(items !== undefined, `no table ${tableId}`);
    const conflict = items.conflict(key, expect);
    if (conflict !== undefined) return { ok: false, conflict };
    const revision = apply(items);
    // An unconditional write answers as it always has; a compare-and-set also gives the revision.
    return expect === undefined ? done : { ok: true, revision };
  }
}
