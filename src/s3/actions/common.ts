/** What the bucket and object actions share: the bucket lookup, storage outcomes as S3 errors, an object's bytes. */
import type { S3Context, S3Request } from "../action.js";
import { s3Errors } from "../errors.js";
import type { ObjectMeta } from "../../storage/objects/object-meta.js";
import type { S3Error } from "../s3-error.js";
import type { BucketRecord, ObjectRecord, StorageFailure, VersionedObject } from "../../storage/types.js";
import { assert } from "../../util/assert.js";

/** The request's bucket, or NoSuchBucket. */
export async function requireBucket(context: S3Context, request: S3Request): Promise<{ bucket: BucketRecord; revision: number }> {
  assert(request.bucket !== undefined, "a bucket action routed without a bucket");
  const found = await context.store.getBucket(request.bucket);
  if (found === undefined) throw s3Errors.noSuchBucket(request.bucket);
  return found;
}

/** The request's object (in an existing bucket), or NoSuchBucket / NoSuchKey. */
export async function requireObject(context: S3Context, request: S3Request): Promise<VersionedObject> {
  await requireBucket(context, request);
  const key = requestKey(request);
  const object = await context.store.getObject(request.bucket!, key);
  if (object === undefined) throw s3Errors.noSuchKey(key);
  return object;
}

export function requestKey(request: S3Request): string {
  assert(request.key !== undefined, "an object action routed without a key");
  return request.key;
}

export function metaOf(record: ObjectRecord): ObjectMeta {
  return record.meta as unknown as ObjectMeta;
}

/**
 * A storage failure as S3 answers it: the bucket deleted while the request ran (`bucket` names it)
 * is NoSuchBucket, as the request would have met a moment later; a closed engine (a stop or reset
 * under way) is retryable; anything else an internal fault.
 */
export function storageError(context: S3Context, failure: StorageFailure, bucket?: string): S3Error {
  if (failure.kind === "gone" && failure.gone === "bucket" && bucket !== undefined) return s3Errors.noSuchBucket(bucket);
  context.logger.error({ kind: failure.kind, message: failure.message, err: failure.cause }, "s3 storage write failed");
  return failure.kind === "closed" ? s3Errors.serviceUnavailable() : s3Errors.internalError();
}

/** An object's bytes in [startByte, endByteExclusive), read blob by blob in bounded chunks. */
export async function* objectBytes(context: S3Context, record: ObjectRecord, startByte: number, endByteExclusive: number): AsyncGenerator<Buffer> {
  let blobStart = 0;
  for (const blob of record.blobs) {
    const blobEnd = blobStart + blob.sizeBytes;
    const from = Math.max(startByte, blobStart);
    const to = Math.min(endByteExclusive, blobEnd);
    if (from < to) yield* context.store.readBlob(blob, from - blobStart, to - blobStart);
    blobStart = blobEnd;
    if (blobStart >= endByteExclusive) break;
  }
}
