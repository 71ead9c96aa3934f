/**
 * Where records the pipeline could not process go (FailedRecord: a Lambda transformation's
 * failures, dynamic partitioning's, format conversion's): Firehose's error records, one JSON
 * object per line, under the S3 destination's ErrorOutputPrefix (with
 * `!{firehose:error-output-type}`) or `<type>/YYYY/MM/DD/HH/` at the bucket's root; for other
 * destinations under their S3Configuration (the destinations' own common/backup.ts writer). A write
 * that fails is retried by the engine until it succeeds: the chunk is not settled before.
 */
import type { FailedRecord } from "../contracts.js";
import type { StoredDestination } from "../../model.js";
import { writeFailedRecords, type S3Configuration, type WriteResult } from "../../destinations/common/backup.js";
import type { DestinationDeps } from "../../destinations/common/deps.js";

export interface ErrorOutput {
  write(records: readonly FailedRecord[], version: number, nowMs: number): Promise<WriteResult>;
}

export function errorOutputFor(destination: StoredDestination, deps: DestinationDeps): ErrorOutput {
  const configuration = destination.configuration;
  const s3: S3Configuration =
    destination.kind === "S3" || destination.kind === "ExtendedS3"
      ? { BucketARN: String(configuration.BucketARN), ...(typeof configuration.ErrorOutputPrefix === "string" && { ErrorOutputPrefix: configuration.ErrorOutputPrefix }) }
      : (configuration.S3Configuration as S3Configuration);
  return {
    async write(records, version, nowMs) {
      // One object per error output type, as Firehose separates processing-failed from format-conversion-failed.
      const byType = new Map<string, FailedRecord[]>();
      for (const record of records) {
        const list = byType.get(record.errorOutputType) ?? [];
        list.push(record);
        byType.set(record.errorOutputType, list);
      }
      for (const [type, failed] of byType) {
        const batch = { batchId: "", deliveryStreamName: deps.deliveryStreamName, deliveryStreamVersion: version, records: [], firstArrivalMs: failed[0]!.approximateArrivalTimestampMs };
        const written = await writeFailedRecords(
          deps,
          s3,
          batch,
          type,
          failed.map((record) => ({
            record: { recordId: record.recordId, data: record.rawData, approximateArrivalTimestampMs: record.approximateArrivalTimestampMs },
            errorCode: record.errorCode,
            errorMessage: record.errorMessage,
            ...(record.lambdaArn !== undefined && { extra: { lambdaArn: record.lambdaArn } }),
          })),
          { attemptsMade: 1, attemptEndingMs: nowMs },
        );
        if (!written.ok) return written;
      }
      return { ok: true, key: "" };
    },
  };
}
