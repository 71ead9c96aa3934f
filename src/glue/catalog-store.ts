/**
 * The Data Catalog's state in the engine's TableStore, under the `glue@<account>` namespace
 * (storage/service-tables.ts), so every engine serves it and a reset drops it:
 *   databases       key: database name                          value: DatabaseRecord JSON
 *   tables          key: database \u0001 table                   value: TableRecord JSON (the current version)
 *   table-versions  key: database \u0001 table \u0001 version (10 digits)  value: TableRecord JSON
 * Names are stored lowercased, as Glue stores them (lookups are case-insensitive). The separator
 * cannot occur in a name: the model's pattern refuses control characters other than tab.
 * Creations are compare-and-set on absence and UpdateTable on the current item's revision, so
 * racing writers get AlreadyExists / ConcurrentModification rather than lost updates.
 */
import type { TableStore } from "../storage/types.js";
import type { NamespacedTables } from "../storage/service-tables.js";
import type { ColumnInput } from "./shapes.js";

export interface DatabaseRecord {
  Name: string;
  Description?: string;
  LocationUri?: string;
  Parameters?: Record<string, string>;
  CreateTimeMs: number;
  CreateTableDefaultPermissions?: unknown[];
  TargetDatabase?: Record<string, string>;
  CatalogId: string;
}

export interface TableRecord {
  Name: string;
  DatabaseName: string;
  Description?: string;
  Owner?: string;
  CreateTimeMs: number;
  UpdateTimeMs: number;
  LastAccessTimeMs?: number;
  LastAnalyzedTimeMs?: number;
  Retention: number;
  StorageDescriptor?: Record<string, unknown> & { Columns?: ColumnInput[]; SerdeInfo?: { Parameters?: Record<string, string> } };
  PartitionKeys: ColumnInput[];
  ViewOriginalText?: string;
  ViewExpandedText?: string;
  TableType?: string;
  Parameters?: Record<string, string>;
  TargetTable?: Record<string, string>;
  CreatedBy?: string;
  CatalogId: string;
  VersionId: string;
}

const separator = "\u0001";
const versionDigits = 10;
/** A database's tables are deleted in pages of this many (DeleteDatabase). */
const deletePageSize = 256;

export type PutOutcome = { ok: true } | { ok: false; reason: "exists" | "conflict" };

export class CatalogStore {
  constructor(
    private readonly namespaced: NamespacedTables,
    private readonly tables: TableStore,
  ) {}

  async getDatabase(accountId: string, name: string): Promise<DatabaseRecord | undefined> {
    const value = await this.tables.getItem(await this.namespaced.tableId(accountId, "databases"), name.toLowerCase());
    return value === undefined ? undefined : (JSON.parse(value) as DatabaseRecord);
  }

  async createDatabase(accountId: string, record: DatabaseRecord): Promise<PutOutcome> {
    const id = await this.namespaced.tableId(accountId, "databases");
    return casOutcome(await this.tables.putItem(id, { key: record.Name, value: JSON.stringify(record) }, { expectedRevision: "absent" }), "exists");
  }

  /** Up to `limit` databases after `afterName`, in name order. */
  async listDatabases(accountId: string, afterName: string | undefined, limit: number): Promise<DatabaseRecord[]> {
    const entries = await this.tables.scan(await this.namespaced.tableId(accountId, "databases"), afterName, limit);
    return entries.map((entry) => JSON.parse(entry.value) as DatabaseRecord);
  }

  /** Removes the database with its tables and their versions. */
  async deleteDatabase(accountId: string, name: string): Promise<void> {
    const lower = name.toLowerCase();
    for (const tableName of ["tables", "table-versions"]) {
      const id = await this.namespaced.tableId(accountId, tableName);
      await deletePrefix(this.tables, id, lower + separator);
    }
    check(await this.tables.deleteItem(await this.namespaced.tableId(accountId, "databases"), lower));
  }

  async getTable(accountId: string, databaseName: string, tableName: string): Promise<{ record: TableRecord; revision: number } | undefined> {
    const id = await this.namespaced.tableId(accountId, "tables");
    const item = await this.tables.getVersionedItem(id, tableKey(databaseName, tableName));
    return item === undefined ? undefined : { record: JSON.parse(item.value) as TableRecord, revision: item.revision };
  }

