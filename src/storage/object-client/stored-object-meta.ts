/**
 * The part of the S3 service's object layout (src/s3/object-meta.ts, ObjectMeta: what it keeps in
 * ObjectRecord.meta) that the local object client writes and reads. Storage sits below the services
 * and may not import src/s3, so the names are repeated here; test/e2e/object-client-s3-service.test.ts
 * checks that the S3 service reads what this writes (ETag, Content-Type, Content-Encoding, metadata).
 */
export interface StoredObjectMeta {
  /** Quoted MD5 hex: `"<md5>"` (`"<md5 of md5s>-<N>"` for an object the S3 service assembled from parts). */
  ETag: string;
  ContentType?: string;
  ContentEncoding?: string;
  /** User metadata, names lowercased (x-amz-meta-* without the prefix). */
  Metadata?: Record<string, string>;
}

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
