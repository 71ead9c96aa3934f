/**
 * The local object client (src/storage/object-client) over each engine's storage.objects: the shared
 * case list, then what only the local client does — the record layout the S3 service reads, one
 * namespace of buckets across accounts, bucket names and key lengths checked before any byte is
 * written — and objectClientFor's choice.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmbeddedEngine, createMemoryEngine } from "../../src/storage/index.js";
import type { StorageEngine } from "../../src/storage/types.js";
import { localObjectClient, objectClientFor, type ObjectClient } from "../../src/storage/object-client/index.js";
import { systemClock } from "../../src/util/clock.js";
import { SeededRandom, systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { md5ETag, readAll, runObjectClientCases } from "./object-client-cases.js";

const accountId = "111122223333";
const region = "eu-west-1";

async function embeddedEngine(): Promise<{ engine: StorageEngine; cleanup: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), "object-client-"));
  const engine = await createEmbeddedEngine({ dataDir, fsync: "never", clock: systemClock, random: systemRandom, logger: silentLogger, accountId });
  return {
    engine,
    cleanup: async () => {
      await engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

runObjectClientCases("local, memory engine", async () => {
  const engine = createMemoryEngine(new SeededRandom(15));
  return { client: localObjectClient({ store: engine.objects, clock: systemClock, region }), accountId, cleanup: () => engine.close() };
});

runObjectClientCases("local, embedded engine", async () => {
  const { engine, cleanup } = await embeddedEngine();
  return { client: localObjectClient({ store: engine.objects, clock: systemClock, region }), accountId, cleanup };
});

describe("object client > local only", () => {
  let engine: StorageEngine;
  let client: ObjectClient;
  before(() => {
    engine = createMemoryEngine(new SeededRandom(16));
    client = localObjectClient({ store: engine.objects, clock: systemClock, region });
  });
  after(() => engine.close());

  it("stores the S3 service's layout: one blob, quoted MD5 ETag, content headers and lowercased metadata in meta", async () => {
    await client.ensureBucket({ Bucket: "layout", accountId });
    const body = Buffer.from("layout check");
    await client.putObject({ Bucket: "layout", Key: "k", Body: body, ContentType: "application/json", ContentEncoding: "gzip", Metadata: { "Source-Stream": "s1" } });
    const stored = await engine.objects.getObject("layout", "k");
    assert.ok(stored !== undefined);
    assert.equal(stored.record.sizeBytes, body.length);
    assert.deepEqual(stored.record.blobs.map((blob) => blob.sizeBytes), [body.length]);
    assert.deepEqual(stored.record.meta, { ETag: md5ETag(body), ContentType: "application/json", ContentEncoding: "gzip", Metadata: { "source-stream": "s1" } });
    const bucket = await engine.objects.getBucket("layout");
    assert.equal(bucket?.bucket.accountId, accountId);
    assert.equal(bucket?.bucket.region, region);
  });

  it("reads an object made of several blobs (as the S3 service completes a multipart upload), whole and across blob boundaries", async () => {
    await client.ensureBucket({ Bucket: "parts", accountId });
    const pieces = [Buffer.from("aaaaaaaaaa"), Buffer.from("bbbbb"), Buffer.from("cccccccccccccccccccc")];
    const blobs = [];
    for (const piece of pieces) {
      const written = await engine.objects.writeBlob((async function* () { yield piece; })());
      assert.ok(written.ok);
      blobs.push(written.blob);
    }
    await engine.objects.putObject("parts", "assembled", { blobs, sizeBytes: 35, lastModifiedMs: 1, meta: { ETag: '"abc-3"', PartsCount: 3 } });
    const whole = await client.getObject({ Bucket: "parts", Key: "assembled" });
    assert.ok(whole.ok);
    assert.equal(whole.ETag, '"abc-3"');
    assert.equal((await readAll(whole.body)).toString(), Buffer.concat(pieces).toString());
    const across = await client.getObject({ Bucket: "parts", Key: "assembled", Range: { startByte: 8, endByteInclusive: 16 } });
    assert.ok(across.ok);
    assert.equal(across.sizeBytes, 9);
    assert.equal((await readAll(across.body)).toString(), "aabbbbbcc");
  });

  it("lists in S3's order, by UTF-8 bytes: '-' before '/', U+FF5E before an astral character (s3rver orders neither so)", async () => {
    await client.ensureBucket({ Bucket: "byte-order", accountId });
    const keys = ["logs/a", "logs-not/a", "x/\u{1F600}", "x/\uFF5E", "x/z"];
    for (const Key of keys) await client.putObject({ Bucket: "byte-order", Key, Body: Buffer.from("x") });
    const listed = await client.listObjects({ Bucket: "byte-order" });
    assert.ok(listed.ok);
    assert.deepEqual(listed.objects.map((object) => object.Key), ["logs-not/a", "logs/a", "x/z", "x/\uFF5E", "x/\u{1F600}"]);
  });

  it("bucket names are global: another account's bucket is BucketAlreadyExists", async () => {
    assert.deepEqual(await client.ensureBucket({ Bucket: "taken", accountId }), { ok: true });
    const other = await client.ensureBucket({ Bucket: "taken", accountId: "444455556666" });
    assert.equal(!other.ok && other.code, "BucketAlreadyExists");
  });

  it("S3's bucket naming rules: InvalidBucketName, nothing created", async () => {
    for (const Bucket of ["ab", "Upper", "a..b", "-start", "192.168.1.1", "x".repeat(64), "under_score", "xn--punycode"]) {
      const outcome = await client.ensureBucket({ Bucket, accountId });
      assert.equal(!outcome.ok && outcome.code, "InvalidBucketName", Bucket);
    }
    assert.deepEqual((await engine.objects.listBuckets()).map((bucket) => bucket.Name).filter((name) => name === "ab" || name === "Upper"), []);
  });

  it("a key over 1,024 UTF-8 bytes is KeyTooLongError; 1,024 bytes is fine", async () => {
    await client.ensureBucket({ Bucket: "long-keys", accountId });
    const tooLong = await client.putObject({ Bucket: "long-keys", Key: "é".repeat(512) + "x", Body: Buffer.from("x") });
    assert.equal(!tooLong.ok && tooLong.code, "KeyTooLongError");
    assert.ok((await client.putObject({ Bucket: "long-keys", Key: "é".repeat(512), Body: Buffer.from("x") })).ok);
  });

  it("a bucket dropped while the bytes were written: NoSuchBucket", async () => {
    await client.ensureBucket({ Bucket: "dropped", accountId });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const writing = client.putObject({
      Bucket: "dropped",
      Key: "k",
      Body: (async function* () {
        yield Buffer.from("before");
        await held;
        yield Buffer.from("after");
      })(),
    });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.ok((await engine.objects.dropBucket("dropped")).ok);
    release();
    const outcome = await writing;
    assert.equal(!outcome.ok && outcome.code, "NoSuchBucket");
  });

  it("objectClientFor: local storage without an endpoint, the external client with one", async () => {
    const local = objectClientFor({ storage: engine, clock: systemClock, region });
    await local.ensureBucket({ Bucket: "chosen", accountId });
    assert.ok((await engine.objects.getBucket("chosen")) !== undefined);
    const external = objectClientFor({
      storage: engine,
      clock: systemClock,
      region,
      s3Endpoint: { url: "http://127.0.0.1:1", region, accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", forcePathStyle: true },
    });
    const refused = await external.listObjects({ Bucket: "chosen" });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.code, "ECONNREFUSED");
  });
});
