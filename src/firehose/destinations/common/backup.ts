/**
 * What the HTTP-style destinations (OpenSearch, HTTP endpoint, Splunk) write to their
 * S3Configuration bucket: failed records, after the retry duration, as Firehose's error records
 * (one JSON object per line: attemptsMade, arrivalTimestamp, errorCode, errorMessage,
 * attemptEndingTimestamp, rawData base64, plus each destination's own fields) under
 * `<Prefix><error-output-type>/…` or ErrorOutputPrefix; and, for the "all data" backup modes, every
 * source record as it arrived under `<Prefix>YYYY/MM/DD/HH/…` (GZIP when CompressionFormat says so).
 */
import { gzipSync } from "node:zlib";
import type { DeliveryBatch, PipelineRecord } from "../../delivery/contracts.js";
import type { DestinationDeps } from "./deps.js";
import { bucketOfArn, errorObjectKey, hourPath, objectName, uuidFrom } from "./s3-keys.js";

/** The S3Configuration members destinations read (S3DestinationConfiguration). */
export interface S3Configuration {
  readonly BucketARN: string;
  readonly RoleARN?: string;
  readonly Prefix?: string;
  readonly ErrorOutputPrefix?: string;
  readonly CompressionFormat?: string;
  readonly BufferingHints?: { readonly SizeInMBs?: number; readonly IntervalInSeconds?: number };
}

export interface FailedDelivery {
  readonly record: PipelineRecord;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** The destination's own fields (esDocumentId, esIndexName, EventId…). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

export type WriteResult = { ok: true; key: string } | { ok: false; errorCode: string; errorMessage: string };

async function put(deps: DestinationDeps, bucket: string, key: string, body: Buffer, gzip: boolean): Promise<WriteResult> {
  const ensured = await deps.objectClient.ensureBucket({ Bucket: bucket, accountId: deps.accountId });
  if (!ensured.ok && ensured.code !== "BucketAlreadyOwnedByYou") return { ok: false, errorCode: `S3.${ensured.code}`, errorMessage: ensured.message };
  const put = await deps.objectClient.putObject({ Bucket: bucket, Key: key, Body: gzip ? gzipSync(body) : body });
  return put.ok ? { ok: true, key } : { ok: false, errorCode: `S3.${put.code}`, errorMessage: put.message };
}

/** Writes failed records as error records; the object's key carries `errorOutputType`. */
export async function writeFailedRecords(
  deps: DestinationDeps,
  s3: S3Configuration,
  batch: DeliveryBatch,
  errorOutputType: string,
  failures: readonly FailedDelivery[],
  attempts: { attemptsMade: number; attemptEndingMs: number },
): Promise<WriteResult> {
  const lines = failures.map((failure) =>
    JSON.stringify({
      attemptsMade: attempts.attemptsMade,
      arrivalTimestamp: failure.record.approximateArrivalTimestampMs,
      errorCode: failure.errorCode,
      errorMessage: failure.errorMessage,
      attemptEndingTimestamp: attempts.attemptEndingMs,
      rawData: failure.record.data.toString("base64"),
      ...failure.extra,
    }),
  );
  const name = objectName(batch.deliveryStreamName, batch.deliveryStreamVersion, batch.firstArrivalMs, uuidFrom(deps.random));
  const key = errorObjectKey({ prefix: s3.Prefix, errorOutputPrefix: s3.ErrorOutputPrefix, errorOutputType, atMs: batch.firstArrivalMs, name });
  return put(deps, bucketOfArn(s3.BucketARN), key, Buffer.from(`${lines.join("\n")}\n`), false);
}

/** The key of an object in the default layout under `prefix`, for this batch. */
export function defaultLayoutKey(deps: DestinationDeps, batch: DeliveryBatch, prefix: string | undefined, suffix = ""): string {
  const name = objectName(batch.deliveryStreamName, batch.deliveryStreamVersion, batch.firstArrivalMs, uuidFrom(deps.random));
  return `${prefix ?? ""}${hourPath(batch.firstArrivalMs)}${name}${suffix}`;
}

/** Writes every record of the batch, concatenated as received (the AllDocuments/AllData/AllEvents backup). */
export async function writeSourceBackup(deps: DestinationDeps, s3: S3Configuration, batch: DeliveryBatch): Promise<WriteResult> {
  const gzip = s3.CompressionFormat === "GZIP";
  const key = defaultLayoutKey(deps, batch, s3.Prefix, gzip ? ".gz" : "");
  return put(deps, bucketOfArn(s3.BucketARN), key, Buffer.concat(batch.records.map((record) => record.data)), gzip);
}

export async function writeObject(deps: DestinationDeps, bucketArn: string, key: string, body: Buffer, gzip = false): Promise<WriteResult> {
  return put(deps, bucketOfArn(bucketArn), key, body, gzip);
}
