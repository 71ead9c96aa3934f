import type { GlueContext } from "../context.js";
import type { DatabaseRecord, TableRecord } from "../catalog-store.js";
import { glueErrors } from "../errors.js";

/** The Data Catalog a request names: its CatalogId (an account id) or the caller's account. */
export function catalogOf(context: GlueContext, catalogId: string | undefined): string {
  return catalogId ?? context.accountId;
}

export async function requireDatabase(context: GlueContext, catalogId: string, name: string): Promise<DatabaseRecord> {
  const database = await context.store.getDatabase(catalogId, name);
  if (database === undefined) throw glueErrors.databaseNotFound(name);
  return database;
}

export async function requireTable(context: GlueContext, catalogId: string, databaseName: string, tableName: string): Promise<{ record: TableRecord; revision: number }> {
  await requireDatabase(context, catalogId, databaseName);
  const table = await context.store.getTable(catalogId, databaseName, tableName);
  if (table === undefined) throw glueErrors.tableNotFound(tableName);
  return table;
}
