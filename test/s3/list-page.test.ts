/**
 * ListObjects' paging over the memory object store, without a server: prefixes, delimiters with
 * common prefixes skipped past in one store call, markers inside common prefixes, truncation, the
 * continuation token and S3's url encoding.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryObjectStore } from "../../src/storage/memory/memory-objects.js";
import { SeededRandom } from "../../src/util/random.js";
import type { ObjectStore } from "../../src/storage/types.js";
import { decodeContinuationToken, encodeContinuationToken, listPage, pastPrefix, s3UrlEncode, type ListInput } from "../../src/s3/actions/list-objects.js";

async function* chunksOf(data: Buffer): AsyncGenerator<Buffer> {
  yield data;
}

async function storeWith(keys: readonly string[]): Promise<MemoryObjectStore> {
  const store = new MemoryObjectStore(new SeededRandom(1));
  await store.createBucket({ Name: "b", accountId: "000000000000", region: "us-east-1", createdAtMs: 0, settings: {} });
  for (const key of keys) {
    const written = await store.writeBlob(chunksOf(Buffer.from(key)));
    assert.ok(written.ok);
    assert.deepEqual(await store.putObject("b", key, { blobs: [written.blob], sizeBytes: written.blob.sizeBytes, lastModifiedMs: 0, meta: { ETag: '"x"' } }), { ok: true });
  }
  return store;
}

/** Every entry of a listing, page by page, by the last entry as marker (v1's NextMarker, v2's token). */
async function listAll(store: ObjectStore, input: Omit<ListInput, "marker">): Promise<{ entries: string[]; pages: number }> {
  const entries: string[] = [];
  let marker: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await listPage(store, "b", { ...input, ...(marker !== undefined && { marker }) });
    pages++;
    entries.push(...page.contents.map((object) => object.key), ...page.commonPrefixes.map((prefix) => `${prefix}(prefix)`));
    if (!page.isTruncated) return { entries, pages };
    marker = page.lastEntry;
    assert.ok(pages < 1000, "paging does not end");
  }
}

const keys = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "dir2/x", "e", "photos/2006/jan/a.jpg", "photos/2006/feb/b.jpg", "photos/2007/c.jpg", "z"];

