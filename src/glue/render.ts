/** Stored records as Glue answers them (timestamps as Dates, which the JSON writer sends as epoch seconds). */
import type { DatabaseRecord, TableRecord } from "./catalog-store.js";

export function renderDatabase(record: DatabaseRecord): Record<string, unknown> {
  return {
    Name: record.Name,
    Description: record.Description,
    LocationUri: record.LocationUri,
    Parameters: record.Parameters ?? {},
    CreateTime: new Date(record.CreateTimeMs),
    CreateTableDefaultPermissions: record.CreateTableDefaultPermissions ?? [],
    TargetDatabase: record.TargetDatabase,
    CatalogId: record.CatalogId,
  };
}

export function renderTable(record: TableRecord): Record<string, unknown> {
  return {
    Name: record.Name,
    DatabaseName: record.DatabaseName,
    Description: record.Description,
    Owner: record.Owner,
    CreateTime: new Date(record.CreateTimeMs),
    UpdateTime: new Date(record.UpdateTimeMs),
    LastAccessTime: record.LastAccessTimeMs === undefined ? undefined : new Date(record.LastAccessTimeMs),
    LastAnalyzedTime: record.LastAnalyzedTimeMs === undefined ? undefined : new Date(record.LastAnalyzedTimeMs),
    Retention: record.Retention,
    StorageDescriptor: record.StorageDescriptor,
    PartitionKeys: record.PartitionKeys,
    ViewOriginalText: record.ViewOriginalText,
    ViewExpandedText: record.ViewExpandedText,
    TableType: record.TableType,
    Parameters: record.Parameters ?? {},
    CreatedBy: record.CreatedBy,
    IsRegisteredWithLakeFormation: false,
    CatalogId: record.CatalogId,
    VersionId: record.VersionId,
  };
}
