/** The on-disk encodings: CRC32C, record frames, segment headers, index files, catalog snapshots. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { crc32c } from "../../src/storage/embedded/crc32c.js";
import { batchBytes, decodeFrame, encodeBatch, FrameView } from "../../src/storage/embedded/log/frame.js";
import { decodeSegmentHeader, encodeSegmentHeader, parseLogFileName, segmentFileName } from "../../src/storage/embedded/log/segment-file.js";
import { decodeIndexFile, encodeIndexFile, SegmentIndex } from "../../src/storage/embedded/log/segment-index.js";
import { decodeCatalog, encodeCatalog } from "../../src/storage/embedded/catalog/catalog-file.js";
import { SeededRandom } from "../../src/util/random.js";
import { streamMeta } from "./cases.js";

/** The bit-at-a-time definition, to check the sliced tables against. */
function crc32cReference(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe("storage > format > crc32c", () => {
  it("matches the published check values", () => {
    assert.equal(crc32c(Buffer.from("123456789")), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  });

  it("agrees with the bitwise definition on every length and alignment", () => {
    const random = new SeededRandom(3);
    const bytes = random.bytes(300);
    for (let start = 0; start < 9; start++) {
      for (let end = start; end <= 300; end += 1 + random.int(13)) {
        assert.equal(crc32c(bytes, start, end), crc32cReference(bytes.subarray(start, end)), `[${start}, ${end})`);
      }
    }
  });

  it("continues across pieces", () => {
    const bytes = new SeededRandom(4).bytes(1000);
    assert.equal(crc32c(bytes, 377, 1000, crc32c(bytes, 0, 377)), crc32c(bytes));
  });
});

describe("storage > format > frames", () => {
  const records = [
    { partitionKey: "ключ 🎉", data: Buffer.from("hello") },
    { partitionKey: "p", explicitHashKey: "123456789012345678901234567890123456789", data: Buffer.alloc(0) },
    { partitionKey: "k".repeat(256), data: Buffer.alloc(5000, 7) },
  ];

  it("encodes a batch into one buffer that decodes back, frame by frame", () => {
    const total = batchBytes(records);
    const cursor = { lastIndexedPosition: -1, intervalBytes: 100 };
    const batch = encodeBatch(records, total, 40, 1234, 40, cursor);
    assert.equal(batch.buffer.length, total);
    assert.deepEqual(batch.indexEntries, [40, 40, 1234, 42, 40 + batch.buffer.readUInt32LE(0) + batch.buffer.readUInt32LE(batch.buffer.readUInt32LE(0)), 1234]);
    const view = new FrameView();
    let at = 0;
    for (const [i, input] of records.entries()) {
      assert.equal(decodeFrame(batch.buffer, at, total, view), "ok");
      const stored = view.toRecord();
      assert.equal(stored.offset, 40 + i);
      assert.equal(stored.arrivalMs, 1234);
      assert.equal(stored.partitionKey, input.partitionKey);
      assert.equal(stored.explicitHashKey, input.explicitHashKey);
      assert.deepEqual(stored.data, input.data);
      at += view.frameBytes;
    }
    assert.equal(at, total);
  });

  it("reports every single-byte change and every cut as corrupt or incomplete", () => {
    const total = batchBytes(records.slice(0, 2));
    const { buffer } = encodeBatch(records.slice(0, 2), total, 0, 99, 40, { lastIndexedPosition: -1, intervalBytes: 1 << 20 });
    const frameBytes = buffer.readUInt32LE(0);
    const view = new FrameView();
    for (let at = 0; at < frameBytes; at++) {
      const damaged = Buffer.from(buffer);
      damaged[at] = damaged[at]! ^ 0x10;
      assert.notEqual(decodeFrame(damaged, 0, total, view), "ok", `byte ${at}`);
    }
    for (let cut = 0; cut < frameBytes; cut++) assert.notEqual(decodeFrame(buffer, 0, cut, view), "ok", `cut at ${cut}`);
  });
});

describe("storage > format > segment files", () => {
  it("names segments by zero-padded base offset and parses only those names", () => {
    assert.equal(segmentFileName(42), "00000000000000000042.log");
    assert.deepEqual(parseLogFileName("00000000000000000042.index"), { baseOffset: 42, kind: "index" });
    for (const name of ["42.log", "0000000000000000004x.log", "00000000000000000042.log.tmp", "../00000000000000000042.log"]) assert.equal(parseLogFileName(name), undefined);
  });

  it("round-trips the header and rejects damage", () => {
    const header = encodeSegmentHeader({ baseOffset: 123456789012, createdAtMs: 1_700_000_000_000, previousArrivalMs: 1_699_999_999_999 });
    assert.equal(header.length, 40);
    assert.deepEqual(decodeSegmentHeader(header), { ok: true, baseOffset: 123456789012, createdAtMs: 1_700_000_000_000, previousArrivalMs: 1_699_999_999_999 });
    const damaged = Buffer.from(header);
    damaged[10] = damaged[10]! ^ 1;
    assert.equal(decodeSegmentHeader(damaged).ok, false);
    assert.equal(decodeSegmentHeader(header.subarray(0, 39)).ok, false);
  });

  it("round-trips an index file and rejects damage or a foreign segment", () => {
    const index = new SegmentIndex(1000, 1);
    for (let i = 0; i < 20; i++) index.push(1000 + i * 7, 40 + i * 300, 5000 + i);
    const coverage = { coveredBytes: 9000, endOffset: 1200, lastArrivalMs: 5020 };
    const bytes = encodeIndexFile(index, coverage);
    const decoded = decodeIndexFile(bytes, 1000);
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.coverage, coverage);
    assert.equal(decoded.index.count, 20);
    assert.equal(decoded.index.floorByOffset(1000 + 7 * 5 + 3), 5);
    assert.equal(decoded.index.lastBefore(5010), 9);
    assert.equal(decoded.index.floorByOffset(999), -1);
    assert.equal(decodeIndexFile(bytes, 1001).ok, false);
    for (const at of [0, 9, 17, 45, 60, bytes.length - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 4;
      assert.equal(decodeIndexFile(damaged, 1000).ok, false, `byte ${at}`);
    }
  });

  it("round-trips a catalog snapshot and rejects damage", () => {
    const secret = Buffer.alloc(32, 9);
    const bytes = encodeCatalog({ generation: 7, secret, streams: [streamMeta("a"), streamMeta("b", { Tags: { "__proto__": "p" } })], accounts: {} });
    const decoded = decodeCatalog(bytes, "999999999999");
    assert.ok(decoded.ok);
    assert.equal(decoded.snapshot.generation, 7);
    assert.deepEqual(decoded.snapshot.secret, secret);
    assert.deepEqual(decoded.snapshot.streams, [streamMeta("a"), streamMeta("b", { Tags: { "__proto__": "p" } })]);
    assert.equal(({} as Record<string, unknown>).p, undefined);
    for (const at of [0, 8, 20, 40, bytes.length - 1]) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 2;
      assert.equal(decodeCatalog(damaged, "999999999999").ok, false, `byte ${at}`);
    }
    assert.equal(decodeCatalog(bytes.subarray(0, bytes.length - 1), "999999999999").ok, false);
  });
});
