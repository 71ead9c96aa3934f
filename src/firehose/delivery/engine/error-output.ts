/**
 * Where records the pipeline could not process go (FailedRecord: a Lambda transformation's
 * failures, decompression's, dynamic partitioning's): Firehose's error records (output's
 * errorRecordLine, one JSON object per line), one object per error output type, under the S3
 * destination's ErrorOutputPrefix (with `!{firehose:error-output-type}`) or
 * `<Prefix><type>/yyyy/MM/dd/HH/`; for other destinations under their S3Configuration the same
 * way. A write that fails is retried by the engine until it succeeds: the chunk is not settled before.
 */
import type { FailedRecord } from "../contracts.js";
import type { StoredDestination } from "../../model.js";
import type { DestinationDeps } from "../../destinations/common/deps.js";
import { byErrorOutputType, writeErrorObject, type ErrorOutputLocation } from "../../destinations/s3/error-objects.js";

export type WriteResult = { ok: true; key: string } | { ok: false; errorCode: string; errorMessage: string };

export interface ErrorOutput {
  write(records: readonly FailedRecord[], version: number, nowMs: number): Promise<WriteResult>;
}

/** The bucket and prefixes a destination's error records go under. */
export function errorOutputLocationOf(destination: StoredDestination): ErrorOutputLocation {
  const configuration = destination.configuration;
  const s3 = destination.kind === "S3" || destination.kind === "ExtendedS3" ? configuration : ((configuration.S3Configuration ?? {}) as Record<string, unknown>);
  const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  return {
    BucketARN: String(s3.BucketARN),
    Prefix: text(s3.Prefix),
    ErrorOutputPrefix: text(s3.ErrorOutputPrefix),
    // CustomTimeZone is a member of the S3 destination alone.
    CustomTimeZone: destination.kind === "ExtendedS3" ? text(configuration.CustomTimeZone) : undefined,
  };
}

export function errorOutputFor(destination: StoredDestination, deps: DestinationDeps): ErrorOutput {
  const location = errorOutputLocationOf(destination);
  return {
    async write(records, version, nowMs) {
      let last: WriteResult = { ok: true, key: "" };
      for (const group of byErrorOutputType(records)) {
        last = await writeErrorObject({
          objectClient: deps.objectClient,
          accountId: deps.accountId,
          random: deps.random,
          location,
          deliveryStreamName: deps.deliveryStreamName,
          version,
          records: group,
          attemptsMade: 1,
          attemptEndingMs: nowMs,
        });
        if (!last.ok) return last;
      }
      return last;
    },
  };
}
