/**
 * UploadPart (`PUT /bucket/key?partNumber=N&uploadId=…`): the part's bytes streamed into a blob
 * through the payload check (aws-chunked, signatures, Content-MD5, checksums), then committed as
 * the upload's part N (replacing any earlier part N). The part's ETag is its MD5; when the upload
 * was created with a checksum algorithm the part's checksum of that algorithm is kept for the
 * completion (a part declaring another algorithm is refused, as S3 refuses it).
 */
import type { S3Action, S3Context } from "../../action.js";
import { payloadOf } from "../../body/index.js";
import { algorithmOfHeader, checksumAlgorithms, checksumHeaderName, type ChecksumAlgorithm } from "../../checksums/index.js";
import { s3Errors } from "../../errors.js";
import { headerOf } from "../../headers.js";
import type { PartMeta } from "../../../storage/objects/object-meta.js";
import { emptyResponse } from "../../responses.js";
import type { RequestHead } from "../../../protocol/streaming-api.js";
import type { BlobRef } from "../../../storage/types.js";
import { storageError } from "../common.js";
import { partNumberOf, requireUpload, uploadMetaOf } from "./uploads.js";

/** The checksum algorithm a request declares (header or trailer), if any. */
export function declaredChecksumAlgorithm(head: RequestHead): ChecksumAlgorithm | undefined {
  for (const algorithm of checksumAlgorithms) {
    if (headerOf(head, checksumHeaderName(algorithm)) !== undefined) return algorithm;
  }
  const trailer = headerOf(head, "x-amz-trailer");
  return trailer === undefined ? undefined : algorithmOfHeader(trailer.trim().replace(/,$/, ""));
}

/** The length the request says its payload has (decoded, for aws-chunked), if it says. */
function declaredLengthBytes(head: RequestHead): number | undefined {
  const text = headerOf(head, "x-amz-decoded-content-length") ?? headerOf(head, "content-length");
  return text !== undefined && /^\d{1,16}$/.test(text.trim()) ? Number(text.trim()) : undefined;
}

/** Checks a checksum choice against the upload's: the same algorithm, or none declared. */
export function checkPartAlgorithm(uploadAlgorithm: ChecksumAlgorithm | undefined, declared: ChecksumAlgorithm | undefined): void {
  if (uploadAlgorithm === undefined || declared === undefined || declared === uploadAlgorithm) return;
  throw s3Errors.invalidRequest(
    `Checksum Type mismatch occurred, expected checksum Type: ${uploadAlgorithm.toLowerCase()}, actual checksum Type: ${declared.toLowerCase()}`,
  );
}

/** Bytes passed through, refused with EntityTooLarge past `bytesMax`. */
export async function* bounded(source: AsyncIterable<Buffer>, bytesMax: number): AsyncGenerator<Buffer> {
  let sizeBytes = 0;
  for await (const chunk of source) {
    sizeBytes += chunk.length;
    if (sizeBytes > bytesMax) throw s3Errors.entityTooLarge(sizeBytes, bytesMax);
    yield chunk;
  }
}

/** Commits a written blob as part `partNumber`, releasing the blob if the upload is gone meanwhile. */
export async function commitPart(context: S3Context, bucket: string, uploadId: string, partNumber: number, blob: BlobRef, meta: PartMeta): Promise<number> {
  const lastModifiedMs = context.clock.nowMs();
  const outcome = await context.store.putPart(bucket, uploadId, { partNumber, blob, lastModifiedMs, meta: { ...meta } });
  if (outcome.ok) return lastModifiedMs;
  await context.store.discardBlob(blob);
  // An upload aborted or completed while the part streamed in.
  if ((await context.store.getUpload(bucket, uploadId)) === undefined) throw s3Errors.noSuchUpload(uploadId);
  throw storageError(context, outcome.failure);
}

export const uploadPart: S3Action = async (context, request) => {
  const partNumber = partNumberOf(request);
  const { bucket, upload } = await requireUpload(context, request);
  const { partBytesMax } = context.options;
  const declaredBytes = declaredLengthBytes(request.head);
  if (declaredBytes !== undefined && declaredBytes > partBytesMax) throw s3Errors.entityTooLarge(declaredBytes, partBytesMax);
  const uploadAlgorithm = uploadMetaOf(upload).ChecksumAlgorithm;
  const declared = declaredChecksumAlgorithm(request.head);
  checkPartAlgorithm(uploadAlgorithm, declared);
  const payload = payloadOf(request.head, request.body, request.payload, uploadAlgorithm ? { computeChecksums: [uploadAlgorithm] } : {});
  const written = await context.store.writeBlob(bounded(payload.bytes, partBytesMax), declaredBytes === undefined ? undefined : { sizeBytesHint: declaredBytes });
  if (!written.ok) throw storageError(context, written.failure);
  const summary = payload.summary();
  const etag = `"${summary.md5Hex}"`;
  const kept = uploadAlgorithm ?? declared;
  const checksum = kept === undefined ? undefined : summary.checksums[kept];
  const meta: PartMeta = { ETag: etag, ...(uploadAlgorithm && checksum !== undefined && { Checksum: { algorithm: uploadAlgorithm, value: checksum } }) };
  await commitPart(context, bucket, upload.uploadId, partNumber, written.blob, meta);
  const headers: Record<string, string> = { etag };
  if (kept !== undefined && checksum !== undefined) headers[checksumHeaderName(kept)] = checksum;
  return emptyResponse(200, headers);
};
