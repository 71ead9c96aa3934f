/**
 * The internal object client: how the services that deliver to S3 (Firehose, Lambda, Analytics)
 * write and read objects — directly through storage.objects (local-object-client.ts), or through
 * @aws-sdk/client-s3 to an external S3-compatible endpoint (external-object-client.ts), never over
 * HTTP to this server. Both answer outcomes as values; a failure carries S3's error code (the
 * external endpoint's, preserved) and a message.
 *
 * ETags are quoted, as S3 sends them (`"<md5 hex>"`). A ranged read's `sizeBytes` is the length of
 * the range returned, as GetObject's Content-Length is.
 */
export type Failure = { ok: false; code: string; message: string };

export interface PutObjectInput {
  Bucket: string;
  Key: string;
  Body: Buffer | AsyncIterable<Uint8Array>;
  ContentType?: string;
  ContentEncoding?: string;
  /** User metadata (`x-amz-meta-*`); names are stored lowercased, as S3 does. */
  Metadata?: Record<string, string>;
}

export interface GetObjectInput {
  Bucket: string;
  Key: string;
  Range?: { startByte: number; endByteInclusive: number };
}

export interface GotObject {
  ok: true;
  body: AsyncIterable<Buffer>;
  sizeBytes: number;
  ETag: string;
  ContentType?: string;
  Metadata?: Record<string, string>;
}

export interface ListObjectsInput {
  Bucket: string;
  Prefix?: string;
  /** Keys after this one (exclusive): the last key of the previous page, to read on. */
  StartAfter?: string;
  /** At most 1,000, as ListObjectsV2 (default 1,000). */
  MaxKeys?: number;
}

export interface ListedObject {
  Key: string;
  sizeBytes: number;
  ETag: string;
  lastModifiedMs: number;
}

export interface ObjectClient {
  putObject(input: PutObjectInput): Promise<{ ok: true; ETag: string } | Failure>;
  getObject(input: GetObjectInput): Promise<GotObject | { ok: false; code: "NoSuchBucket" | "NoSuchKey" | string; message: string }>;
  listObjects(input: ListObjectsInput): Promise<{ ok: true; objects: ListedObject[]; isTruncated: boolean } | Failure>;
  /** Deleting an absent key is a success, as in S3. */
  deleteObject(input: { Bucket: string; Key: string }): Promise<{ ok: true } | Failure>;
  /** Creates the bucket unless the account already owns it (another account's: BucketAlreadyExists). */
  ensureBucket(input: { Bucket: string; accountId: string }): Promise<{ ok: true } | Failure>;
}

/** Where an external S3-compatible endpoint is (`--s3-endpoint` and its options). */
export interface S3EndpointConfig {
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** `--firehose-ca-file`: PEM certificates trusted besides Node's own list, for an endpoint with a private CA. */
  trustedCaPem?: string;
}

/** ListObjectsV2's page size bound. */
export const listKeysMax = 1000;
/** S3's key length bound, in UTF-8 bytes. */
export const keyBytesMax = 1024;
