import type { FailedRecord } from "../delivery/contracts.js";

/**
 * The JSON line Firehose writes to the error output (or the S3 backup) for each failed record,
 * one per line, fields in the order the docs print them:
 *
 * processing-failed (docs "Data transformation failure handling"), partitioning-failed
 * (DynamicPartitioning.* codes), http-endpoint-failed, splunk-failed, elasticsearch-failed:
 *   attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp, rawData,
 *   then per kind: lambdaARN (processing-failed; the service writes `lambdaARN` although the docs
 *   print `lambdaArn` — captured against AWS by stackd), esDocumentId, esIndexName, esTypeName
 *   (elasticsearch-failed, "Data delivery failure handling"), EventId (splunk-failed),
 *   subsequenceNumber, dataId (http-endpoint-failed).
 * format-conversion-failed (docs "Handling errors for data format conversion"):
 *   attemptsMade, arrivalTimestamp, lastErrorCode, lastErrorMessage, attemptEndingTimestamp,
 *   rawData, sequenceNumber, subSequenceNumber, dataCatalogTable {catalogId, databaseName,
 *   tableName, region, versionId, catalogArn}.
 * Timestamps are epoch milliseconds; rawData is the record's bytes in base64. A Redshift failure
 * is not a record line: Firehose writes a manifest of the skipped objects under `errors/`.
 */
export interface ErrorRecordDetails {
  /** elasticsearch-failed: the intended document id, index and type. */
  readonly esDocumentId?: string;
  readonly esIndexName?: string;
  readonly esTypeName?: string;
  /** splunk-failed: the HEC event id. */
  readonly eventId?: string;
  /** http-endpoint-failed and format-conversion-failed: the record's Kinesis coordinates. */
  readonly sequenceNumber?: string;
  readonly subsequenceNumber?: number;
  /** http-endpoint-failed: `dataId`, `<sequence number>.<subsequence>` for a Kinesis source. */
  readonly dataId?: string;
  /** format-conversion-failed: the Glue table of SchemaConfiguration. */
  readonly dataCatalogTable?: {
    readonly catalogId?: string;
    readonly databaseName: string;
    readonly tableName: string;
    readonly region: string;
    readonly versionId?: string;
    readonly catalogArn?: string;
  };
}

/**
 * One error record line, with its trailing newline.
 *
 * @example
 *   errorRecordLine(failed, 4, clock.nowMs())
 *   // → '{"attemptsMade":4,"arrivalTimestamp":1510254469629,"errorCode":"Lambda.FunctionError",…,"lambdaARN":"arn:…"}\n'
 */
export function errorRecordLine(failed: FailedRecord, attemptsMade: number, attemptEndingMs: number, details: ErrorRecordDetails = {}): string {
  return JSON.stringify(errorRecord(failed, attemptsMade, attemptEndingMs, details)) + "\n";
}

export function errorRecord(failed: FailedRecord, attemptsMade: number, attemptEndingMs: number, details: ErrorRecordDetails = {}): Record<string, unknown> {
  const rawData = failed.rawData.toString("base64");
  if (failed.errorOutputType === "format-conversion-failed") {
    return {
      attemptsMade,
      arrivalTimestamp: failed.approximateArrivalTimestampMs,
      lastErrorCode: failed.errorCode,
      lastErrorMessage: failed.errorMessage,
      attemptEndingTimestamp: attemptEndingMs,
      rawData,
      ...(details.sequenceNumber !== undefined ? { sequenceNumber: details.sequenceNumber } : {}),
      ...(details.subsequenceNumber !== undefined ? { subSequenceNumber: details.subsequenceNumber } : {}),
      ...(details.dataCatalogTable !== undefined ? { dataCatalogTable: details.dataCatalogTable } : {}),
    };
  }
  const record: Record<string, unknown> = {
    attemptsMade,
    arrivalTimestamp: failed.approximateArrivalTimestampMs,
    errorCode: failed.errorCode,
    errorMessage: failed.errorMessage,
    attemptEndingTimestamp: attemptEndingMs,
    rawData,
  };
  switch (failed.errorOutputType) {
    case "processing-failed":
      if (failed.lambdaArn !== undefined) record["lambdaARN"] = failed.lambdaArn;
      break;
    case "elasticsearch-failed":
      if (details.esDocumentId !== undefined) record["esDocumentId"] = details.esDocumentId;
      if (details.esIndexName !== undefined) record["esIndexName"] = details.esIndexName;
      if (details.esTypeName !== undefined) record["esTypeName"] = details.esTypeName;
      break;
    case "splunk-failed":
      if (details.eventId !== undefined) record["EventId"] = details.eventId;
      break;
    case "http-endpoint-failed":
      if (details.subsequenceNumber !== undefined) record["subsequenceNumber"] = details.subsequenceNumber;
      if (details.dataId !== undefined) record["dataId"] = details.dataId;
      break;
    default:
      break;
  }
  return record;
}
