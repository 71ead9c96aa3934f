/**
 * The pure parts of multipart uploads: the <CompleteMultipartUpload> schema, the completion's
 * checks in S3's order, the multipart ETag, copy-source ranges, checksum choices at creation and
 * ListMultipartUploads' paging.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { parseXml } from "../../src/s3/xml.js";
import { checkParts, parseCompleteBody } from "../../src/s3/actions/multipart/complete-multipart-upload.js";
import { multipartEtag } from "../../src/s3/actions/multipart/uploads.js";
import { copySourceRangeOf } from "../../src/s3/actions/multipart/upload-part-copy.js";
import { uploadChecksumOf } from "../../src/s3/actions/multipart/create-multipart-upload.js";
import { uploadsPage } from "../../src/s3/actions/multipart/list-multipart-uploads.js";
import { S3Error } from "../../src/s3/s3-error.js";
import type { PartRecord, UploadRecord } from "../../src/storage/types.js";

const parse = (xml: string) => parseCompleteBody(parseXml(xml, ["CompleteMultipartUpload.Part"]));

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof S3Error, String(error));
    return error.code;
  }
}

const part = (partNumber: number, sizeBytes: number, etag = `"${String(partNumber).repeat(32).slice(0, 32)}"`, checksum?: string): PartRecord => ({
  partNumber,
  blob: { blobId: `blob${partNumber}`, sizeBytes },
  lastModifiedMs: 0,
  meta: { ETag: etag, ...(checksum && { Checksum: { algorithm: "CRC32", value: checksum } }) },
});

describe("multipart rules", () => {
  it("parses <CompleteMultipartUpload> with part numbers, ETags and checksums", () => {
    assert.deepEqual(
      parse('<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><ETag>def</ETag><PartNumber> 2 </PartNumber></Part></CompleteMultipartUpload>'),
      [
        { PartNumber: 1, ETag: '"abc"', checksums: { CRC32: "AAAAAA==" } },
        { PartNumber: 2, ETag: "def", checksums: {} },
      ],
    );
    for (const bad of [
      "<CompleteMultipartUpload></CompleteMultipartUpload>",
      "<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>",
      "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
      "<Complete><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></Complete>",
    ]) {
      assert.equal(parse(bad), undefined, bad);
    }
  });

  it("checks order first, then each part's ETag, checksum and size", () => {
    const stored = new Map([1, 2, 3].map((number) => [number, part(number, number === 3 ? 1 : 100, undefined, `c${number}`)]));
    const request = (numbers: number[], overrides: Partial<{ etag: string; checksum: string }> = {}) =>
      numbers.map((number) => ({ PartNumber: number, ETag: overrides.etag ?? stored.get(number)?.meta.ETag as string ?? '"x"', checksums: { CRC32: overrides.checksum ?? `c${number}` } }));
    assert.deepEqual(checkParts(request([1, 2, 3]), stored, "u", {}, 100).map((kept) => kept.partNumber), [1, 2, 3]);
    assert.deepEqual(checkParts(request([1, 3]), stored, "u", {}, 100).map((kept) => kept.partNumber), [1, 3]);
    assert.equal(codeOf(() => checkParts(request([2, 1]), stored, "u", {}, 100)), "InvalidPartOrder");
    assert.equal(codeOf(() => checkParts(request([1, 1]), stored, "u", {}, 100)), "InvalidPartOrder");
    assert.equal(codeOf(() => checkParts(request([1, 4]), stored, "u", {}, 100)), "InvalidPart");
    assert.equal(codeOf(() => checkParts(request([1], { etag: '"ffffffffffffffffffffffffffffffff"' }), stored, "u", {}, 100)), "InvalidPart");
    // A small part alone is the last part.
    assert.equal(codeOf(() => checkParts(request([3]), stored, "u", {}, 100)), undefined);
    // Part 3 (1 byte) may only be last.
    const small = new Map([[1, part(1, 1)], [2, part(2, 100)]]);
    assert.equal(codeOf(() => checkParts(request([1, 2]).map((entry) => ({ ...entry, ETag: small.get(entry.PartNumber)!.meta.ETag as string })), small, "u", {}, 100)), "EntityTooSmall");
    // A checksummed upload needs each part's checksum, equal to the stored one.
    assert.equal(codeOf(() => checkParts(request([1, 2, 3]), stored, "u", { ChecksumAlgorithm: "CRC32" }, 100)), undefined);
    assert.equal(codeOf(() => checkParts(request([1], { checksum: "other" }), stored, "u", { ChecksumAlgorithm: "CRC32" }, 100)), "InvalidPart");
    assert.equal(
      codeOf(() => checkParts([{ PartNumber: 1, ETag: stored.get(1)!.meta.ETag as string, checksums: {} }], stored, "u", { ChecksumAlgorithm: "CRC32" }, 100)),
      "InvalidRequest",
    );
  });

  it("the multipart ETag is the md5 of the parts' binary md5s, then -N", () => {
    const md5s = ["hello", "world"].map((text) => createHash("md5").update(text).digest());
    const expected = `"${createHash("md5").update(Buffer.concat(md5s)).digest("hex")}-2"`;
    assert.equal(multipartEtag(md5s.map((digest) => `"${digest.toString("hex")}"`)), expected);
  });

  it("copy-source ranges: bytes=first-last within the source", () => {
    assert.deepEqual(copySourceRangeOf(undefined, 10), [0, 10]);
    assert.deepEqual(copySourceRangeOf("bytes=0-9", 10), [0, 10]);
    assert.deepEqual(copySourceRangeOf("bytes=3-3", 10), [3, 4]);
    for (const bad of ["bytes=0-10", "bytes=5-4", "bytes=-5", "bytes=1-", "0-4", "bytes=0-1,3-4"]) {
      assert.equal(codeOf(() => copySourceRangeOf(bad, 10)), "InvalidArgument", bad);
    }
  });

  it("checksum choices at creation: the algorithm's default type, allowed combinations only", () => {
    assert.deepEqual(uploadChecksumOf(undefined, undefined), {});
    assert.deepEqual(uploadChecksumOf("crc32", undefined), { algorithm: "CRC32", type: "COMPOSITE" });
    assert.deepEqual(uploadChecksumOf("CRC64NVME", undefined), { algorithm: "CRC64NVME", type: "FULL_OBJECT" });
    assert.deepEqual(uploadChecksumOf("CRC32C", "FULL_OBJECT"), { algorithm: "CRC32C", type: "FULL_OBJECT" });
    assert.equal(codeOf(() => uploadChecksumOf("SHA256", "FULL_OBJECT")), "InvalidRequest");
    assert.equal(codeOf(() => uploadChecksumOf("CRC64NVME", "COMPOSITE")), "InvalidRequest");
    assert.equal(codeOf(() => uploadChecksumOf("MD5", undefined)), "InvalidRequest");
    assert.equal(codeOf(() => uploadChecksumOf(undefined, "COMPOSITE")), "InvalidRequest");
  });

  it("ListMultipartUploads pages by key and upload id, rolling up common prefixes once", () => {
    const upload = (key: string, uploadId: string): UploadRecord => ({ key, uploadId, initiatedMs: 0, meta: {} });
    const all = [upload("a", "1"), upload("a", "2"), upload("d/x", "3"), upload("d/y", "4"), upload("z", "5")];
    const ids = (page: ReturnType<typeof uploadsPage>) => [...page.uploads.map((entry) => entry.uploadId), ...page.commonPrefixes];
    assert.deepEqual(ids(uploadsPage(all, { prefix: "", maxUploads: 1000 })), ["1", "2", "3", "4", "5"]);
    assert.deepEqual(ids(uploadsPage(all, { prefix: "", delimiter: "/", maxUploads: 1000 })), ["1", "2", "5", "d/"]);
    const first = uploadsPage(all, { prefix: "", maxUploads: 1 });
    assert.deepEqual([first.isTruncated, first.nextKeyMarker, first.nextUploadIdMarker], [true, "a", "1"]);
    assert.deepEqual(ids(uploadsPage(all, { prefix: "", keyMarker: "a", uploadIdMarker: "1", maxUploads: 1000 })), ["2", "3", "4", "5"]);
    assert.deepEqual(ids(uploadsPage(all, { prefix: "", keyMarker: "a", maxUploads: 1000 })), ["3", "4", "5"]);
    assert.deepEqual(ids(uploadsPage(all, { prefix: "", delimiter: "/", keyMarker: "d/", maxUploads: 1000 })), ["5"]);
    assert.deepEqual(ids(uploadsPage(all, { prefix: "d/", maxUploads: 1000 })), ["3", "4"]);
  });
});
