/**
 * The part of the stored object layout (src/storage/objects/object-meta.ts, which the S3 service
 * reads and writes) that the local object client writes and reads;
 * test/e2e/object-client-s3-service.test.ts checks that the S3 service reads what this writes.
 */
import type { ObjectMeta } from "../objects/object-meta.js";

export type StoredObjectMeta = Pick<ObjectMeta, "ETag" | "ContentType" | "ContentEncoding" | "Metadata">;

export function storedObjectMeta(etag: string, input: { ContentType?: string; ContentEncoding?: string; Metadata?: Record<string, string> }): StoredObjectMeta {
  const meta: StoredObjectMeta = { ETag: etag };
  if (input.ContentType !== undefined) meta.ContentType = input.ContentType;
  if (input.ContentEncoding !== undefined) meta.ContentEncoding = input.ContentEncoding;
  if (input.Metadata !== undefined && Object.keys(input.Metadata).length > 0) {
    meta.Metadata = Object.fromEntries(Object.entries(input.Metadata).map(([name, value]) => [name.toLowerCase(), value]));
  }
  return meta;
}

/** Reads the layout back from a record written by this client or by the S3 service (which keeps more). */
export function readStoredObjectMeta(meta: Readonly<Record<string, unknown>>): StoredObjectMeta {
  const read: StoredObjectMeta = { ETag: typeof meta.ETag === "string" ? meta.ETag : '""' };
  if (typeof meta.ContentType === "string") read.ContentType = meta.ContentType;
  if (typeof meta.ContentEncoding === "string") read.ContentEncoding = meta.ContentEncoding;
  if (meta.Metadata !== null && typeof meta.Metadata === "object") read.Metadata = { ...(meta.Metadata as Record<string, string>) };
  return read;
}
