/**
 * Writes failed records as Firehose's error records (src/firehose/output: errorRecordLine, one
 * JSON object per line) to one object under the error output: ErrorOutputPrefix evaluated with
 * `!{firehose:error-output-type}`, or `<Prefix><type>/yyyy/MM/dd/HH/` without one (errorObjectKey).
 * Used for the S3 destination's own failures (partitioning-failed, format-conversion-failed) and by
 * the engine's error output (processing-failed… for every destination, under its S3 bucket).
 */
import type { ObjectClient } from "../../../storage/object-client/object-client.js";
import type { Random } from "../../../util/random.js";
import type { FailedRecord } from "../../delivery/contracts.js";
import { errorObjectKey, errorRecordLine, type ErrorRecordDetails } from "../../output/index.js";
import { bucketOfArn, uuidFrom } from "../common/s3-keys.js";
import { offsetMinutesOf } from "./time-zone.js";

export interface ErrorOutputLocation {
  readonly BucketARN: string;
  readonly Prefix?: string | undefined;
  readonly ErrorOutputPrefix?: string | undefined;
  readonly CustomTimeZone?: string | undefined;
}

export interface ErrorObjectInput {
  readonly objectClient: ObjectClient;
  readonly accountId: string;
  readonly random: Random;
  readonly location: ErrorOutputLocation;
  readonly deliveryStreamName: string;
  readonly version: number;
  /** All of one error output type. */
  readonly records: readonly FailedRecord[];
  readonly attemptsMade: number;
  readonly attemptEndingMs: number;
  /** Per record: format-conversion-failed's table and Kinesis coordinates. */
  readonly detailsOf?: (record: FailedRecord) => ErrorRecordDetails;
}

export type ErrorObjectResult = { ok: true; key: string } | { ok: false; errorCode: string; errorMessage: string };

export async function writeErrorObject(input: ErrorObjectInput): Promise<ErrorObjectResult> {
  const first = input.records[0]!;
  const arrivalMs = Math.min(...input.records.map((record) => record.approximateArrivalTimestampMs));
  const key = errorObjectKey({
    errorOutputPrefix: input.location.ErrorOutputPrefix,
    prefix: input.location.Prefix,
    errorOutputType: first.errorOutputType,
    deliveryStreamName: input.deliveryStreamName,
    version: input.version,
    arrivalMs,
    offsetMinutes: offsetMinutesOf(input.location.CustomTimeZone, arrivalMs),
    uuid: uuidFrom(input.random),
    extension: "",
    random: input.random,
  });
  const body = Buffer.from(input.records.map((record) => errorRecordLine(record, input.attemptsMade, input.attemptEndingMs, input.detailsOf?.(record))).join(""));
  const bucket = bucketOfArn(input.location.BucketARN);
  const ensured = await input.objectClient.ensureBucket({ Bucket: bucket, accountId: input.accountId });
  if (!ensured.ok && ensured.code !== "BucketAlreadyOwnedByYou") return { ok: false, errorCode: `S3.${ensured.code}`, errorMessage: ensured.message };
  const put = await input.objectClient.putObject({ Bucket: bucket, Key: key, Body: body });
  return put.ok ? { ok: true, key } : { ok: false, errorCode: `S3.${put.code}`, errorMessage: put.message };
}

/** Groups failed records by error output type (one object per type, as Firehose separates them). */
export function byErrorOutputType(records: readonly FailedRecord[]): FailedRecord[][] {
  const groups = new Map<string, FailedRecord[]>();
  for (const record of records) {
    const list = groups.get(record.errorOutputType);
    if (list === undefined) groups.set(record.errorOutputType, [record]);
    else list.push(record);
  }
  return [...groups.values()];
}
