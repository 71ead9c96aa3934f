/**
 * PutObject, streamed: the size checks before a byte is read (EntityTooLarge past
 * options.objectBytesMax, MissingContentLength without a length), the stored headers (metadata,
 * tags) checked, then the body through its payload checks (src/s3/body) into a blob, then the
 * record committed. A blob written for an upload that then fails is discarded.
 *
 * Conditional writes (S3 since 2024, PutObject's "Conditional requests"): `If-None-Match: *` writes
 * only where no object is, `If-Match: <etag>` only over that object (NoSuchKey where none is);
 * checked before the body is read and again, as a compare-and-set, at the commit: 412 PreconditionFailed.
 *
 * ETag: the quoted MD5 of the bytes. A checksum the client sent (header or trailer) is verified,
 * stored, and answered as `x-amz-checksum-<algorithm>` with `x-amz-checksum-type: FULL_OBJECT`.
 */
import type { S3Action, S3Context, S3Request } from "../action.js";
import { payloadOf, planPayload, readSmallPayload, smallPayloadOf, type PayloadSummary, type Plan } from "../body/index.js";
import { checksumHeaderName, type ChecksumAlgorithm } from "../checksums/index.js";
import { s3Errors } from "../errors.js";
import { headerOf } from "../headers.js";
import type { ObjectMeta } from "../../storage/objects/object-meta.js";
import { storedHeadersOf } from "../object-headers.js";
import { emptyResponse } from "../responses.js";
import type { BlobRef, Expectation } from "../../storage/types.js";
import { etagListMatches } from "../conditions.js";
import { requestKey, requireBucket, storageError } from "./common.js";
import { deepFreeze } from "../../util/freeze.js";

export const putObject: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  const key = requestKey(request);
  const sizeBytesMax = context.options.objectBytesMax;
  checkDeclaredSize(request, sizeBytesMax);
  const stored = storedHeadersOf(request.head);
  const conditional = request.head.headers["if-none-match"] !== undefined || request.head.headers["if-match"] !== undefined;
  const expectation = conditional ? await writeExpectation(context, request, bucket.Name, key) : undefined;
  // The payload headers in S3's order; a refused one throws its S3Error.
  const plan = planPayload(request.head, request.payload);
  const { blob, summary } = await writeBody(context, request, sizeBytesMax, plan);
  try {
    const checksum = declaredChecksum(summary);
    const meta: ObjectMeta = {
      ETag: `"${summary.md5Hex}"`,
      ...stored,
      ...(checksum !== undefined && { Checksum: { ...checksum, type: "FULL_OBJECT" as const } }),
    };
    // Frozen here, where it is made: the store keeps it as it is rather than copying it.
    const record = deepFreeze({ blobs: [blob], sizeBytes: summary.sizeBytes, lastModifiedMs: context.clock.nowMs(), meta: meta as unknown as Record<string, unknown> });
    const outcome =
      expectation === undefined ? await context.store.putObject(bucket.Name, key, record) : await context.store.putObject(bucket.Name, key, record, expectation.expect);
    if (!outcome.ok) {
      if ("conflict" in outcome) throw s3Errors.preconditionFailed(expectation!.header);
      throw storageError(context, outcome.failure, bucket.Name);
    }
    return emptyResponse(200, {
      etag: meta.ETag,
      ...(checksum !== undefined && { [checksumHeaderName(checksum.algorithm)]: checksum.value, "x-amz-checksum-type": "FULL_OBJECT" }),
    });
  } catch (error) {
    await context.store.discardBlob(blob);
    throw error;
  }
};

