/**
 * The Glue Data Catalog tables other services read from inside the process (Firehose's format
 * conversion takes its schema from one). The Glue service implements it (`schemaCatalog` on its
 * instance); the app hands it to every service as `ServiceDeps.schemaCatalog` (src/server/app.ts).
 */

/** A column as Glue stores it: a Hive type string (`string`, `int`, `array<struct<a:int>>`, `decimal(10,2)`…). */
export interface SchemaColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Comment?: string;
}

/** What format conversion needs of a Glue table. */
export interface SchemaTable {
  readonly DatabaseName: string;
  readonly Name: string;
  readonly Columns: readonly SchemaColumn[];
  readonly PartitionKeys: readonly SchemaColumn[];
  /** StorageDescriptor.SerdeInfo.Parameters and the table's Parameters, for SerDe options. */
  readonly Parameters: Readonly<Record<string, string>>;
}

export interface SchemaCatalog {
  /** The table's current version, or undefined if the database or table does not exist. */
  getTable(accountId: string, region: string, databaseName: string, tableName: string, versionId?: string): Promise<SchemaTable | undefined>;
}
