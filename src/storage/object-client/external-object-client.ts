/**
 * The object client against an external S3-compatible endpoint (`--s3-endpoint`), through
 * @aws-sdk/client-s3. A Buffer, or a stream that ends within one part's bytes, goes up as a single
 * PutObject of known length (ETag: the MD5); a longer stream goes up as a multipart upload of
 * `partBytes` parts, each held in memory only while it is sent (ETag: the endpoint's multipart one),
 * aborted if any step fails. Errors keep the endpoint's S3 code (NoSuchKey, AccessDenied…); a
 * request that got no answer carries the network error's code (ECONNREFUSED…).
 *
 * Checksums are sent and checked only where S3 requires them: third-party endpoints (s3rver, older
 * MinIO) do not all accept the SDK's default aws-chunked trailers.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { rootCertificates } from "node:tls";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import { listKeysMax, type Failure, type ObjectClient, type PutObjectInput, type S3EndpointConfig } from "./object-client.js";

/** Parts of a multipart upload (S3's least is 5 MiB, except the last). */
export const partBytes = 8 * 1024 * 1024;
/** Connections kept open to the endpoint. */
const socketsMax = 64;

export function externalObjectClient(config: S3EndpointConfig): ObjectClient {
  const s3 = new S3Client({
    endpoint: config.url,
    region: config.region,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    forcePathStyle: config.forcePathStyle,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: socketsMax }),
      // Node's `ca` replaces its own list, so the extra certificates are added to it.
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: socketsMax, ...(config.trustedCaPem !== undefined && { ca: [...rootCertificates, config.trustedCaPem] }) }),
    },
  });

  return {
    async putObject(input) {
      try {
        if (Buffer.isBuffer(input.Body)) return { ok: true, ETag: await putWhole(s3, input, input.Body) };
        const iterator = input.Body[Symbol.asyncIterator]();
        const first = await takeBytes(iterator, partBytes);
        if (first.ended) return { ok: true, ETag: await putWhole(s3, input, first.bytes) };
        return await putInParts(s3, input, first.bytes, iterator);
      } catch (error) {
        return failureOf(error);
      }
    },

    async getObject(input) {
      try {
        const range = input.Range === undefined ? undefined : `bytes=${input.Range.startByte}-${input.Range.endByteInclusive}`;
        const got = await s3.send(new GetObjectCommand({ Bucket: input.Bucket, Key: input.Key, ...(range !== undefined ? { Range: range } : {}) }));
        return {
          ok: true,
          body: got.Body as AsyncIterable<Buffer>,
          sizeBytes: got.ContentLength ?? 0,
          ETag: got.ETag ?? '""',
          ...(got.ContentType !== undefined ? { ContentType: got.ContentType } : {}),
          ...(got.Metadata !== undefined && Object.keys(got.Metadata).length > 0 ? { Metadata: got.Metadata } : {}),
        };
      } catch (error) {
        return failureOf(error);
      }
    },

    async listObjects(input) {
      try {
        // ListObjects (v1): its Marker is StartAfter, and every S3-compatible endpoint answers it. s3rver
        // fails a truncated ListObjectsV2 on Node ≥ 17 (its continuation token is DES-encrypted, which
        // OpenSSL 3 leaves out unless node runs with --openssl-legacy-provider).
        const listed = await s3.send(
          new ListObjectsCommand({
            Bucket: input.Bucket,
            MaxKeys: Math.max(0, Math.min(input.MaxKeys ?? listKeysMax, listKeysMax)),
            ...(input.Prefix !== undefined ? { Prefix: input.Prefix } : {}),
            ...(input.StartAfter !== undefined ? { Marker: input.StartAfter } : {}),
          }),
        );
        const objects = (listed.Contents ?? []).map((object) => ({
          Key: object.Key ?? "",
          sizeBytes: object.Size ?? 0,
          ETag: object.ETag ?? '""',
          lastModifiedMs: object.LastModified?.getTime() ?? 0,
        }));
        return { ok: true, objects, isTruncated: listed.IsTruncated === true };
      } catch (error) {
        return failureOf(error);
      }
    },

    async deleteObject(input) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: input.Bucket, Key: input.Key }));
        return { ok: true };
      } catch (error) {
        return failureOf(error);
      }
    },

    async ensureBucket(input) {
      try {
        const location = config.region === "us-east-1" ? {} : { CreateBucketConfiguration: { LocationConstraint: config.region as never } };
        await s3.send(new CreateBucketCommand({ Bucket: input.Bucket, ...location }));
        return { ok: true };
      } catch (error) {
        const failure = failureOf(error);
        if (failure.code === "BucketAlreadyOwnedByYou") return { ok: true };
        // Some endpoints (s3rver) answer BucketAlreadyExists for their own bucket too: ours if we may use it.
        if (failure.code === "BucketAlreadyExists") {
          try {
            await s3.send(new HeadBucketCommand({ Bucket: input.Bucket }));
            return { ok: true };
          } catch {
            return failure;
          }
        }
        return failure;
      }
    },
  };
}