/** The compare-and-set a conditional write commits with, after checking it against the object now. */
async function writeExpectation(context: S3Context, request: S3Request, bucket: string, key: string): Promise<{ expect: Expectation; header: string } | undefined> {
  const ifNoneMatch = headerOf(request.head, "if-none-match");
  const ifMatch = headerOf(request.head, "if-match");
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== "*") throw s3Errors.notImplemented("If-None-Match");
  const current = await context.store.getObject(bucket, key);
  if (ifNoneMatch !== undefined) {
    if (current !== undefined) throw s3Errors.preconditionFailed("If-None-Match");
    return { expect: { expectedRevision: "absent" }, header: "If-None-Match" };
  }
  if (current === undefined) throw s3Errors.noSuchKey(key);
  if (!etagListMatches(ifMatch!, (current.record.meta as unknown as ObjectMeta).ETag)) throw s3Errors.preconditionFailed("If-Match");
  return { expect: { expectedRevision: current.revision }, header: "If-Match" };
}

/**
 * The size the request declares (x-amz-decoded-content-length for an aws-chunked body, else
 * Content-Length) within the limit. A request with neither — an HTTP/1.1 `Transfer-Encoding:
 * chunked` upload of unknown length included — is MissingContentLength (411), as S3 answers it (the
 * SDK's well-known error for a stream of unknown length); HTTP/2 frames its body without one and passes.
 */
export function checkDeclaredSize(request: S3Request, sizeBytesMax: number): void {
  const head = request.head;
  const declared = headerOf(head, "x-amz-decoded-content-length") ?? headerOf(head, "content-length");
  if (declared === undefined) {
    const http2 = headerOf(head, ":method") !== undefined || headerOf(head, ":authority") !== undefined;
    if (!http2) throw s3Errors.missingContentLength();
    return;
  }
  const sizeBytes = Number(declared.trim());
  if (/^\d+$/.test(declared.trim()) && sizeBytes > sizeBytesMax) throw s3Errors.entityTooLarge(sizeBytes, sizeBytesMax);
}

/** The body into a new blob through its payload checks, at most `sizeBytesMax` bytes whatever was declared. */
export async function writeBody(context: S3Context, request: S3Request, sizeBytesMax: number, plan: Plan): Promise<{ blob: BlobRef; summary: PayloadSummary }> {
  // A small body is read whole, checked, then handed to the store in one buffer.
  const small = smallPayloadOf(plan);
  if (small !== undefined) {
    const { bytes, summary } = await readSmallPayload(small, request.body, request.payload, sizeBytesMax, (sizeBytes) => s3Errors.entityTooLarge(sizeBytes, sizeBytesMax));
    const outcome = await (context.store.writeBlobBytes?.(bytes) ?? context.store.writeBlob(oneChunk(bytes), { sizeBytesHint: bytes.length }));
    if (!outcome.ok) throw storageError(context, outcome.failure);
    return { blob: outcome.blob, summary };
  }
  const payload = payloadOf(request.head, request.body, request.payload);
  async function* bounded(): AsyncGenerator<Buffer> {
    let sizeBytes = 0;
    for await (const chunk of payload.bytes) {
      sizeBytes += chunk.length;
      if (sizeBytes > sizeBytesMax) throw s3Errors.entityTooLarge(sizeBytes, sizeBytesMax);
      yield chunk;
    }
  }
  // The declared length lets the store choose where the bytes go (small ones ride in the commit).
  const declared = (headerOf(request.head, "x-amz-decoded-content-length") ?? headerOf(request.head, "content-length"))?.trim();
  const hint = declared !== undefined && /^\d{1,16}$/.test(declared) ? { sizeBytesHint: Number(declared) } : undefined;
  // A payload's verdict (a bad digest, a short body) rejects writeBlob with its S3Error, which is the answer.
  const outcome = await context.store.writeBlob(bounded(), hint);
  if (!outcome.ok) throw storageError(context, outcome.failure);
  return { blob: outcome.blob, summary: payload.summary() };
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Buffer> {
  yield bytes;
}

/** The checksum the request declared (the only one summary holds: no extra ones are asked for). */
export function declaredChecksum(summary: PayloadSummary): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const entries = Object.entries(summary.checksums) as [ChecksumAlgorithm, string][];
  const [first] = entries;
  return first === undefined ? undefined : { algorithm: first[0], value: first[1] };
}
