import { it } from "node:test";
import assert from "node:assert/strict";
import {
  decodeSequenceNumber, encodedShardId, encodeSequenceNumber, encodeSequenceNumberRun, parseSequenceNumber, type SequencePosition,
} from "../../src/core/sequence-number.js";
import { SeededRandom } from "../../src/util/random.js";

const epochSeconds = Date.UTC(2024, 4, 1, 12, 0, 0) / 1000;
const arrivalMs = Date.UTC(2024, 4, 1, 12, 0, 7, 123);
/** A real AWS sequence number (shardId-000000000000). */
const aws = "49647060812288014558888668248263847763900017820167045122";
const hexNumber = (hex: string) => BigInt("0x" + hex).toString();

function compare(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

it("core > sequence-number > AWS's own number decodes field by field and encodes back exactly", () => {
  // 2 | 0656e97f5 | 0 | 00000000000065c6 | 00 | 0656ecc98 | 00000000 | 2
  assert.equal(BigInt(aws).toString(16), "20656e97f5000000000000065c6000656ecc98000000002");
  const parsed = parseSequenceNumber(aws);
  assert.deepEqual(parsed, {
    version: 2,
    shardEpochSeconds: 0x656e97f5, // 2023-12-05T03:24:37Z: the shard's creation
    shardIndex: 0,
    offset: 0x65c6 - 1, // position 0x65c6 is the record at offset 0x65c5
    arrivalMs: 0x656ecc98 * 1000, // 2023-12-05T07:09:12Z
  });
  assert.equal(new Date(parsed.shardEpochSeconds * 1000).toISOString(), "2023-12-05T03:24:37.000Z");
  assert.equal(encodeSequenceNumber({ shardEpochSeconds: 0x656e97f5, shardIndex: 0, offset: 0x65c5, arrivalMs: 0x656ecc98 * 1000 + 999 }), aws);
});

// AWS's numbers begin with 49 while the epoch is below about 2.69e9 seconds (the year 2055).
it("core > sequence-number > numbers are 56 digits that begin with 49, the shard index in two places", () => {
  for (const position of [
    { shardEpochSeconds: Date.UTC(2015, 0, 1) / 1000, shardIndex: 0, offset: -1, arrivalMs: Date.UTC(2015, 0, 1) },
    { shardEpochSeconds: epochSeconds, shardIndex: 3, offset: 42, arrivalMs },
    { shardEpochSeconds: Date.UTC(2050, 0, 1) / 1000, shardIndex: 2 ** 31 - 1, offset: Number.MAX_SAFE_INTEGER - 1, arrivalMs: Date.UTC(2050, 0, 1) },
  ]) {
    const text = encodeSequenceNumber(position);
    assert.match(text, /^49\d{54}$/);
    const hex = BigInt(text).toString(16);
    // kinesalite's check of AWS's numbers: ^20[0-9a-f]{8}<shard>[0-9a-f]{16}000[0-9a-f]{8}<shard as 8 digits>2$
    assert.equal(hex[10], (position.shardIndex & 0xf).toString(16));
    assert.equal(hex.slice(38, 46), position.shardIndex.toString(16).padStart(8, "0"));
    assert.equal(hex.slice(27, 29), "00");
    assert.equal(hex[46], "2");
  }
});

it("core > sequence-number > decoding returns the position, arrival in whole seconds", () => {
  const random = new SeededRandom(7);
  for (let i = 0; i < 200; i++) {
    const position: SequencePosition = {
      shardEpochSeconds: epochSeconds + random.int(10 ** 8),
      shardIndex: random.int(2 ** 31),
      offset: random.int(Number.MAX_SAFE_INTEGER) - 1,
      arrivalMs: random.int(2 ** 42),
    };
    assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber(position)), { ...position, arrivalMs: Math.floor(position.arrivalMs / 1000) * 1000 });
  }
});

it("core > sequence-number > strictly increasing along a shard's offsets from its start, whatever the arrival second", () => {
  const shard = { shardEpochSeconds: epochSeconds, shardIndex: 2 };
  let previous = encodeSequenceNumber({ ...shard, offset: -1, arrivalMs: epochSeconds * 1000 });
  for (let offset = 0; offset < 100; offset++) {
    const next = encodeSequenceNumber({ ...shard, offset, arrivalMs: arrivalMs + offset * 100 });
    assert.equal(compare(next, previous), 1);
    previous = next;
  }
});

