/**
 * Multipart uploads through @aws-sdk/client-s3 (default configuration: checksums on) with a small
 * partBytesMin so the test moves kilobytes: create, parts, copy parts, list, complete (the ETag as
 * S3 computes it, the object's bytes, composite and full-object checksums), abort, and S3's errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand,
  ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand, UploadPartCopyCommand,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { TestServer } from "../helpers/server.js";
import { bucketName, rawS3, s3Client, startS3Server } from "./service-helpers.js";

const partBytesMin = 1024;

function bytesOf(length: number, seed: number): Buffer {
  const buffer = Buffer.alloc(length);
  for (let index = 0; index < length; index++) buffer[index] = (index * 31 + seed * 7) & 0xff;
  return buffer;
}

function md5Hex(data: Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

type S3ErrorShape = Error & { $metadata?: { httpStatusCode?: number }; Code?: string };

async function rejectsWith(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: S3ErrorShape) => {
    assert.equal(error.name, name);
    assert.equal(error.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe("multipart uploads", () => {
  let server: TestServer;
  let client: S3Client;
  const bucket = bucketName("multipart");

  before(async () => {
    server = await startS3Server({ s3: { partBytesMin } });
    client = s3Client(server);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("uploads parts and completes: the bytes, the md5-of-md5s-N ETag, metadata from the creation", async () => {
    const key = "big/object.bin";
    const parts = [bytesOf(2048, 1), bytesOf(1500, 2), bytesOf(10, 3)];
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: "text/plain", Metadata: { color: "blue" } }));
    assert.match(created.UploadId!, /^[A-Za-z0-9_-]{40,}$/);
    const etags: string[] = [];
    for (const [index, body] of parts.entries()) {
      const uploaded = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: index + 1, Body: body }));
      assert.equal(uploaded.ETag, `"${md5Hex(body)}"`);
      etags.push(uploaded.ETag!);
    }
    const listed = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId }));
    assert.deepEqual(listed.Parts?.map((part) => [part.PartNumber, part.ETag, part.Size]), parts.map((body, index) => [index + 1, etags[index], body.length]));
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }),
    );
    const expectedEtag = `"${createHash("md5").update(Buffer.concat(parts.map((body) => createHash("md5").update(body).digest()))).digest("hex")}-3"`;
    assert.equal(completed.ETag, expectedEtag);
    assert.equal(completed.Key, key);
    assert.equal(completed.Bucket, bucket);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(parts));
    assert.equal(got.ETag, expectedEtag);
    assert.equal(got.ContentType, "text/plain");
    assert.deepEqual(got.Metadata, { color: "blue" });
    // The upload is gone.
    await rejectsWith(client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId })), "NoSuchUpload", 404);
  });

  it("a CRC32 upload keeps part checksums and gives the object a COMPOSITE checksum", async () => {
    const key = "checksummed";
    const parts = [bytesOf(1024, 4), bytesOf(33, 5)];
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: "CRC32" }));
    assert.equal(created.ChecksumAlgorithm, "CRC32");
    const uploaded = [];
    for (const [index, body] of parts.entries()) {
      uploaded.push(await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: index + 1, Body: body, ChecksumAlgorithm: "CRC32" })));
      assert.match(uploaded[index]!.ChecksumCRC32!, /^[A-Za-z0-9+/]{6}==$/);
    }
    const listed = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId }));
    assert.deepEqual(listed.Parts?.map((part) => part.ChecksumCRC32), uploaded.map((part) => part.ChecksumCRC32));
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: uploaded.map((part, index) => ({ ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32, PartNumber: index + 1 })) },
      }),
    );
    assert.match(completed.ChecksumCRC32!, /^[A-Za-z0-9+/]{6}==-2$/);
    assert.equal(completed.ChecksumType, "COMPOSITE");
    // Without the part checksums, S3 refuses the completion of a checksummed upload.
    const again = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: "CRC32" }));
    const part = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: again.UploadId, PartNumber: 1, Body: "x", ChecksumAlgorithm: "CRC32" }));
    await rejectsWith(
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: again.UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } })),
      "InvalidRequest",
      400,
    );
  });

  it("a FULL_OBJECT CRC32C upload's checksum is the CRC of the whole object", async () => {
    const key = "full-object";
    const parts = [bytesOf(1024, 6), bytesOf(100, 7)];
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ChecksumAlgorithm: "CRC32C", ChecksumType: "FULL_OBJECT" }));
    const uploaded = [];
    for (const [index, body] of parts.entries()) {
      uploaded.push(await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: index + 1, Body: body, ChecksumAlgorithm: "CRC32C" })));
    }
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: uploaded.map((part, index) => ({ ETag: part.ETag, ChecksumCRC32C: part.ChecksumCRC32C, PartNumber: index + 1 })) },
      }),
    );
    assert.equal(completed.ChecksumType, "FULL_OBJECT");
    // The same bytes in one PUT give the same CRC32C.
    const single = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "single", Body: Buffer.concat(parts), ChecksumAlgorithm: "CRC32C" }));
    assert.equal(completed.ChecksumCRC32C, single.ChecksumCRC32C);
  });

  it("UploadPartCopy copies a whole object or a byte range into a part", async () => {
    const source = bytesOf(3000, 8);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "copy source", Body: source }));
    const key = "copied";
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const whole = await client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: 1, CopySource: `${bucket}/copy%20source` }));
    assert.equal(whole.CopyPartResult?.ETag, `"${md5Hex(source)}"`);
    assert.ok(whole.CopyPartResult?.LastModified instanceof Date);
    const ranged = await client.send(
      new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: 2, CopySource: `${bucket}/copy%20source`, CopySourceRange: "bytes=10-19" }),
    );
    assert.equal(ranged.CopyPartResult?.ETag, `"${md5Hex(source.subarray(10, 20))}"`);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: created.UploadId,
        MultipartUpload: { Parts: [{ ETag: whole.CopyPartResult!.ETag, PartNumber: 1 }, { ETag: ranged.CopyPartResult!.ETag, PartNumber: 2 }] },
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat([source, source.subarray(10, 20)]));
    await rejectsWith(
      client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: "nope", PartNumber: 1, CopySource: `${bucket}/copy%20source` })),
      "NoSuchUpload",
      404,
    );
    const another = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    await rejectsWith(
      client.send(new UploadPartCopyCommand({ Bucket: bucket, Key: key, UploadId: another.UploadId, PartNumber: 1, CopySource: `${bucket}/copy%20source`, CopySourceRange: "bytes=10-3000" })),
      "InvalidArgument",
      400,
    );
  });

  it("S3's completion errors: InvalidPart, InvalidPartOrder, EntityTooSmall, MalformedXML", async () => {
    const key = "errors";
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const small = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: 1, Body: "tiny" }));
    const large = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: 2, Body: bytesOf(2000, 9) }));
    const complete = (Parts: { ETag?: string; PartNumber: number }[]) =>
      client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, MultipartUpload: { Parts } }));
    await rejectsWith(complete([{ ETag: '"00000000000000000000000000000000"', PartNumber: 1 }]), "InvalidPart", 400);
    await rejectsWith(complete([{ ETag: small.ETag, PartNumber: 3 }]), "InvalidPart", 400);
    await rejectsWith(complete([{ ETag: large.ETag, PartNumber: 2 }, { ETag: small.ETag, PartNumber: 1 }]), "InvalidPartOrder", 400);
    await rejectsWith(complete([{ ETag: small.ETag, PartNumber: 1 }, { ETag: large.ETag, PartNumber: 2 }]), "EntityTooSmall", 400);
    await rejectsWith(complete([]), "MalformedXML", 400);
    const raw = await rawS3(server, "POST", `/${bucket}/${key}?uploadId=${encodeURIComponent(created.UploadId!)}`, { body: "<CompleteMultipartUpload><Part>" });
    assert.equal(raw.statusCode, 400);
    assert.match(raw.text, /<Code>MalformedXML<\/Code><Message>The XML you provided was not well-formed or did not validate against our published schema<\/Message>/);
    // The last part may be small; unlisted parts are dropped; ETags without quotes match.
    const done = await complete([{ ETag: small.ETag!.replace(/"/g, ""), PartNumber: 1 }]);
    assert.equal(done.ETag, `"${createHash("md5").update(createHash("md5").update("tiny").digest()).digest("hex")}-1"`);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(head.ContentLength, 4);
  });

  it("UploadPart's part number is 1..10000 and its upload must exist", async () => {
    const key = "numbers";
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    for (const partNumber of ["0", "10001", "abc"]) {
      const answer = await rawS3(server, "PUT", `/${bucket}/${key}?partNumber=${partNumber}&uploadId=${encodeURIComponent(created.UploadId!)}`, { body: "x" });
      assert.equal(answer.statusCode, 400, partNumber);
      assert.match(answer.text, /<Code>InvalidArgument<\/Code><Message>Part number must be an integer between 1 and 10000, inclusive<\/Message><ArgumentName>partNumber<\/ArgumentName>/);
    }
    await rejectsWith(client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: "not-an-upload", PartNumber: 1, Body: "x" })), "NoSuchUpload", 404);
    // An upload id is for its own key.
    await rejectsWith(client.send(new UploadPartCommand({ Bucket: bucket, Key: "other", UploadId: created.UploadId, PartNumber: 1, Body: "x" })), "NoSuchUpload", 404);
    const missing = await rawS3(server, "PUT", `/${bucket}/${key}?partNumber=1&uploadId=nope`, { body: "x" });
    assert.match(missing.text, /<Code>NoSuchUpload<\/Code><Message>The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.<\/Message><UploadId>nope<\/UploadId>/);
  });

  it("AbortMultipartUpload answers 204 and the upload is gone; ListMultipartUploads lists the ones in progress", async () => {
    const first = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "uploads/a" }));
    const second = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "uploads/b" }));
    const third = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "uploads/sub/c" }));
    const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "uploads/", Delimiter: "/" }));
    assert.deepEqual(listed.Uploads?.map((upload) => [upload.Key, upload.UploadId]), [["uploads/a", first.UploadId], ["uploads/b", second.UploadId]]);
    assert.deepEqual(listed.CommonPrefixes?.map((prefix) => prefix.Prefix), ["uploads/sub/"]);
    assert.ok(listed.Uploads![0]!.Initiated instanceof Date);
    const paged: string[] = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "uploads/", MaxUploads: 1, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }));
      paged.push(...(page.Uploads ?? []).map((upload) => upload.UploadId!));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
    assert.deepEqual(paged, [first.UploadId, second.UploadId, third.UploadId]);
    const aborted = await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "uploads/a", UploadId: first.UploadId }));
    assert.equal(aborted.$metadata.httpStatusCode, 204);
    await rejectsWith(client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: "uploads/a", UploadId: first.UploadId })), "NoSuchUpload", 404);
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: "uploads/" }));
    assert.deepEqual(after.Uploads?.map((upload) => upload.Key), ["uploads/b", "uploads/sub/c"]);
  });

  it("ListParts pages with max-parts and part-number-marker", async () => {
    const key = "parts";
    const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    for (const partNumber of [1, 2, 5]) await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, PartNumber: partNumber, Body: "p" }));
    const first = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, MaxParts: 2 }));
    assert.deepEqual(first.Parts?.map((part) => part.PartNumber), [1, 2]);
    assert.equal(first.IsTruncated, true);
    assert.equal(first.NextPartNumberMarker, "2");
    const second = await client.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: created.UploadId, MaxParts: 2, PartNumberMarker: first.NextPartNumberMarker }));
    assert.deepEqual(second.Parts?.map((part) => part.PartNumber), [5]);
    assert.equal(second.IsTruncated, false);
  });

  it("lib-storage's Upload (the SDK's multipart helper) round-trips an object in parts", async () => {
    const body = bytesOf(5 * 1024 * 1024 * 2 + 100, 10);
    const upload = new Upload({ client, params: { Bucket: bucket, Key: "lib-storage", Body: body }, partSize: 5 * 1024 * 1024 });
    const result = await upload.done();
    assert.match(result.ETag!, /-3"$/);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "lib-storage" }));
    assert.equal(md5Hex(Buffer.from(await got.Body!.transformToByteArray())), md5Hex(body));
  });
});

describe("multipart uploads on the embedded engine", () => {
  it("a completed object names its parts' blobs and reads back byte-exact after a restart; parts left out are released", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-multipart-"));
    try {
      const bucket = bucketName("durable");
      const parts = [bytesOf(2048, 11), bytesOf(700, 12)];
      let server = await startS3Server({ s3: { partBytesMin }, dataDir });
      let client = s3Client(server);
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "k" }));
      const etags: string[] = [];
      for (const [index, body] of parts.entries()) {
        etags.push((await client.send(new UploadPartCommand({ Bucket: bucket, Key: "k", UploadId: created.UploadId, PartNumber: index + 1, Body: body }))).ETag!);
      }
      // A third part the completion leaves out.
      await client.send(new UploadPartCommand({ Bucket: bucket, Key: "k", UploadId: created.UploadId, PartNumber: 3, Body: bytesOf(50, 13) }));
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "k", UploadId: created.UploadId, MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) } }),
      );
      client.destroy();
      await server.stop();
      server = await startS3Server({ s3: { partBytesMin }, dataDir });
      client = s3Client(server);
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "k" }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), Buffer.concat(parts));
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      assert.equal(uploads.Uploads, undefined);
      client.destroy();
      await server.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
