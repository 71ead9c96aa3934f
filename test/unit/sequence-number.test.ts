import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeSequenceNumber, encodeSequenceNumber, encodeSequenceNumberRun, type SequencePosition } from "../../src/core/sequence-number.js";
import { SeededRandom } from "../../src/util/random.js";

const arrivalMs = Date.UTC(2024, 4, 1, 12, 0, 0, 123);

function compare(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

test("core > sequence-number > numbers are 56 decimal digits matching AWS's pattern", () => {
  for (const position of [
    { arrivalMs: 0, shardIndex: 0, offset: 0 },
    { arrivalMs, shardIndex: 3, offset: 42 },
    { arrivalMs: 2 ** 44 - 1, shardIndex: 2 ** 24 - 1, offset: Number.MAX_SAFE_INTEGER },
  ]) {
    const text = encodeSequenceNumber(position);
    assert.match(text, /^[1-9]\d{55}$/);
    assert.match(text, /^(0|([1-9]\d{0,128}))$/);
  }
});

test("core > sequence-number > decoding returns the encoded position", () => {
  const random = new SeededRandom(7);
  for (let i = 0; i < 200; i++) {
    const position: SequencePosition = {
      arrivalMs: random.int(2 ** 44),
      shardIndex: random.int(2 ** 24),
      offset: random.int(Number.MAX_SAFE_INTEGER),
    };
    assert.deepEqual(decodeSequenceNumber(encodeSequenceNumber(position)), position);
  }
});

test("core > sequence-number > strictly increasing along a shard's offsets, even within one millisecond", () => {
  let previous = encodeSequenceNumber({ arrivalMs, shardIndex: 2, offset: 0 });
  for (let offset = 1; offset < 100; offset++) {
    const next = encodeSequenceNumber({ arrivalMs: arrivalMs + Math.floor(offset / 10), shardIndex: 2, offset });
    assert.equal(compare(next, previous), 1);
    previous = next;
  }
});

test("core > sequence-number > a later arrival is larger on any shard at any offset", () => {
  const earlier = encodeSequenceNumber({ arrivalMs, shardIndex: 9, offset: 1_000_000 });
  const later = encodeSequenceNumber({ arrivalMs: arrivalMs + 1, shardIndex: 0, offset: 0 });
  assert.equal(compare(later, earlier), 1);
});

test("core > sequence-number > within one millisecond a higher shard index is larger", () => {
  const low = encodeSequenceNumber({ arrivalMs, shardIndex: 1, offset: 500 });
  const high = encodeSequenceNumber({ arrivalMs, shardIndex: 2, offset: 0 });
  assert.equal(compare(high, low), 1);
});

test("core > sequence-number > numbers we did not issue decode to nothing", () => {
  const ours = encodeSequenceNumber({ arrivalMs, shardIndex: 1, offset: 5 });
  const notOurs = [
    "",
    "0",
    "5",
    "abc",
    ours.slice(1),
    ours + "0",
    // A real AWS sequence number: 56 digits, but not our layout.
    "49590338271490256608559692538361571095921575989136588898",
    // Our marker and fields, with a low bit set.
    (BigInt(ours) + 1n).toString(),
    // An offset past what a JavaScript number holds exactly.
    ((1n << 184n) | (((1n << 64n) - 1n) << 52n)).toString(),
    " " + ours.slice(1),
  ];
  for (const text of notOurs) assert.equal(decodeSequenceNumber(text), undefined, text);
});

test("core > sequence-number > a run of consecutive offsets equals encoding each one", () => {
  const random = new SeededRandom(11);
  const edges = [0, 1, 2 ** 20 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER - 600];
  for (let i = 0; i < 400; i++) {
    const position: SequencePosition = {
      arrivalMs: i % 7 === 0 ? 2 ** 44 - 1 : random.int(2 ** 44),
      shardIndex: i % 5 === 0 ? 2 ** 24 - 1 : random.int(2 ** 24),
      offset: i < edges.length ? edges[i]! : random.int(2 ** 40),
    };
    const count = 1 + random.int(520);
    const run = encodeSequenceNumberRun(position, count);
    assert.equal(run.length, count);
    for (let k = 0; k < count; k++) assert.equal(run[k], encodeSequenceNumber({ ...position, offset: position.offset + k }), `position ${JSON.stringify(position)} +${k}`);
  }
  assert.deepEqual(encodeSequenceNumberRun({ arrivalMs, shardIndex: 0, offset: 0 }, 0), []);
});
