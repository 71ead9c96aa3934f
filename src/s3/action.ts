/**
 * What every S3 action is: a function from the routed request to the answer. The router
 * (src/s3/router.ts) resolves the bucket and key from the path or the virtual host, names the
 * action from the method and the query's subresources, authenticates (src/s3/auth), authorizes
 * (src/s3/authorize.ts) and calls the action from the registry (src/s3/actions/index.ts).
 */
import type { Readable } from "node:stream";
import type { Principal } from "../auth/principal.js";
import type { RequestHead, StreamedResponse } from "../protocol/streaming-api.js";
import type { ObjectStore } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { Random } from "../util/random.js";
import type { Logger } from "../util/logger.js";
import type { PayloadSigning } from "./auth/index.js";

/** The S3 service's options (`config.s3`); every field has a default. */
export interface S3Options {
  /** The largest single PUT (S3's: 5 GiB). */
  objectBytesMax?: number;
  /** The largest part of a multipart upload (S3's: 5 GiB) and the smallest non-final one (5 MiB). */
  partBytesMax?: number;
  partBytesMin?: number;
}

export interface S3Context {
  store: ObjectStore;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The server's region: LocationConstraint, ARNs, credential scopes. */
  region: string;
  options: Required<S3Options>;
}

export interface S3Request {
  head: RequestHead;
  /** A fresh id per request: x-amz-request-id and <RequestId>. */
  requestId: string;
  /** The bucket named by the virtual host or the path's first segment (decoded); undefined for the service (ListBuckets). */
  bucket?: string;
  /** The object key (percent-decoded, any UTF-8), when the request names one. */
  key?: string;
  /** The decoded query parameters; a subresource without a value (`?uploads`) maps to "". */
  query: ReadonlyMap<string, string>;
  principal: Principal;
  /** How the body's integrity is checked (src/s3/body `payloadOf(head, body, payload)`). */
  payload: PayloadSigning;
  /** The raw body, a stream or (a small one of declared length) a Buffer read whole: actions that take one read it through payloadOf; others leave it. */
  body: Readable | Buffer;
}

export type S3Action = (context: S3Context, request: S3Request) => Promise<StreamedResponse>;

/** Every action the router names, by its S3 API name. */
export type S3ActionName =
  | "ListBuckets" | "CreateBucket" | "DeleteBucket" | "HeadBucket" | "GetBucketLocation"
  | "GetBucketPolicy" | "PutBucketPolicy" | "DeleteBucketPolicy"
  | "PutObject" | "GetObject" | "HeadObject" | "DeleteObject" | "DeleteObjects" | "CopyObject"
  | "ListObjects" | "ListObjectsV2"
  | "CreateMultipartUpload" | "UploadPart" | "UploadPartCopy" | "CompleteMultipartUpload"
  | "AbortMultipartUpload" | "ListParts" | "ListMultipartUploads"
  | "GetObjectTagging" | "PutObjectTagging" | "DeleteObjectTagging";
