/** The memory engine's tables: TableItems per table, nothing on disk. */
import type { TableEntry, TableMeta, TableStore, WriteOutcome } from "../types.js";
import { deepFreeze } from "../../util/freeze.js";
import { assert } from "../../util/assert.js";
import { TableItems, sortTables, tableKey } from "../table-items.js";

const done: WriteOutcome = { ok: true };
const closedOutcome: WriteOutcome = { ok: false, failure: { kind: "closed", message: "the engine is closed" } };

export class MemoryTableStore implements TableStore {
  private readonly metas = new Map<string, TableMeta>();
  private readonly items = new Map<string, TableItems>();
  closed = false;

  list(accountId?: string): readonly TableMeta[] {
    return sortTables(this.metas.values(), accountId);
  }
  get(accountId: string, tableName: string): TableMeta | undefined {
    return this.metas.get(tableKey(accountId, tableName));
  }
  async create(meta: TableMeta): Promise<WriteOutcome> {
    if (this.closed) return closedOutcome;
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
  getItem(tableId: string, key: string): string | undefined {
    return this.items.get(tableId)?.get(key);
  }
  async putItem(tableId: string, entry: TableEntry): Promise<WriteOutcome> {
    if (this.closed) return closedOutcome;
    this.tableItems(tableId).put(entry.key, entry.value);
    return done;
  }
  async deleteItem(tableId: string, key: string): Promise<WriteOutcome> {
    if (this.closed) return closedOutcome;
    this.tableItems(tableId).delete(key);
    return done;
  }
  scan(tableId: string, afterKey: string | undefined, limit: number): TableEntry[] {
    return this.items.get(tableId)?.scan(afterKey, limit) ?? [];
  }
  stats(tableId: string): { itemCount: number; sizeBytes: number } {
    return this.items.get(tableId)?.stats() ?? { itemCount: 0, sizeBytes: 0 };
  }
  private tableItems(tableId: string): TableItems {
    const items = this.items.get(tableId);
    assert(items !== undefined, `no table ${tableId}`);
    return items;
  }
}
