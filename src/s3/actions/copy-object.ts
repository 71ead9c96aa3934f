/**
 * CopyObject: a new record naming the source's blobs (no byte is copied; the store keeps a blob
 * while any record names it). `x-amz-metadata-directive` COPY (default) keeps the source's
 * headers and metadata, REPLACE takes the request's; `x-amz-tagging-directive` likewise for tags.
 * Copying an object onto itself changing nothing is InvalidRequest. The copy keeps the source's
 * ETag and checksum (its bytes are the same); S3 answers CopyObjectResult in a 200.
 */
import type { S3Action } from "../action.js";
import { copySourceObject } from "../copy-source.js";
import { s3Errors } from "../errors.js";
import { headerOf, isoDate } from "../headers.js";
import type { ObjectMeta } from "../../storage/objects/object-meta.js";
import { storedHeadersOf } from "../object-headers.js";
import { xmlResponse } from "../responses.js";
import { parseTaggingHeader } from "../tagging.js";
import { xmlDocument } from "../xml.js";
import { metaOf, requestKey, requireBucket, storageError } from "./common.js";

/** S3's largest CopyObject source: 5 GiB (larger objects are copied part by part with UploadPartCopy). */
export const copySourceBytesMax = 5 * 1024 * 1024 * 1024;

export const copyObject: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  const key = requestKey(request);
  const metadataDirective = directiveOf(headerOf(request.head, "x-amz-metadata-directive"), "x-amz-metadata-directive");
  const taggingDirective = directiveOf(headerOf(request.head, "x-amz-tagging-directive"), "x-amz-tagging-directive");
  const { source, object } = await copySourceObject(context, request);
  const sourceMeta = metaOf(object.record);
  if (source.bucket === bucket.Name && source.key === key && metadataDirective === "COPY" && headerOf(request.head, "x-amz-storage-class") === undefined) {
    throw s3Errors.copyOntoItself();
  }
  if (object.record.sizeBytes > copySourceBytesMax) {
    throw s3Errors.invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${copySourceBytesMax}`);
  }
  const { ETag, Checksum, PartsCount, PartSizesBytes, Tags: sourceTags } = sourceMeta;
  const headers = metadataDirective === "REPLACE" ? storedHeadersOf(request.head, { tagging: false }) : withoutTags(sourceMeta);
  const taggingHeader = headerOf(request.head, "x-amz-tagging");
  const tags = taggingDirective === "REPLACE" ? (taggingHeader === undefined ? [] : parseTaggingHeader(taggingHeader)) : sourceTags ?? [];
  const meta: ObjectMeta = {
    ...headers,
    ETag,
    ...(tags.length > 0 && { Tags: tags }),
    ...(Checksum !== undefined && { Checksum }),
    ...(PartsCount !== undefined && { PartsCount }),
    ...(PartSizesBytes !== undefined && { PartSizesBytes }),
  };
  const lastModifiedMs = context.clock.nowMs();
  const outcome = await context.store.putObject(bucket.Name, key, { blobs: object.record.blobs, sizeBytes: object.record.sizeBytes, lastModifiedMs, meta: meta as unknown as Record<string, unknown> });
  if (!outcome.ok) {
    // The source was replaced or deleted between the read and the commit, releasing its blobs.
    if (outcome.failure.gone === "blob" && (await context.store.getObject(source.bucket, source.key))?.revision !== object.revision) throw s3Errors.noSuchKey(source.key);
    throw storageError(context, outcome.failure, bucket.Name);
  }
  const result = {
    ETag,
    LastModified: isoDate(lastModifiedMs),
    ...(Checksum !== undefined && { ChecksumType: Checksum.type, [`Checksum${Checksum.algorithm}`]: Checksum.value }),
  };
  return xmlResponse(xmlDocument("CopyObjectResult", result));
};

function directiveOf(value: string | undefined, header: string): "COPY" | "REPLACE" {
  if (value === undefined || value === "COPY") return "COPY";
  if (value === "REPLACE") return "REPLACE";
  throw s3Errors.invalidArgument(header === "x-amz-metadata-directive" ? "Unknown metadata directive." : "Unknown tagging directive.", header, value);
}

function withoutTags(meta: ObjectMeta): Omit<ObjectMeta, "ETag" | "Tags" | "Checksum" | "PartsCount" | "PartSizesBytes"> {
  const { ETag: _etag, Tags: _tags, Checksum: _checksum, PartsCount: _parts, PartSizesBytes: _sizes, ...headers } = meta;
  return headers;
}
