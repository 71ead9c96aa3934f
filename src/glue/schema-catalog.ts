/**
 * The Glue service's SchemaCatalog (storage/schema-catalog.ts): the tables Firehose's format
 * conversion reads its schema from, straight from the catalog's storage.
 */
import type { SchemaCatalog, SchemaTable } from "../storage/schema-catalog.js";
import type { CatalogStore, TableRecord } from "./catalog-store.js";

export function glueSchemaCatalog(store: CatalogStore, region: string): SchemaCatalog {
  return {
    async getTable(accountId, tableRegion, databaseName, tableName, versionId) {
      // One region is served: a table of another region does not exist here.
      if (tableRegion !== region) return undefined;
      if ((await store.getDatabase(accountId, databaseName)) === undefined) return undefined;
      const current = await store.getTable(accountId, databaseName, tableName);
      if (current === undefined) return undefined;
      // Firehose's VersionId "LATEST" (its default) is the current version.
      const record = versionId === undefined || versionId === "LATEST" || versionId === current.record.VersionId ? current.record : await store.getTableVersion(accountId, databaseName, tableName, versionId);
      return record === undefined ? undefined : schemaTableOf(record);
    },
  };
}

function schemaTableOf(record: TableRecord): SchemaTable {
  return {
    DatabaseName: record.DatabaseName,
    Name: record.Name,
    Columns: (record.StorageDescriptor?.Columns ?? []).map((column) => ({ Name: column.Name, Type: column.Type ?? "", Comment: column.Comment })),
    PartitionKeys: record.PartitionKeys.map((column) => ({ Name: column.Name, Type: column.Type ?? "", Comment: column.Comment })),
    Parameters: { ...(record.Parameters ?? {}), ...(record.StorageDescriptor?.SerdeInfo?.Parameters ?? {}) },
  };
}
