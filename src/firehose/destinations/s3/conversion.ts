/**
 * Format conversion for the S3 destination: DataFormatConversionConfiguration (enabled unless
 * `Enabled: false`) → the Glue table of SchemaConfiguration, fetched at each flush through the
 * schema catalog (so `VersionId` LATEST, the default, follows UpdateTable; an in-process read), and
 * the batch converted by src/firehose/conversion into one Parquet object. Records that do not
 * convert fail alone as format-conversion-failed, with the table in their error records; when the
 * table cannot be read or its schema cannot be converted, every record of the batch fails so.
 */
import type { SchemaCatalog } from "../../../storage/schema-catalog.js";
import type { FailedRecord, PipelineRecord } from "../../delivery/contracts.js";
import { createConverter, type DataFormatConversionConfiguration } from "../../conversion/index.js";
import type { ErrorRecordDetails } from "../../output/index.js";

/** The object extension of converted objects (FileExtension replaces it). */
export const parquetExtension = ".parquet";

/** The configuration when conversion is on. */
export function conversionOf(configuration: Record<string, unknown>): DataFormatConversionConfiguration | undefined {
  const conversion = configuration.DataFormatConversionConfiguration as DataFormatConversionConfiguration | undefined;
  return conversion !== undefined && conversion.Enabled !== false ? conversion : undefined;
}

export interface ConvertedBatch {
  /** The Parquet object; empty when no record converted. */
  readonly file: Buffer;
  readonly failed: FailedRecord[];
  readonly detailsOf: (record: FailedRecord) => ErrorRecordDetails;
}

export async function convertBatch(
  conversion: DataFormatConversionConfiguration,
  records: readonly PipelineRecord[],
  context: { schemaCatalog: SchemaCatalog | undefined; accountId: string; region: string },
): Promise<ConvertedBatch> {
  const schema = conversion.SchemaConfiguration ?? {};
  const region = schema.Region ?? context.region;
  const catalogId = schema.CatalogId ?? context.accountId;
  const versionId = schema.VersionId ?? "LATEST";
  const table = {
    catalogId,
    databaseName: schema.DatabaseName ?? "",
    tableName: schema.TableName ?? "",
    region,
    versionId,
    catalogArn: `arn:aws:glue:${region}:${catalogId}:catalog`,
  };
  const byId = new Map(records.map((record) => [record.recordId, record]));
  const detailsOf = (failed: FailedRecord): ErrorRecordDetails => {
    const kinesis = byId.get(failed.recordId)?.kinesisRecordMetadata;
    return { dataCatalogTable: table, ...(kinesis !== undefined && { sequenceNumber: kinesis.sequenceNumber, subsequenceNumber: kinesis.subsequenceNumber ?? 0 }) };
  };
  const failAll = (errorCode: string, errorMessage: string): ConvertedBatch => ({
    file: Buffer.alloc(0),
    failed: records.map((record) => ({ recordId: record.recordId, rawData: record.data, approximateArrivalTimestampMs: record.approximateArrivalTimestampMs, errorCode, errorMessage, errorOutputType: "format-conversion-failed" })),
    detailsOf,
  });
  const found = await context.schemaCatalog?.getTable(context.accountId, region, table.databaseName, table.tableName, versionId === "LATEST" ? undefined : versionId);
  if (found === undefined) {
    return failAll("DataFormatConversion.EntityNotFound", `The table ${table.tableName} of database ${table.databaseName} was not found in the Glue Data Catalog (account ${catalogId}, ${region}).`);
  }
  const converter = createConverter(conversion, found);
  if ("error" in converter) return failAll(converter.errorCode, converter.error);
  const { file, failed } = converter.convert(records);
  return { file, failed, detailsOf };
}
