/**
 * OnFailure: the invocation record Lambda writes for a discarded batch of a Kinesis mapping, to an
 * S3 bucket (arn:aws:s3:::bucket) through the object client. The record is Lambda's
 * (requestContext, responseContext, version, timestamp, KinesisBatchInfo) with the whole event as
 * an escaped JSON string in `payload` (S3 destinations only), under
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`.
 */
import type { ObjectClient } from "../../storage/object-client/index.js";
import type { StreamRecordView } from "../../storage/stream-access.js";
import type { Clock } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { Random } from "../../util/random.js";
import { randomUUIDFrom } from "../../util/uuid.js";
import { s3BucketOf } from "./options.js";

/** Why a batch was discarded (requestContext.condition). */
export type DiscardCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

export interface DiscardedBatch {
  uuid: string;
  functionArn: string;
  streamArn: string;
  shardId: string;
  records: readonly StreamRecordView[];
  condition: DiscardCondition;
  approximateInvokeCount: number;
  /** The last invocation's answer, when there was one. */
  response?: { statusCode: number; executedVersion?: string; functionError?: string };
  /** The event the function was (or would have been) invoked with. */
  payload: Buffer;
}

const putAttemptsMax = 3;

function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

export function s3KeyOf(uuid: string, shardId: string, nowMs: number, random: Random): string {
  const iso = new Date(nowMs).toISOString();
  const day = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
  const stamp = `${iso.slice(0, 10)}T${iso.slice(11, 13)}.${iso.slice(14, 16)}.${iso.slice(17, 19)}`;
  return `aws/lambda/${uuid}/${shardId}/${day}/${stamp}-${randomUUIDFrom(random)}`;
}

export function invocationRecord(batch: DiscardedBatch, nowMs: number, requestId: string): Record<string, unknown> {
  const first = batch.records[0]!;
  const last = batch.records[batch.records.length - 1]!;
  const responseContext: Record<string, unknown> = { statusCode: batch.response?.statusCode ?? 200 };
  if (batch.response?.executedVersion !== undefined) responseContext.executedVersion = batch.response.executedVersion;
  if (batch.response?.functionError !== undefined) responseContext.functionError = batch.response.functionError;
  return {
    requestContext: { requestId, functionArn: batch.functionArn, condition: batch.condition, approximateInvokeCount: batch.approximateInvokeCount },
    responseContext,
    version: "1.0",
    timestamp: isoMs(nowMs),
    KinesisBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: isoMs(first.approximateArrivalTimestampMs),
      approximateArrivalOfLastRecord: isoMs(last.approximateArrivalTimestampMs),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
    payload: batch.payload.toString("utf8"),
  };
}

export interface OnFailureDeps {
  objectClient: ObjectClient;
  clock: Clock;
  random: Random;
  logger: Logger;
}

/**
 * Delivers the record; answers whether it was stored. A destination that keeps failing is logged
 * and the batch is discarded all the same (as Lambda does), so one bad bucket cannot stall a shard.
 */
export async function deliverOnFailure(deps: OnFailureDeps, destination: string | undefined, batch: DiscardedBatch): Promise<boolean> {
  if (!destination) {
    deps.logger.warn(`event source mapping ${batch.uuid}: discarded ${batch.records.length} records of ${batch.shardId} (${batch.condition}); no OnFailure destination`);
    return false;
  }
  const bucket = s3BucketOf(destination);
  if (bucket === undefined) return false;
  const nowMs = deps.clock.nowMs();
  const body = Buffer.from(JSON.stringify(invocationRecord(batch, nowMs, randomUUIDFrom(deps.random))));
  const key = s3KeyOf(batch.uuid, batch.shardId, nowMs, deps.random);
  for (let attempt = 1; attempt <= putAttemptsMax; attempt += 1) {
    const outcome = await deps.objectClient.putObject({ Bucket: bucket, Key: key, Body: body, ContentType: "application/json" });
    if (outcome.ok) return true;
    deps.logger.warn(`event source mapping ${batch.uuid}: OnFailure to ${destination} failed (${outcome.code}: ${outcome.message})`);
    if (outcome.code === "NoSuchBucket") return false;
    await deps.clock.sleep(100 * attempt);
  }
  return false;
}
