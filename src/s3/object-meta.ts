/**
 * What the S3 service keeps in a stored object's `meta` (storage ObjectRecord.meta) and a
 * multipart upload's (UploadRecord.meta): the headers it round-trips and what it computed.
 * One layout for every action that writes or reads objects.
 */
import type { ChecksumAlgorithm } from "./body/index.js";

export interface ObjectMeta {
  /** Quoted, as S3 sends it: `"<md5 hex>"`, or `"<md5 of the parts' md5s>-<N>"` for a multipart object. */
  ETag: string;
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  /** The Expires header as sent. */
  Expires?: string;
  /** `x-amz-meta-*` headers, names lowercased without the prefix. */
  Metadata?: Record<string, string>;
  /** Object tags, in the order given. */
  Tags?: { Key: string; Value: string }[];
  /** The checksum the object was stored with, if any: algorithm, base64 value, and FULL_OBJECT or COMPOSITE. */
  Checksum?: { algorithm: ChecksumAlgorithm; value: string; type: "FULL_OBJECT" | "COMPOSITE" };
  /** A multipart object's part count, and each part's size (for GetObject's partNumber). */
  PartsCount?: number;
  PartSizesBytes?: number[];
  StorageClass?: string;
}

/** A part's meta (PartRecord.meta). */
export interface PartMeta {
  ETag: string;
  Checksum?: { algorithm: ChecksumAlgorithm; value: string };
}
