/**
 * Deployment packages and layer archives, kept as objects of the storage engine's ObjectStore in
 * an internal bucket no user can see or name: `_tributary-lambda-code` is not a valid S3 bucket
 * name (S3's router refuses a leading underscore) and it belongs to the account
 * `tributary-internal`, which no caller is (ListBuckets shows a caller only its own buckets).
 * Objects are keyed by the caller's account and the zip's SHA-256, so identical code is stored
 * once per account and a CodeRef stays valid for as long as the object exists. Zips are small
 * (50 MB at most), so they are written and read whole.
 */
import { createHash } from "node:crypto";
import type { ObjectStore } from "../storage/types.js";
import type { Clock } from "../util/clock.js";
import type { CodeRef, CodeStore } from "./model.js";

export const codeBucketName = "_tributary-lambda-code";
export const codeBucketAccountId = "tributary-internal";

export class ObjectCodeStore implements CodeStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly clock: Clock,
    private readonly region: string,
  ) {}

  /** Creates the internal bucket if missing (at start, and after a reset dropped it). */
  async open(): Promise<void> {
    if ((await this.objects.getBucket(codeBucketName)) !== undefined) return;
    const outcome = await this.objects.createBucket({ Name: codeBucketName, accountId: codeBucketAccountId, region: this.region, createdAtMs: this.clock.nowMs(), settings: {} });
    if (!outcome.ok && !("exists" in outcome)) throw new Error(`cannot create the Lambda code bucket: ${outcome.failure.message}`, { cause: outcome.failure.cause });
  }

  /** Stores `zip` for `accountId` and answers its CodeRef (CodeSha256 is base64 of its SHA-256). */
  async putZip(accountId: string, zip: Buffer): Promise<CodeRef> {
    const digest = createHash("sha256").update(zip).digest();
    const objectKey = `${accountId}/${digest.toString("hex")}.zip`;
    const code: CodeRef = { objectKey, sha256Base64: digest.toString("base64"), sizeBytes: zip.length };
    if ((await this.objects.getObject(codeBucketName, objectKey)) !== undefined) return code;
    const blob = await this.objects.writeBlob(oneChunk(zip), { sizeBytesHint: zip.length });
    if (!blob.ok) throw new Error(`cannot store a deployment package: ${blob.failure.message}`, { cause: blob.failure.cause });
    const md5 = createHash("md5").update(zip).digest("hex");
    const written = await this.objects.putObject(codeBucketName, objectKey, {
      blobs: [blob.blob],
      sizeBytes: zip.length,
      lastModifiedMs: this.clock.nowMs(),
      meta: { ETag: `"${md5}"`, ContentType: "application/zip" },
    });
    if (!written.ok) {
      await this.objects.discardBlob(blob.blob);
      throw new Error(`cannot store a deployment package: ${written.failure.message}`, { cause: written.failure.cause });
    }
    return code;
  }

  async readZip(code: CodeRef): Promise<Buffer> {
    const stored = await this.objects.getObject(codeBucketName, code.objectKey);
    if (stored === undefined) throw new Error(`the deployment package ${code.objectKey} is missing from the code bucket`);
    const chunks: Buffer[] = [];
    for (const blob of stored.record.blobs) {
      for await (const chunk of this.objects.readBlob(blob)) chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}
