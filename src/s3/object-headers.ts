/**
 * The headers an object keeps and answers with: from a PUT (PutObject, CopyObject with REPLACE,
 * CreateMultipartUpload) into ObjectMeta, and from ObjectMeta onto GetObject and HeadObject.
 */
import type { RequestHead } from "../protocol/streaming-api.js";
import type { ObjectRecord } from "../storage/types.js";
import { s3Errors, userMetadataBytesMax } from "./errors.js";
import { headerOf, httpDate } from "./headers.js";
import { storedContentEncoding } from "./body/index.js";
import type { ObjectMeta } from "../storage/objects/object-meta.js";
import { parseTaggingHeader } from "./tagging.js";

/** What S3 stores as the content type when the client sent none. */
export const defaultContentType = "binary/octet-stream";
const metadataPrefix = "x-amz-meta-";

/** The stored headers of a write: the standard ones, `x-amz-meta-*` (names lowercased) and `x-amz-tagging`. */
export type StoredHeaders = Omit<ObjectMeta, "ETag" | "Checksum" | "PartsCount" | "PartSizesBytes">;

export function storedHeadersOf(head: RequestHead, options: { tagging?: boolean } = {}): StoredHeaders {
  const stored: { -readonly [K in keyof StoredHeaders]: StoredHeaders[K] } = {};
  stored.ContentType = headerOf(head, "content-type") ?? defaultContentType;
  const contentEncoding = storedContentEncoding(head);
  if (contentEncoding !== undefined) stored.ContentEncoding = contentEncoding;
  const optional: [keyof StoredHeaders, string][] = [
    ["ContentDisposition", "content-disposition"],
    ["ContentLanguage", "content-language"],
    ["CacheControl", "cache-control"],
    ["Expires", "expires"],
  ];
  for (const [field, header] of optional) {
    const value = headerOf(head, header);
    if (value !== undefined) (stored as Record<string, unknown>)[field] = value;
  }
  const storageClass = headerOf(head, "x-amz-storage-class");
  if (storageClass !== undefined && storageClass !== "STANDARD") stored.StorageClass = storageClass;
  const metadata = metadataOf(head);
  if (metadata !== undefined) stored.Metadata = metadata;
  const tagging = options.tagging === false ? undefined : headerOf(head, "x-amz-tagging");
  if (tagging !== undefined) {
    const tags = parseTaggingHeader(tagging);
    if (tags.length > 0) stored.Tags = tags;
  }
  return stored;
}

/** `x-amz-meta-*` headers, within S3's 2 KB (MetadataTooLarge). */
function metadataOf(head: RequestHead): Record<string, string> | undefined {
  let metadata: Record<string, string> | undefined;
  let sizeBytes = 0;
  for (const name of Object.keys(head.headers)) {
    if (!name.startsWith(metadataPrefix)) continue;
    const value = headerOf(head, name) ?? "";
    const key = name.slice(metadataPrefix.length);
    metadata ??= {};
    metadata[key] = value;
    sizeBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (sizeBytes > userMetadataBytesMax) throw s3Errors.metadataTooLarge(sizeBytes);
  return metadata;
}

/** The headers GetObject and HeadObject answer with for an object (before any response-* override). */
export function objectHeaders(record: ObjectRecord): Record<string, string> {
  const meta = record.meta as unknown as ObjectMeta;
  const headers: Record<string, string> = {
    "accept-ranges": "bytes",
    "last-modified": httpDate(record.lastModifiedMs),
    etag: meta.ETag,
    "content-type": meta.ContentType ?? defaultContentType,
  };
  if (meta.ContentEncoding !== undefined) headers["content-encoding"] = meta.ContentEncoding;
  if (meta.ContentDisposition !== undefined) headers["content-disposition"] = meta.ContentDisposition;
  if (meta.ContentLanguage !== undefined) headers["content-language"] = meta.ContentLanguage;
  if (meta.CacheControl !== undefined) headers["cache-control"] = meta.CacheControl;
  if (meta.Expires !== undefined) headers["expires"] = meta.Expires;
  if (meta.StorageClass !== undefined) headers["x-amz-storage-class"] = meta.StorageClass;
  for (const [name, value] of Object.entries(meta.Metadata ?? {})) headers[metadataPrefix + name] = value;
  if (meta.Tags !== undefined && meta.Tags.length > 0) headers["x-amz-tagging-count"] = String(meta.Tags.length);
  return headers;
}
