/**
 * ListMultipartUploads (`GET /bucket?uploads`): uploads in progress in key order (then initiation
 * order), after `key-marker` (and, for that key, after `upload-id-marker`), under `prefix`, with
 * keys containing `delimiter` after the prefix rolled up into CommonPrefixes; at most
 * `max-uploads` (default and cap 1000) entries.
 */
import type { S3Action } from "../../action.js";
import { isoDate } from "../../headers.js";
import { xmlResponse } from "../../responses.js";
import type { UploadRecord } from "../../../storage/types.js";
import { xmlDocument } from "../../xml.js";
import { requireBucket } from "../common.js";
import { canonicalUserId } from "../list-buckets.js";
import { commonPrefixOf, s3UrlEncode } from "../list-objects.js";
import { s3Errors } from "../../errors.js";
import { countParameter } from "./list-parts.js";
import { uploadMetaOf } from "./uploads.js";

export const listUploadsMax = 1000;

export interface UploadsInput {
  prefix: string;
  delimiter?: string;
  keyMarker?: string;
  uploadIdMarker?: string;
  maxUploads: number;
}

export interface UploadsPage {
  uploads: UploadRecord[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

/** One page of uploads from the bucket's uploads (sorted by key, then initiation). */
export function uploadsPage(all: readonly UploadRecord[], input: UploadsInput): UploadsPage {
  const { prefix, keyMarker, uploadIdMarker, maxUploads } = input;
  const delimiter = input.delimiter || undefined;
  const page: UploadsPage = { uploads: [], commonPrefixes: [], isTruncated: false };
  // After the marker key; with upload-id-marker, after that upload of the marker key (the order
  // NextUploadIdMarker was given in), or after the whole key when that upload is gone.
  let start = 0;
  if (keyMarker) {
    const markerIndex = uploadIdMarker ? all.findIndex((upload) => upload.key === keyMarker && upload.uploadId === uploadIdMarker) : -1;
    start = markerIndex >= 0 ? markerIndex + 1 : firstAfterKey(all, keyMarker);
  }
  const markerPrefix = keyMarker === undefined ? undefined : commonPrefixOf(keyMarker, prefix, delimiter);
  let count = 0;
  for (let index = start; index < all.length; index++) {
    const upload = all[index]!;
    if (!upload.key.startsWith(prefix)) continue;
    const common = commonPrefixOf(upload.key, prefix, delimiter);
    if (common !== undefined && (common === markerPrefix || common === page.commonPrefixes[page.commonPrefixes.length - 1])) continue;
    if (count === maxUploads) {
      page.isTruncated = true;
      return page;
    }
    count++;
    if (common !== undefined) {
      page.commonPrefixes.push(common);
      page.nextKeyMarker = common;
      page.nextUploadIdMarker = undefined;
    } else {
      page.uploads.push(upload);
      page.nextKeyMarker = upload.key;
      page.nextUploadIdMarker = upload.uploadId;
    }
  }
  return page;
}

function firstAfterKey(all: readonly UploadRecord[], key: string): number {
  const keyBytes = Buffer.from(key, "utf8");
  const index = all.findIndex((upload) => Buffer.compare(Buffer.from(upload.key, "utf8"), keyBytes) > 0);
  return index < 0 ? all.length : index;
}

export const listMultipartUploads: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  const maxUploads = Math.min(countParameter(request, "max-uploads", listUploadsMax), listUploadsMax);
  const encodingType = request.query.get("encoding-type");
  if (encodingType !== undefined && encodingType.toLowerCase() !== "url") {
    throw s3Errors.invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encodingType);
  }
  const encode = encodingType === undefined ? (text: string) => text : s3UrlEncode;
  const prefix = request.query.get("prefix") ?? "";
  const delimiter = request.query.get("delimiter") || undefined;
  const keyMarker = request.query.get("key-marker") || undefined;
  const uploadIdMarker = request.query.get("upload-id-marker") || undefined;
  const all = await context.store.listUploads(bucket.Name);
  const page = uploadsPage(all, {
    prefix,
    ...(delimiter && { delimiter }),
    ...(keyMarker && { keyMarker }),
    ...(keyMarker && uploadIdMarker && { uploadIdMarker }),
    maxUploads,
  });
  return xmlResponse(
    xmlDocument("ListMultipartUploadsResult", {
      Bucket: bucket.Name,
      KeyMarker: encode(keyMarker ?? ""),
      UploadIdMarker: uploadIdMarker ?? "",
      NextKeyMarker: page.isTruncated ? encode(page.nextKeyMarker ?? "") : undefined,
      NextUploadIdMarker: page.isTruncated ? (page.nextUploadIdMarker ?? "") : undefined,
      Delimiter: delimiter && encode(delimiter),
      Prefix: prefix ? encode(prefix) : undefined,
      MaxUploads: maxUploads,
      EncodingType: encodingType === undefined ? undefined : "url",
      IsTruncated: page.isTruncated,
      Upload: page.uploads.map((upload) => {
        const meta = uploadMetaOf(upload);
        return {
          Key: encode(upload.key),
          UploadId: upload.uploadId,
          Initiator: { ID: meta.InitiatorArn },
          Owner: { ID: canonicalUserId(meta.OwnerAccountId) },
          StorageClass: meta.StorageClass ?? "STANDARD",
          Initiated: isoDate(upload.initiatedMs),
          ChecksumAlgorithm: meta.ChecksumAlgorithm,
          ChecksumType: meta.ChecksumType,
        };
      }),
      CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
    }),
  );
};
