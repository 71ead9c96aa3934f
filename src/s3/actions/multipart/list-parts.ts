/**
 * ListParts (`GET /bucket/key?uploadId=…`): the upload's parts in part-number order after
 * `part-number-marker`, at most `max-parts` (default and cap 1000), with NextPartNumberMarker to
 * go on from.
 */
import type { S3Action, S3Request } from "../../action.js";
import { s3Errors } from "../../errors.js";
import { isoDate } from "../../headers.js";
import { xmlResponse } from "../../responses.js";
import { xmlDocument, type XmlFields } from "../../xml.js";
import { canonicalUserId } from "../list-buckets.js";
import { checksumElementName, partMetaOf, requireUpload, uploadMetaOf } from "./uploads.js";

export const listPartsMax = 1000;

/** A non-negative integer query parameter, or InvalidArgument in S3's words. */
export function countParameter(request: S3Request, name: string, fallback: number): number {
  const text = request.query.get(name);
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text) || Number(text) > 2147483647 || Number(text) < -2147483648) {
    throw s3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, text);
  }
  const value = Number(text);
  if (value < 0) throw s3Errors.invalidArgument(`Argument ${name} must be an integer between 0 and 2147483647`, name, text);
  return value;
}

export const listParts: S3Action = async (context, request) => {
  const maxParts = Math.min(countParameter(request, "max-parts", listPartsMax), listPartsMax);
  const marker = countParameter(request, "part-number-marker", 0);
  const { bucket, key, upload } = await requireUpload(context, request);
  const meta = uploadMetaOf(upload);
  const after = (await context.store.listParts(bucket, upload.uploadId)).filter((part) => part.partNumber > marker);
  const page = after.slice(0, maxParts);
  const isTruncated = after.length > page.length;
  const parts: XmlFields[] = page.map((part) => {
    const partMeta = partMetaOf(part);
    return {
      PartNumber: part.partNumber,
      LastModified: isoDate(part.lastModifiedMs),
      ETag: partMeta.ETag,
      Size: part.blob.sizeBytes,
      ...(partMeta.Checksum && { [checksumElementName(partMeta.Checksum.algorithm)]: partMeta.Checksum.value }),
    };
  });
  return xmlResponse(
    xmlDocument("ListPartsResult", {
      Bucket: bucket,
      Key: key,
      UploadId: upload.uploadId,
      Initiator: { ID: meta.InitiatorArn },
      Owner: { ID: canonicalUserId(meta.OwnerAccountId) },
      StorageClass: meta.StorageClass ?? "STANDARD",
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length > 0 ? page[page.length - 1]!.partNumber : undefined,
      MaxParts: maxParts,
      IsTruncated: isTruncated,
      Part: parts,
      ChecksumAlgorithm: meta.ChecksumAlgorithm,
      ChecksumType: meta.ChecksumType,
    }),
  );
};
