/**
 * UploadPartCopy (`PUT /bucket/key?partNumber=N&uploadId=…` with `x-amz-copy-source`): part N's
 * bytes are read from an existing object — all of it, or `x-amz-copy-source-range: bytes=first-last`
 * — into a new blob (a part is one blob, so a range is copied, not shared), with its MD5 and the
 * upload's checksum computed as the bytes pass.
 */
import { createHash } from "node:crypto";
import type { S3Action } from "../../action.js";
import { createChecksum } from "../../checksums/index.js";
import { copySourceObject } from "../../copy-source.js";
import { s3Errors } from "../../errors.js";
import { headerOf, isoDate } from "../../headers.js";
import type { PartMeta } from "../../../storage/objects/object-meta.js";
import { xmlResponse } from "../../responses.js";
import { xmlDocument } from "../../xml.js";
import { objectBytes, storageError } from "../common.js";
import { commitPart } from "./upload-part.js";
import { checksumElementName, partNumberOf, requireUpload, uploadMetaOf } from "./uploads.js";

/** `bytes=first-last` within an object of `sizeBytes`, as [start, end exclusive]; the whole object when absent. */
export function copySourceRangeOf(text: string | undefined, sizeBytes: number): [number, number] {
  if (text === undefined) return [0, sizeBytes];
  const match = /^bytes=(\d{1,16})-(\d{1,16})$/.exec(text.trim());
  if (!match) {
    throw s3Errors.invalidArgument(
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      "x-amz-copy-source-range",
      text,
    );
  }
  const first = Number(match[1]);
  const last = Number(match[2]);
  if (first > last || last >= sizeBytes) {
    throw s3Errors.invalidArgument(`Range specified is not valid for source object of size: ${sizeBytes}`, "x-amz-copy-source-range", text);
  }
  return [first, last + 1];
}

export const uploadPartCopy: S3Action = async (context, request) => {
  const partNumber = partNumberOf(request);
  const { bucket, upload } = await requireUpload(context, request);
  const { object } = await copySourceObject(context, request);
  const [start, end] = copySourceRangeOf(headerOf(request.head, "x-amz-copy-source-range"), object.record.sizeBytes);
  const { partBytesMax } = context.options;
  if (end - start > partBytesMax) throw s3Errors.entityTooLarge(end - start, partBytesMax);
  const algorithm = uploadMetaOf(upload).ChecksumAlgorithm;
  const md5 = createHash("md5");
  const checksum = algorithm && createChecksum(algorithm);
  async function* bytes(): AsyncGenerator<Buffer> {
    for await (const chunk of objectBytes(context, object.record, start, end)) {
      md5.update(chunk);
      checksum?.update(chunk);
      yield chunk;
    }
  }
  const written = await context.store.writeBlob(bytes(), { sizeBytesHint: end - start });
  if (!written.ok) throw storageError(context, written.failure);
  const etag = `"${md5.digest("hex")}"`;
  const value = checksum && (await checksum.digest()).toString("base64");
  const meta: PartMeta = { ETag: etag, ...(algorithm && value !== undefined && { Checksum: { algorithm, value } }) };
  const lastModifiedMs = await commitPart(context, bucket, upload.uploadId, partNumber, written.blob, meta);
  return xmlResponse(
    xmlDocument("CopyPartResult", {
      LastModified: isoDate(lastModifiedMs),
      ETag: etag,
      ...(algorithm && value !== undefined && { [checksumElementName(algorithm)]: value }),
    }),
  );
};