async function putWhole(s3: S3Client, input: PutObjectInput, body: Buffer): Promise<string> {
  const put = await s3.send(new PutObjectCommand({ ...objectFields(input), Body: body, ContentLength: body.length }));
  return put.ETag ?? '""';
}

async function putInParts(s3: S3Client, input: PutObjectInput, first: Buffer, rest: AsyncIterator<Uint8Array>): Promise<{ ok: true; ETag: string } | Failure> {
  const created = await s3.send(new CreateMultipartUploadCommand(objectFields(input)));
  const { UploadId } = created;
  if (UploadId === undefined) return { ok: false, code: "InternalError", message: "CreateMultipartUpload answered no UploadId" };
  const target = { Bucket: input.Bucket, Key: input.Key, UploadId };
  try {
    const parts: CompletedPart[] = [];
    let next = { bytes: first, ended: false };
    for (let PartNumber = 1; ; PartNumber++) {
      const part = await s3.send(new UploadPartCommand({ ...target, PartNumber, Body: next.bytes, ContentLength: next.bytes.length }));
      parts.push({ PartNumber, ETag: part.ETag });
      if (next.ended) break;
      next = await takeBytes(rest, partBytes);
      if (next.bytes.length === 0) break;
    }
    const completed = await s3.send(new CompleteMultipartUploadCommand({ ...target, MultipartUpload: { Parts: parts } }));
    return { ok: true, ETag: completed.ETag ?? '""' };
  } catch (error) {
    await s3.send(new AbortMultipartUploadCommand(target)).catch(() => undefined);
    throw error;
  }
}

function objectFields(input: PutObjectInput) {
  return {
    Bucket: input.Bucket,
    Key: input.Key,
    ...(input.ContentType !== undefined ? { ContentType: input.ContentType } : {}),
    ...(input.ContentEncoding !== undefined ? { ContentEncoding: input.ContentEncoding } : {}),
    ...(input.Metadata !== undefined ? { Metadata: input.Metadata } : {}),
  };
}

/** At least `bytesMin` bytes from the iterator (less only if it ended: `ended`). */
async function takeBytes(iterator: AsyncIterator<Uint8Array>, bytesMin: number): Promise<{ bytes: Buffer; ended: boolean }> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < bytesMin) {
    const next = await iterator.next();
    if (next.done === true) return { bytes: Buffer.concat(chunks, length), ended: true };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { bytes: Buffer.concat(chunks, length), ended: false };
}

/** The S3 error code the endpoint answered (the SDK names the exception after it), or the network error's. */
function failureOf(error: unknown): Failure {
  const shaped = error as { name?: unknown; Code?: unknown; code?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const code = [shaped.Code, shaped.code, shaped.name].find((value): value is string => typeof value === "string" && value !== "" && value !== "Error") ?? "InternalError";
  const message = typeof shaped.message === "string" && shaped.message !== "" ? shaped.message : code;
  return { ok: false, code, message };
}