it("core > sequence-number > a later shard epoch is larger at any offset, index or arrival", () => {
  const parent = encodeSequenceNumber({ shardEpochSeconds: epochSeconds, shardIndex: 15, offset: 2 ** 40, arrivalMs: arrivalMs + 10 ** 9 });
  const child = encodeSequenceNumber({ shardEpochSeconds: epochSeconds + 1, shardIndex: 16, offset: -1, arrivalMs });
  assert.equal(compare(child, parent), 1);
});

it("core > sequence-number > short numbers read as AWS's old layout: '5' names shard 5, '0' shard 0", () => {
  assert.deepEqual(parseSequenceNumber("5"), { version: 0, shardEpochSeconds: 0, shardIndex: 5 });
  assert.deepEqual(parseSequenceNumber("0"), { version: 0, shardEpochSeconds: 0, shardIndex: 0 });
  // The old layout's shard index is its last 16 bits.
  assert.equal(parseSequenceNumber(hexNumber("1" + "0".repeat(27) + "0007"))?.shardIndex, 7);
  assert.equal(decodeSequenceNumber("5"), undefined);
});

it("core > sequence-number > numbers AWS calls invalid parse to nothing", () => {
  const invalid = [
    "", "abc", "01", " 5",
    // A date too large (kinesalite's recording: "26227199374822427428162556223570313216 … is invalid.").
    hexNumber("13bb2cc3d80000000000000000000000"),
    // Between the layouts, and above them.
    (1n << 129n).toString(), (1n << 185n).toString(), (3n << 184n).toString(), "9".repeat(60),
    // The current layout with version 0, 3 or 4, and with a position whose top bit is set.
    hexNumber("20000000000000000000000000000000000000000000000"),
    hexNumber("20000000000000000000000000000000000000000000003"),
    hexNumber("20000000000000000000000000000000000000000000004"),
    hexNumber("20000000000800000000000000000000000000000000002"),
    // An epoch too large, as in kinesalite's "all f".
    hexNumber("2ffffffffff7fffffffffffffff000000000007fffffff2"),
  ];
  for (const text of invalid) assert.equal(parseSequenceNumber(text), undefined, text);
});

it("core > sequence-number > a shard index with its top bit set is negative, named as AWS names it", () => {
  const parsed = parseSequenceNumber(hexNumber("20000000000000000000000000000000000000800000002"));
  assert.equal(parsed?.shardIndex, -2147483648);
  assert.equal(encodedShardId(-2147483648), "shardId--02147483648");
  assert.equal(encodedShardId(5), "shardId-000000000005");
  assert.deepEqual(parseSequenceNumber(hexNumber("2" + "0656e97f5" + "1" + "00" + "0656ecc98" + "0".repeat(14) + "00" + "00000001" + "1")), {
    version: 1, shardEpochSeconds: 0x656e97f5, shardIndex: 1,
  });
});

it("core > sequence-number > a run of consecutive offsets equals encoding each one", () => {
  const random = new SeededRandom(11);
  const edges = [-1, 0, 1, 2 ** 20 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER - 2600];
  for (let i = 0; i < 400; i++) {
    const position: SequencePosition = {
      shardEpochSeconds: i % 7 === 0 ? 0xf_ffff_ffff : epochSeconds + random.int(10 ** 8),
      shardIndex: i % 5 === 0 ? 2 ** 31 - 1 : random.int(2 ** 31),
      offset: i < edges.length ? edges[i]! : random.int(2 ** 40),
      arrivalMs: i % 11 === 0 ? 0xf_ffff_ffff * 1000 : random.int(2 ** 42),
    };
    const count = 1 + random.int(2000);
    const run = encodeSequenceNumberRun(position, count);
    assert.equal(run.length, count);
    for (let k = 0; k < count; k++) assert.equal(run[k], encodeSequenceNumber({ ...position, offset: position.offset + k }), `position ${JSON.stringify(position)} +${k}`);
  }
  assert.deepEqual(encodeSequenceNumberRun({ shardEpochSeconds: epochSeconds, arrivalMs, shardIndex: 0, offset: 0 }, 0), []);
});
