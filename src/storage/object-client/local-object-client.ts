/**
 * The object client over this server's own storage (storage.objects): what the S3 service does for
 * PutObject, GetObject, ListObjectsV2, DeleteObject and CreateBucket, without HTTP or S3's wire
 * format. A put writes the bytes as a blob while computing their MD5, then commits the record that
 * names it, laid out as the S3 service lays out its own (stored-object-meta.ts), so the S3 service
 * serves the object exactly as if it had been PUT through it.
 */
import { createHash } from "node:crypto";
import type { BlobRef, ObjectStore, StorageFailure } from "../types.js";
import type { Clock } from "../../util/clock.js";
import { assert } from "../../util/assert.js";
import { keyBytesMax, listKeysMax, type Failure, type ObjectClient } from "./object-client.js";
import { readStoredObjectMeta, storedObjectMeta } from "./stored-object-meta.js";
import { isValidBucketName } from "./bucket-name.js";

export interface LocalObjectClientDeps {
  store: ObjectStore;
  clock: Clock;
  /** The region buckets it creates are in (the server's). */
  region: string;
}

const noSuchBucket = (): Failure => ({ ok: false, code: "NoSuchBucket", message: "The specified bucket does not exist" });
const internalError = (failure: StorageFailure): Failure => ({ ok: false, code: "InternalError", message: failure.message });

export function localObjectClient(deps: LocalObjectClientDeps): ObjectClient {
  const { store, clock, region } = deps;
  const bucketExists = async (bucket: string) => (await store.getBucket(bucket)) !== undefined;

  return {
    async putObject(input) {
      const keyProblem = checkKey(input.Key);
      if (keyProblem !== undefined) return keyProblem;
      if (!(await bucketExists(input.Bucket))) return noSuchBucket();
      const md5 = createHash("md5");
      const written = await store.writeBlob(hashing(input.Body, md5), Buffer.isBuffer(input.Body) ? { sizeBytesHint: input.Body.length } : undefined);
      if (!written.ok) return internalError(written.failure);
      const ETag = `"${md5.digest("hex")}"`;
      const committed = await store.putObject(input.Bucket, input.Key, {
        blobs: [written.blob],
        sizeBytes: written.blob.sizeBytes,
        lastModifiedMs: clock.nowMs(),
        meta: { ...storedObjectMeta(ETag, input) },
      });
      if (!committed.ok) {
        await store.discardBlob(written.blob);
        // The bucket may have gone while the bytes were written: the store refuses the record then.
        return (await bucketExists(input.Bucket)) ? internalError(committed.failure) : noSuchBucket();
      }
      return { ok: true, ETag };
    },

    async getObject(input) {
      if (!(await bucketExists(input.Bucket))) return noSuchBucket();
      const found = await store.getObject(input.Bucket, input.Key);
      if (found === undefined) return { ok: false, code: "NoSuchKey", message: "The specified key does not exist." };
      const { record } = found;
      let startByte = 0;
      let endByteExclusive = record.sizeBytes;
      if (input.Range !== undefined) {
        const { startByte: start, endByteInclusive } = input.Range;
        assert(Number.isSafeInteger(start) && start >= 0 && Number.isSafeInteger(endByteInclusive) && endByteInclusive >= start, "a range is first ≤ last, both ≥ 0");
        if (start >= record.sizeBytes) return { ok: false, code: "InvalidRange", message: "The requested range is not satisfiable" };
        startByte = start;
        endByteExclusive = Math.min(endByteInclusive + 1, record.sizeBytes);
      }
      const meta = readStoredObjectMeta(record.meta);
      return {
        ok: true,
        body: readRange(store, record.blobs, startByte, endByteExclusive),
        sizeBytes: endByteExclusive - startByte,
        ETag: meta.ETag,
        ...(meta.ContentType !== undefined ? { ContentType: meta.ContentType } : {}),
        ...(meta.Metadata !== undefined ? { Metadata: meta.Metadata } : {}),
      };
    },

    async listObjects(input) {
      if (!(await bucketExists(input.Bucket))) return noSuchBucket();
      const keysMax = Math.max(0, Math.min(input.MaxKeys ?? listKeysMax, listKeysMax));
      const found = await store.listObjects(input.Bucket, {
        limit: keysMax + 1,
        ...(input.StartAfter !== undefined ? { afterKey: input.StartAfter } : {}),
        ...(input.Prefix !== undefined && input.Prefix !== "" ? { prefix: input.Prefix } : {}),
      });
      const objects = found.slice(0, keysMax).map(({ key, record }) => ({
        Key: key,
        sizeBytes: record.sizeBytes,
        ETag: readStoredObjectMeta(record.meta).ETag,
        lastModifiedMs: record.lastModifiedMs,
      }));
      return { ok: true, objects, isTruncated: found.length > keysMax };
    },

    async deleteObject(input) {
      if (!(await bucketExists(input.Bucket))) return noSuchBucket();
      const deleted = await store.deleteObject(input.Bucket, input.Key);
      if (deleted.ok) return { ok: true };
      return (await bucketExists(input.Bucket)) ? internalError(deleted.failure) : noSuchBucket();
    },

    async ensureBucket(input) {
      if (!isValidBucketName(input.Bucket)) return { ok: false, code: "InvalidBucketName", message: "The specified bucket is not valid." };
      const created = await store.createBucket({ Name: input.Bucket, accountId: input.accountId, region, createdAtMs: clock.nowMs(), settings: {} });
      if (created.ok) return { ok: true };
      if ("exists" in created) {
        if (created.accountId === input.accountId) return { ok: true };
        return {
          ok: false,
          code: "BucketAlreadyExists",
          message: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
        };
      }
      return internalError(created.failure);
    },
  };
}

function checkKey(key: string): Failure | undefined {
  assert(key.length > 0, "an object key is not empty");
  if (Buffer.byteLength(key, "utf8") > keyBytesMax) return { ok: false, code: "KeyTooLongError", message: "Your key is too long" };
  return undefined;
}

/** The body's bytes, feeding each chunk to `md5` on the way through. */
async function* hashing(body: Buffer | AsyncIterable<Uint8Array>, md5: ReturnType<typeof createHash>): AsyncIterable<Uint8Array> {
  if (Buffer.isBuffer(body)) {
    md5.update(body);
    yield body;
    return;
  }
  for await (const chunk of body) {
    md5.update(chunk);
    yield chunk;
  }
}

/** The bytes [startByte, endByteExclusive) of an object made of `blobs` in order. */
async function* readRange(store: ObjectStore, blobs: readonly BlobRef[], startByte: number, endByteExclusive: number): AsyncIterable<Buffer> {
  let blobStartByte = 0;
  for (const blob of blobs) {
    const blobEndByte = blobStartByte + blob.sizeBytes;
    const from = Math.max(startByte, blobStartByte);
    const to = Math.min(endByteExclusive, blobEndByte);
    if (from < to) yield* store.readBlob(blob, from - blobStartByte, to - blobStartByte);
    blobStartByte = blobEndByte;
    if (blobStartByte >= endByteExclusive) return;
  }
}
