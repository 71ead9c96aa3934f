/**
 * The layout of a stored object's `meta` (ObjectRecord.meta), a multipart upload's (UploadRecord.meta)
 * and a part's (PartRecord.meta), as the S3 service writes and reads them: the headers it
 * round-trips and what it computed. The store never looks inside; it lives here, beside the store,
 * because two writers share it — the S3 service (src/s3) and the services' object client
 * (src/storage/object-client), whose objects the S3 API must read.
 */

/** The checksums S3 keeps with an object (src/s3/checksums computes them). */
export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";

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
