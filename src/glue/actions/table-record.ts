import type { GlueContext } from "../context.js";
import type { TableRecord } from "../catalog-store.js";
import type { TableInputValue } from "../shapes.js";

/** A table version from TableInput: names lowercased as Glue stores them, creation time kept across versions. */
export function tableRecordOf(
  context: GlueContext,
  catalogId: string,
  databaseName: string,
  input: TableInputValue,
  versionId: string,
  previous: TableRecord | undefined,
): TableRecord {
  const nowMs = context.clock.nowMs();
  return {
    Name: input.Name.toLowerCase(),
    DatabaseName: databaseName.toLowerCase(),
    Description: input.Description,
    Owner: input.Owner,
    CreateTimeMs: previous?.CreateTimeMs ?? nowMs,
    UpdateTimeMs: nowMs,
    LastAccessTimeMs: input.LastAccessTime,
    LastAnalyzedTimeMs: input.LastAnalyzedTime,
    Retention: input.Retention ?? 0,
    StorageDescriptor: input.StorageDescriptor,
    PartitionKeys: input.PartitionKeys ?? [],
    ViewOriginalText: input.ViewOriginalText,
    ViewExpandedText: input.ViewExpandedText,
    TableType: input.TableType,
    Parameters: input.Parameters,
    TargetTable: input.TargetTable,
    CreatedBy: previous?.CreatedBy ?? context.principal.arn,
    CatalogId: catalogId,
    VersionId: versionId,
  };
}
