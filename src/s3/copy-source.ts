/**
 * `x-amz-copy-source` (CopyObject, UploadPartCopy): `bucket/key` or `/bucket/key`, percent-encoded,
 * optionally ending in `?versionId=…`; then the source object, and the copy-source conditions
 * (`x-amz-copy-source-if-match` …), every failure of which is a 412 (CopyObject, "Conditional requests").
 */
import type { S3Context, S3Request } from "./action.js";
import { checkConditions, type ConditionNames } from "./conditions.js";
import { s3Errors } from "./errors.js";
import { headerOf } from "./headers.js";
import type { ObjectMeta } from "../storage/objects/object-meta.js";
import { S3Error } from "./s3-error.js";
import type { VersionedObject } from "../storage/types.js";

export interface CopySource {
  bucket: string;
  key: string;
}

const copySourceHeader = "x-amz-copy-source";

/** The source named by the header, or an S3Error (InvalidArgument) for one that names no bucket and key. */
export function parseCopySource(value: string): CopySource | S3Error {
  const malformed = () => s3Errors.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", copySourceHeader, value);
  const question = value.indexOf("?");
  const path = question < 0 ? value : value.slice(0, question);
  if (question >= 0) {
    const query = new URLSearchParams(value.slice(question + 1));
    const versionId = query.get("versionId");
    // Buckets here are never versioned: only the null version exists.
    if (versionId !== null && versionId !== "null") return s3Errors.invalidArgument("Invalid version id specified", "versionId", versionId);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith("/") ? path.slice(1) : path);
  } catch {
    return malformed();
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) return malformed();
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

const copySourceConditionNames: ConditionNames = {
  ifMatch: "x-amz-copy-source-If-Match",
  ifNoneMatch: "x-amz-copy-source-If-None-Match",
  ifModifiedSince: "x-amz-copy-source-If-Modified-Since",
  ifUnmodifiedSince: "x-amz-copy-source-If-Unmodified-Since",
};

/**
 * The copy source's object, after its conditions: NoSuchBucket / NoSuchKey for a missing source,
 * PreconditionFailed for a failed condition (thrown as S3Errors).
 */
export async function copySourceObject(context: S3Context, request: S3Request): Promise<{ source: CopySource; object: VersionedObject }> {
  const header = headerOf(request.head, copySourceHeader);
  if (header === undefined) throw s3Errors.invalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey", copySourceHeader, "");
  const source = parseCopySource(header);
  if (source instanceof S3Error) throw source;
  if ((await context.store.getBucket(source.bucket)) === undefined) throw s3Errors.noSuchBucket(source.bucket);
  const object = await context.store.getObject(source.bucket, source.key);
  if (object === undefined) throw s3Errors.noSuchKey(source.key);
  const meta = object.record.meta as unknown as ObjectMeta;
  const outcome = checkConditions(
    {
      ifMatch: headerOf(request.head, "x-amz-copy-source-if-match"),
      ifNoneMatch: headerOf(request.head, "x-amz-copy-source-if-none-match"),
      ifModifiedSince: headerOf(request.head, "x-amz-copy-source-if-modified-since"),
      ifUnmodifiedSince: headerOf(request.head, "x-amz-copy-source-if-unmodified-since"),
    },
    { etag: meta.ETag, lastModifiedMs: object.record.lastModifiedMs },
    copySourceConditionNames,
    context.clock.nowMs(),
    false,
  );
  if (!outcome.ok) throw s3Errors.preconditionFailed(outcome.header);
  return { source, object };
}
