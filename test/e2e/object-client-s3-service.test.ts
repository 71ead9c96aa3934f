/**
 * Objects cross between the local object client (what Firehose, Lambda and Analytics will write
 * through) and the S3 service (what every S3 client reads through) both ways, on the memory and
 * embedded engines: written locally, read by @aws-sdk/client-s3 — body, ETag, content headers, user
 * metadata, ranges, listings; written through the SDK (checksums on, as configured by default,
 * and a multipart upload), read back locally. And the external object client (`--s3-endpoint`)
 * passes the same case list against Tributary's S3 service as against s3rver.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  S3Client, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand,
} from "@aws-sdk/client-s3";
import { startTestServer, exampleCredentials, type TestServer } from "../helpers/server.js";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { externalObjectClient, localObjectClient, type ObjectClient } from "../../src/storage/object-client/index.js";
import { runObjectClientCases } from "../storage/object-client-cases.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";

const md5ETag = (bytes: Buffer) => `"${createHash("md5").update(bytes).digest("hex")}"`;

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

interface Setup {
  server: TestServer;
  storage: StorageEngine;
  cleanup(): Promise<void>;
}

const engines: Record<string, () => Promise<Setup>> = {
  memory: async () => {
    const storage = createMemoryEngine(systemRandom);
    const server = await startTestServer({ storage });
    return { server, storage, cleanup: () => server.stop() };
  },
  embedded: async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "object-client-s3-"));
    const storage = await createEmbeddedEngine({ dataDir, fsync: "always", clock: systemClock, random: systemRandom, logger: silentLogger, accountId: "000000000000" });
    const server = await startTestServer({ storage });
    return {
      server,
      storage,
      cleanup: async () => {
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
};

for (const [engineName, setUp] of Object.entries(engines)) {
  describe(`object client <-> S3 service > ${engineName} engine`, () => {
    let setup: Setup;
    let local: ObjectClient;
    let s3: S3Client;
    before(async () => {
      setup = await setUp();
      local = localObjectClient({ store: setup.storage.objects, clock: systemClock, region: setup.server.region });
      s3 = new S3Client({ endpoint: setup.server.url, region: setup.server.region, credentials: exampleCredentials, forcePathStyle: true });
    });
    after(async () => {
      s3.destroy();
      await setup.cleanup();
    });

    it("an object written locally is read by the S3 service as written: body, ETag, content type and encoding, metadata", async () => {
      assert.deepEqual(await local.ensureBucket({ Bucket: "delivered", accountId: setup.server.accountId }), { ok: true });
      const body = randomBytes(200_000);
      const put = await local.putObject({
        Bucket: "delivered", Key: "2026/12/06/part-00001.gz", Body: body,
        ContentType: "application/x-ndjson", ContentEncoding: "gzip", Metadata: { "Delivery-Stream": "ds-1" },
      });
      assert.deepEqual(put, { ok: true, ETag: md5ETag(body) });
      const got = await s3.send(new GetObjectCommand({ Bucket: "delivered", Key: "2026/12/06/part-00001.gz" }));
      assert.equal(got.ETag, md5ETag(body));
      assert.equal(got.ContentLength, body.length);
      assert.equal(got.ContentType, "application/x-ndjson");
      assert.equal(got.ContentEncoding, "gzip");
      assert.deepEqual(got.Metadata, { "delivery-stream": "ds-1" });
      assert.ok((await readAll(got.Body as AsyncIterable<Uint8Array>)).equals(body));
      const head = await s3.send(new HeadObjectCommand({ Bucket: "delivered", Key: "2026/12/06/part-00001.gz" }));
      assert.equal(head.ETag, md5ETag(body));
      assert.equal(head.ContentLength, body.length);
      const ranged = await s3.send(new GetObjectCommand({ Bucket: "delivered", Key: "2026/12/06/part-00001.gz", Range: "bytes=1000-1999" }));
      assert.equal(ranged.ContentRange, `bytes 1000-1999/${body.length}`);
      assert.ok((await readAll(ranged.Body as AsyncIterable<Uint8Array>)).equals(body.subarray(1000, 2000)));
    });

    it("the S3 service lists locally written objects with their sizes and ETags, in the bucket the account owns", async () => {
      await local.ensureBucket({ Bucket: "listed", accountId: setup.server.accountId });
      for (const Key of ["b", "a/1", "a/2"]) await local.putObject({ Bucket: "listed", Key, Body: Buffer.from(`object ${Key}`) });
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: "listed", Prefix: "a/" }));
      assert.deepEqual(
        listed.Contents?.map((object) => [object.Key, object.Size, object.ETag]),
        [["a/1", 10, md5ETag(Buffer.from("object a/1"))], ["a/2", 10, md5ETag(Buffer.from("object a/2"))]],
      );
    });

    it("an object PUT through the SDK (default checksums) reads back locally with the service's ETag and headers", async () => {
      await local.ensureBucket({ Bucket: "uploaded", accountId: setup.server.accountId });
      const body = randomBytes(70_000);
      const put = await s3.send(new PutObjectCommand({ Bucket: "uploaded", Key: "from-sdk.bin", Body: body, ContentType: "application/octet-stream", Metadata: { origin: "sdk" } }));
      const got = await local.getObject({ Bucket: "uploaded", Key: "from-sdk.bin" });
      assert.ok(got.ok, got.ok ? "" : got.code);
      assert.equal(got.ETag, put.ETag);
      assert.equal(got.ETag, md5ETag(body));
      assert.equal(got.ContentType, "application/octet-stream");
      assert.deepEqual(got.Metadata, { origin: "sdk" });
      assert.ok((await readAll(got.body)).equals(body));
    });

    it("a multipart upload through the SDK reads back locally whole and by ranges across its parts", async () => {
      await local.ensureBucket({ Bucket: "multipart", accountId: setup.server.accountId });
      const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1234)];
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "multipart", Key: "assembled" }));
      const etags = [];
      for (const [index, part] of parts.entries()) {
        etags.push((await s3.send(new UploadPartCommand({ Bucket: "multipart", Key: "assembled", UploadId, PartNumber: index + 1, Body: part }))).ETag);
      }
      const completed = await s3.send(new CompleteMultipartUploadCommand({
        Bucket: "multipart", Key: "assembled", UploadId, MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) },
      }));
      const whole = Buffer.concat(parts);
      const got = await local.getObject({ Bucket: "multipart", Key: "assembled" });
      assert.ok(got.ok);
      assert.equal(got.ETag, completed.ETag);
      assert.match(got.ETag, /^"[0-9a-f]{32}-2"$/);
      assert.ok((await readAll(got.body)).equals(whole));
      const across = await local.getObject({ Bucket: "multipart", Key: "assembled", Range: { startByte: parts[0]!.length - 10, endByteInclusive: parts[0]!.length + 9 } });
      assert.ok(across.ok);
      assert.ok((await readAll(across.body)).equals(whole.subarray(parts[0]!.length - 10, parts[0]!.length + 10)));
    });

    it("a local delete is seen by the S3 service: NoSuchKey", async () => {
      await local.ensureBucket({ Bucket: "deleted", accountId: setup.server.accountId });
      await local.putObject({ Bucket: "deleted", Key: "k", Body: Buffer.from("x") });
      assert.deepEqual(await local.deleteObject({ Bucket: "deleted", Key: "k" }), { ok: true });
      await assert.rejects(s3.send(new GetObjectCommand({ Bucket: "deleted", Key: "k" })), { name: "NoSuchKey" });
    });
  });
}

runObjectClientCases("external, Tributary's S3 service", async () => {
  const server = await startTestServer();
  const client = externalObjectClient({ url: server.url, region: server.region, ...exampleCredentials, forcePathStyle: true });
  return { client, accountId: server.accountId, cleanup: () => server.stop() };
});