describe("ListObjects paging", () => {
  it("lists every key in UTF-8 byte order without a delimiter", async () => {
    const unicode = ["\u{1F600}", "\uFFFD", "a", "B", "é"];
    const store = await storeWith(unicode);
    const page = await listPage(store, "b", { prefix: "", maxKeys: 1000 });
    // By UTF-8 bytes: B (42) a (61) é (C3 A9) U+FFFD (EF BF BD) U+1F600 (F0 9F 98 80); UTF-16 order would put U+1F600 (D83D) before U+FFFD.
    assert.deepEqual(page.contents.map((object) => object.key), ["B", "a", "é", "\uFFFD", "\u{1F600}"]);
    assert.equal(page.isTruncated, false);
  });

  it("rolls keys up into common prefixes after the prefix", async () => {
    const store = await storeWith(keys);
    const page = await listPage(store, "b", { prefix: "", delimiter: "/", maxKeys: 1000 });
    assert.deepEqual(page.contents.map((object) => object.key), ["a.txt", "e", "z"]);
    assert.deepEqual(page.commonPrefixes, ["dir/", "dir2/", "photos/"]);
    const nested = await listPage(store, "b", { prefix: "photos/2006/", delimiter: "/", maxKeys: 1000 });
    assert.deepEqual(nested.commonPrefixes, ["photos/2006/feb/", "photos/2006/jan/"]);
    assert.deepEqual(nested.contents, []);
    const multi = await listPage(store, "b", { prefix: "", delimiter: "2006/", maxKeys: 1000 });
    assert.deepEqual(multi.commonPrefixes, ["photos/2006/"]);
  });

  it("pages through keys and common prefixes with max-keys counting both, each entry once", async () => {
    const store = await storeWith(keys);
    for (const maxKeys of [1, 2, 3, 7]) {
      const { entries } = await listAll(store, { prefix: "", delimiter: "/", maxKeys });
      assert.deepEqual(entries.sort(), ["a.txt", "dir/(prefix)", "dir2/(prefix)", "e", "photos/(prefix)", "z"].sort(), `max-keys ${maxKeys}`);
      const plain = await listAll(store, { prefix: "dir", maxKeys });
      assert.deepEqual(plain.entries, ["dir/1", "dir/2", "dir/sub/3", "dir2/x"]);
    }
  });

  it("is not truncated when the page ends exactly at the last key", async () => {
    const store = await storeWith(["a", "b"]);
    const page = await listPage(store, "b", { prefix: "", maxKeys: 2 });
    assert.equal(page.isTruncated, false);
    const short = await listPage(store, "b", { prefix: "", maxKeys: 1 });
    assert.equal(short.isTruncated, true);
    assert.equal(short.lastEntry, "a");
  });

  it("answers nothing for max-keys 0", async () => {
    const store = await storeWith(["a"]);
    assert.deepEqual(await listPage(store, "b", { prefix: "", maxKeys: 0 }), { contents: [], commonPrefixes: [], isTruncated: false });
  });

  it("resumes after a whole common prefix when the marker lies inside it", async () => {
    const store = await storeWith(keys);
    const page = await listPage(store, "b", { prefix: "", delimiter: "/", marker: "dir/1", maxKeys: 1000 });
    assert.deepEqual(page.commonPrefixes, ["dir2/", "photos/"]);
    assert.deepEqual(page.contents.map((object) => object.key), ["e", "z"]);
  });

  it("skips a common prefix of 5,000 keys in a few store calls", async () => {
    const many = Array.from({ length: 5000 }, (_, index) => `big/${String(index).padStart(5, "0")}`);
    const store = await storeWith([...many, "after", "zz/1"]);
    let calls = 0;
    let keysRead = 0;
    const counting: Pick<ObjectStore, "listObjects"> = {
      listObjects: async (bucket, options) => {
        calls++;
        const found = await store.listObjects(bucket, options);
        keysRead += found.length;
        return found;
      },
    };
    const page = await listPage(counting, "b", { prefix: "", delimiter: "/", maxKeys: 1000 });
    assert.deepEqual(page.commonPrefixes, ["big/", "zz/"]);
    assert.deepEqual(page.contents.map((object) => object.key), ["after"]);
    assert.ok(calls <= 4, `${calls} store calls`);
    // A small first batch per common prefix, never the prefix's 5,000 keys.
    assert.ok(keysRead <= 100, `${keysRead} keys read`);
  });

  it("pastPrefix sorts after every key under the prefix, by UTF-8 bytes", () => {
    const past = Buffer.from(pastPrefix("p/"), "utf8");
    for (const key of ["p/", "p/\u{10FFFF}", "p/\uFFFF\uFFFF", "p/" + "\u{10FFFF}".repeat(255)]) {
      assert.ok(Buffer.compare(Buffer.from(key, "utf8"), past) <= 0, key);
    }
    assert.ok(Buffer.compare(Buffer.from("p0", "utf8"), past) > 0);
  });

  it("continuation tokens are opaque base64 that round-trip any key, and foreign tokens are refused", () => {
    for (const key of ["a", "dir/", "é \u{1F600}", "x".repeat(1024)]) {
      const token = encodeContinuationToken(key);
      assert.match(token, /^[A-Za-z0-9+/]+={0,2}$/);
      assert.equal(decodeContinuationToken(token), key);
    }
    assert.equal(decodeContinuationToken("not a token"), undefined);
    assert.equal(decodeContinuationToken(Buffer.from("\u0002abc").toString("base64")), undefined);
    assert.equal(decodeContinuationToken(""), undefined);
  });

  it("url-encodes as S3: / and * kept, space as +, everything else percent-encoded in UTF-8", () => {
    assert.equal(s3UrlEncode("a b/c+d*e~f"), "a+b/c%2Bd*e%7Ef");
    assert.equal(s3UrlEncode("é\u0001"), "%C3%A9%01");
    assert.equal(s3UrlEncode("A-Z_a.z0"), "A-Z_a.z0");
  });
});