  async getTableVersion(accountId: string, databaseName: string, tableName: string, versionId: string): Promise<TableRecord | undefined> {
    if (!/^\d{1,10}$/.test(versionId)) return undefined;
    const id = await this.namespaced.tableId(accountId, "table-versions");
    const value = await this.tables.getItem(id, versionKey(databaseName, tableName, versionId));
    return value === undefined ? undefined : (JSON.parse(value) as TableRecord);
  }

  /** Up to `limit` tables of the database after `afterName`, in name order. */
  async listTables(accountId: string, databaseName: string, afterName: string | undefined, limit: number): Promise<TableRecord[]> {
    const prefix = databaseName.toLowerCase() + separator;
    const id = await this.namespaced.tableId(accountId, "tables");
    const entries = await this.tables.scan(id, afterName === undefined ? prefix : prefix + afterName, limit);
    return entries.filter((entry) => entry.key.startsWith(prefix)).map((entry) => JSON.parse(entry.value) as TableRecord);
  }

  /** Versions of a table, newest first, after `beforeVersion` (exclusive) when given. */
  async listTableVersions(accountId: string, databaseName: string, tableName: string): Promise<TableRecord[]> {
    const prefix = tableKey(databaseName, tableName) + separator;
    const id = await this.namespaced.tableId(accountId, "table-versions");
    const found: TableRecord[] = [];
    let after: string | undefined = prefix;
    for (;;) {
      const page = await this.tables.scan(id, after, deletePageSize);
      const mine = page.filter((entry) => entry.key.startsWith(prefix));
      for (const entry of mine) found.push(JSON.parse(entry.value) as TableRecord);
      if (mine.length < page.length || page.length < deletePageSize) break;
      after = page[page.length - 1]!.key;
    }
    return found.reverse();
  }

  /** Writes the table's version first, then makes it current (a crash between leaves an unreferenced version, never a current table without its version). */
  async putTable(accountId: string, record: TableRecord, expectedRevision: number | "absent"): Promise<PutOutcome> {
    const versions = await this.namespaced.tableId(accountId, "table-versions");
    const current = await this.namespaced.tableId(accountId, "tables");
    check(await this.tables.putItem(versions, { key: versionKey(record.DatabaseName, record.Name, record.VersionId), value: JSON.stringify(record) }));
    const outcome = await this.tables.putItem(current, { key: tableKey(record.DatabaseName, record.Name), value: JSON.stringify(record) }, { expectedRevision });
    return casOutcome(outcome, expectedRevision === "absent" ? "exists" : "conflict");
  }

  async deleteTable(accountId: string, databaseName: string, tableName: string): Promise<void> {
    check(await this.tables.deleteItem(await this.namespaced.tableId(accountId, "tables"), tableKey(databaseName, tableName)));
    await deletePrefix(this.tables, await this.namespaced.tableId(accountId, "table-versions"), tableKey(databaseName, tableName) + separator);
  }
}

function tableKey(databaseName: string, tableName: string): string {
  return databaseName.toLowerCase() + separator + tableName.toLowerCase();
}

function versionKey(databaseName: string, tableName: string, versionId: string): string {
  return tableKey(databaseName, tableName) + separator + versionId.padStart(versionDigits, "0");
}

async function deletePrefix(tables: TableStore, tableId: string, prefix: string): Promise<void> {
  for (;;) {
    const page = (await tables.scan(tableId, prefix, deletePageSize)).filter((entry) => entry.key.startsWith(prefix));
    for (const entry of page) check(await tables.deleteItem(tableId, entry.key));
    if (page.length < deletePageSize) return;
  }
}

type Outcome = { ok: true; revision?: number } | { ok: false; conflict?: unknown; failure?: { message: string; cause?: unknown } };

function casOutcome(outcome: Outcome, conflictReason: "exists" | "conflict"): PutOutcome {
  if (outcome.ok) return { ok: true };
  if (outcome.failure !== undefined) throw new Error(outcome.failure.message, { cause: outcome.failure.cause });
  return { ok: false, reason: conflictReason };
}

function check(outcome: Outcome): void {
  if (!outcome.ok && outcome.failure !== undefined) throw new Error(outcome.failure.message, { cause: outcome.failure.cause });
}
