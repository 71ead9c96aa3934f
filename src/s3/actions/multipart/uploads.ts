/**
 * What the multipart actions share: the upload's meta layout (the object's stored headers plus
 * the upload's checksum choice and initiator), finding the request's upload, part numbers, and
 * the multipart ETag.
 */
import { createHash } from "node:crypto";
import type { S3Context, S3Request } from "../../action.js";
import type { ChecksumAlgorithm, ChecksumType } from "../../checksums/index.js";
import { s3Errors } from "../../errors.js";
import type { StoredHeaders } from "../../object-headers.js";
import type { PartMeta } from "../../../storage/objects/object-meta.js";
import type { PartRecord, UploadRecord } from "../../../storage/types.js";
import { requireBucket, requestKey } from "../common.js";

export const partNumberMax = 10000;

/** An upload's meta (UploadRecord.meta): the object's headers, and what only the upload keeps. */
export interface UploadMeta extends StoredHeaders {
  /** x-amz-checksum-algorithm / x-amz-checksum-type at creation: every part then carries that checksum. */
  ChecksumAlgorithm?: ChecksumAlgorithm;
  ChecksumType?: ChecksumType;
  /** The creator: Initiator (ARN) and Owner (account) in the listings. */
  InitiatorArn: string;
  OwnerAccountId: string;
}

export function uploadMetaOf(upload: UploadRecord): UploadMeta {
  return upload.meta as unknown as UploadMeta;
}

export function partMetaOf(part: PartRecord): PartMeta {
  return part.meta as unknown as PartMeta;
}

/** The request's upload (`?uploadId=`) for its key in its bucket: NoSuchBucket, or NoSuchUpload. */
export async function requireUpload(context: S3Context, request: S3Request): Promise<{ bucket: string; key: string; upload: UploadRecord }> {
  const { bucket } = await requireBucket(context, request);
  const key = requestKey(request);
  const uploadId = request.query.get("uploadId") ?? "";
  const upload = uploadId === "" ? undefined : await context.store.getUpload(bucket.Name, uploadId);
  if (upload === undefined || upload.key !== key) throw s3Errors.noSuchUpload(uploadId);
  return { bucket: bucket.Name, key, upload };
}

/** `?partNumber=`: an integer in 1..10000, else InvalidArgument. */
export function partNumberOf(request: S3Request): number {
  const text = request.query.get("partNumber") ?? "";
  const value = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(value >= 1 && value <= partNumberMax)) {
    throw s3Errors.invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", text);
  }
  return value;
}

/** `"<md5 of the concatenated binary md5s of the parts>-<N>"`, from the parts' quoted ETags. */
export function multipartEtag(partEtags: readonly string[]): string {
  const hash = createHash("md5");
  for (const etag of partEtags) hash.update(Buffer.from(etag.replace(/"/g, ""), "hex"));
  return `"${hash.digest("hex")}-${partEtags.length}"`;
}

/** An ETag as a client may send it (with or without quotes), quoted. */
export function quotedEtag(etag: string): string {
  const bare = etag.trim().replace(/^"|"$/g, "");
  return `"${bare}"`;
}

/** The XML element that carries a checksum of `algorithm`: ChecksumCRC32, ChecksumCRC64NVME… */
export function checksumElementName(algorithm: ChecksumAlgorithm): string {
  return `Checksum${algorithm}`;
}
