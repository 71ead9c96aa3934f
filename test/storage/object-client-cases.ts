/**
 * One case list for every ObjectClient: the local one over each storage engine
 * (object-client.test.ts) and the external one against s3rver (object-client-external.test.ts).
 * Each case works in a bucket of its own, so the list runs against one endpoint in any order.
 */
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { ObjectClient } from "../../src/storage/object-client/index.js";

export interface ObjectClientHarness {
  client: ObjectClient;
  accountId: string;
  cleanup(): Promise<void>;
}

export const md5ETag = (bytes: Buffer) => `"${createHash("md5").update(bytes).digest("hex")}"`;

export async function readAll(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

export async function* chunksOf(bytes: Buffer, chunkBytes: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += chunkBytes) yield new Uint8Array(bytes.subarray(at, at + chunkBytes));
}

/** Bytes that differ at every offset that matters (a wrong range or a missed chunk shows). */
export function patterned(sizeBytes: number): Buffer {
  const bytes = Buffer.alloc(sizeBytes);
  for (let at = 0; at < sizeBytes; at += 4) bytes.writeUInt32BE((at * 2654435761) >>> 0, Math.min(at, sizeBytes - 4));
  return bytes;
}

export function runObjectClientCases(name: string, create: () => Promise<ObjectClientHarness>): void {
  describe(`object client > ${name}`, () => {
    let harness: ObjectClientHarness;
    let client: ObjectClient;
    let bucketCount = 0;
    /** A fresh bucket for one case. */
    const freshBucket = async () => {
      const Bucket = `oc-case-${process.pid}-${++bucketCount}`;
      assert.deepEqual(await client.ensureBucket({ Bucket, accountId: harness.accountId }), { ok: true });
      return Bucket;
    };
    before(async () => {
      harness = await create();
      client = harness.client;
    });
    after(() => harness.cleanup());

    it("ensureBucket creates a bucket and is a success again for the same account", async () => {
      const Bucket = await freshBucket();
      assert.deepEqual(await client.ensureBucket({ Bucket, accountId: harness.accountId }), { ok: true });
      assert.deepEqual(await client.listObjects({ Bucket }), { ok: true, objects: [], isTruncated: false });
    });

    it("a Buffer put is read back whole with its quoted MD5 ETag, content type and lowercased metadata", async () => {
      const Bucket = await freshBucket();
      const body = Buffer.from("hello, object client\n");
      const put = await client.putObject({ Bucket, Key: "greeting.txt", Body: body, ContentType: "text/plain", Metadata: { Origin: "firehose", "delivery-stream": "ds1" } });
      assert.deepEqual(put, { ok: true, ETag: md5ETag(body) });
      const got = await client.getObject({ Bucket, Key: "greeting.txt" });
      assert.ok(got.ok, got.ok ? "" : got.code);
      assert.equal(got.sizeBytes, body.length);
      assert.equal(got.ETag, md5ETag(body));
      assert.equal(got.ContentType, "text/plain");
      assert.deepEqual(got.Metadata, { origin: "firehose", "delivery-stream": "ds1" });
      assert.deepEqual(await readAll(got.body), body);
    });

    it("a streamed put of many small chunks has the MD5 of all its bytes", async () => {
      const Bucket = await freshBucket();
      const body = patterned(300_001);
      const put = await client.putObject({ Bucket, Key: "stream/part-0001", Body: chunksOf(body, 4093), ContentEncoding: "gzip" });
      assert.deepEqual(put, { ok: true, ETag: md5ETag(body) });
      const got = await client.getObject({ Bucket, Key: "stream/part-0001" });
      assert.ok(got.ok);
      assert.equal(got.sizeBytes, body.length);
      assert.ok((await readAll(got.body)).equals(body));
    });

    it("a streamed put larger than one part (17 MiB) reads back byte-exact", async () => {
      const Bucket = await freshBucket();
      const body = patterned(17 * 1024 * 1024 + 5);
      const put = await client.putObject({ Bucket, Key: "big/object.bin", Body: chunksOf(body, 1 << 20) });
      assert.ok(put.ok, JSON.stringify(put));
      const got = await client.getObject({ Bucket, Key: "big/object.bin" });
      assert.ok(got.ok);
      assert.equal(got.sizeBytes, body.length);
      assert.equal(got.ETag, put.ETag);
      assert.ok((await readAll(got.body)).equals(body));
    });

    it("an empty object", async () => {
      const Bucket = await freshBucket();
      assert.deepEqual(await client.putObject({ Bucket, Key: "empty", Body: Buffer.alloc(0) }), { ok: true, ETag: md5ETag(Buffer.alloc(0)) });
      const got = await client.getObject({ Bucket, Key: "empty" });
      assert.ok(got.ok);
      assert.equal(got.sizeBytes, 0);
      assert.equal((await readAll(got.body)).length, 0);
    });

    it("ranges: inside, running past the end (clamped), and starting past the end (InvalidRange)", async () => {
      const Bucket = await freshBucket();
      const body = patterned(10_000);
      await client.putObject({ Bucket, Key: "ranged", Body: body });
      const inside = await client.getObject({ Bucket, Key: "ranged", Range: { startByte: 1234, endByteInclusive: 5677 } });
      assert.ok(inside.ok);
      assert.equal(inside.sizeBytes, 4444);
      assert.ok((await readAll(inside.body)).equals(body.subarray(1234, 5678)));
      const tail = await client.getObject({ Bucket, Key: "ranged", Range: { startByte: 9990, endByteInclusive: 20_000 } });
      assert.ok(tail.ok);
      assert.equal(tail.sizeBytes, 10);
      assert.ok((await readAll(tail.body)).equals(body.subarray(9990)));
      const past = await client.getObject({ Bucket, Key: "ranged", Range: { startByte: 10_000, endByteInclusive: 10_010 } });
      assert.equal(past.ok, false);
      assert.equal(!past.ok && past.code, "InvalidRange");
    });

    it("a put replaces the object under its key", async () => {
      const Bucket = await freshBucket();
      await client.putObject({ Bucket, Key: "k", Body: Buffer.from("first") });
      await client.putObject({ Bucket, Key: "k", Body: Buffer.from("second, longer") });
      const got = await client.getObject({ Bucket, Key: "k" });
      assert.ok(got.ok);
      assert.equal((await readAll(got.body)).toString(), "second, longer");
      const listed = await client.listObjects({ Bucket });
      assert.ok(listed.ok);
      assert.deepEqual(listed.objects.map((object) => [object.Key, object.sizeBytes]), [["k", 14]]);
    });

    it("keys with slashes, dots, spaces and unicode round-trip as keys, never as paths", async () => {
      const Bucket = await freshBucket();
      const keys = ["../../etc/passwd", "a/./b/../c", "dir/sub dir/file name.txt", "unicode/é/日本語/😀", "UPPER/Case", "upper/case"];
      for (const Key of keys) assert.ok((await client.putObject({ Bucket, Key, Body: Buffer.from(Key) })).ok, Key);
      for (const Key of keys) {
        const got = await client.getObject({ Bucket, Key });
        assert.ok(got.ok, Key);
        assert.equal((await readAll(got.body)).toString(), Key);
      }
    });

    it("missing keys and buckets: NoSuchKey, NoSuchBucket for get, put, list and delete", async () => {
      const Bucket = await freshBucket();
      const missingKey = await client.getObject({ Bucket, Key: "nope" });
      assert.equal(!missingKey.ok && missingKey.code, "NoSuchKey");
      const Absent = `oc-absent-${process.pid}`;
      const outcomes = [
        await client.getObject({ Bucket: Absent, Key: "k" }),
        await client.putObject({ Bucket: Absent, Key: "k", Body: Buffer.from("x") }),
        await client.listObjects({ Bucket: Absent }),
        await client.deleteObject({ Bucket: Absent, Key: "k" }),
      ];
      assert.deepEqual(outcomes.map((outcome) => !outcome.ok && outcome.code), ["NoSuchBucket", "NoSuchBucket", "NoSuchBucket", "NoSuchBucket"]);
      for (const outcome of outcomes) assert.ok(!outcome.ok && outcome.message.length > 0);
    });

    it("delete removes the object; deleting an absent key is a success", async () => {
      const Bucket = await freshBucket();
      await client.putObject({ Bucket, Key: "gone", Body: Buffer.from("x") });
      assert.deepEqual(await client.deleteObject({ Bucket, Key: "gone" }), { ok: true });
      const got = await client.getObject({ Bucket, Key: "gone" });
      assert.equal(!got.ok && got.code, "NoSuchKey");
      assert.deepEqual(await client.deleteObject({ Bucket, Key: "gone" }), { ok: true });
      assert.deepEqual(await client.listObjects({ Bucket }), { ok: true, objects: [], isTruncated: false });
    });

    it("list: key order, prefix, size, ETag and last-modified time", async () => {
      const Bucket = await freshBucket();
      const startedMs = Date.now();
      const keys = ["logs/2026/12/06/b", "logs/2026/12/06/a", "logs/2026/12/07/a", "other/x", "logs_y/z"];
      for (const Key of keys) await client.putObject({ Bucket, Key, Body: Buffer.from(`body of ${Key}`) });
      const all = await client.listObjects({ Bucket });
      assert.ok(all.ok);
      assert.deepEqual(all.objects.map((object) => object.Key), ["logs/2026/12/06/a", "logs/2026/12/06/b", "logs/2026/12/07/a", "logs_y/z", "other/x"]);
      const prefixed = await client.listObjects({ Bucket, Prefix: "logs/2026/12/06/" });
      assert.ok(prefixed.ok);
      assert.deepEqual(prefixed.objects.map((object) => object.Key), ["logs/2026/12/06/a", "logs/2026/12/06/b"]);
      const [first] = prefixed.objects;
      assert.equal(first!.sizeBytes, Buffer.byteLength("body of logs/2026/12/06/a"));
      assert.equal(first!.ETag, md5ETag(Buffer.from("body of logs/2026/12/06/a")));
      // Listings carry whole seconds on some endpoints (s3rver), milliseconds on others.
      assert.ok(first!.lastModifiedMs >= startedMs - 1000 && first!.lastModifiedMs <= Date.now() + 1000, `${first!.lastModifiedMs} near ${startedMs}`);
    });

    it("list pages: MaxKeys with isTruncated, StartAfter reads on to the end", async () => {
      const Bucket = await freshBucket();
      const keys = Array.from({ length: 25 }, (_, index) => `page/${String(index).padStart(3, "0")}`);
      await Promise.all(keys.map((Key) => client.putObject({ Bucket, Key, Body: Buffer.from(Key) })));
      const seen: string[] = [];
      let StartAfter: string | undefined;
      let pages = 0;
      for (;;) {
        const page = await client.listObjects({ Bucket, Prefix: "page/", MaxKeys: 10, ...(StartAfter !== undefined ? { StartAfter } : {}) });
        assert.ok(page.ok, page.ok ? "" : `${page.code}: ${page.message}`);
        pages++;
        seen.push(...page.objects.map((object) => object.Key));
        if (!page.isTruncated) break;
        assert.equal(page.objects.length, 10);
        StartAfter = page.objects.at(-1)!.Key;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, keys);
    });
  });
}
