import { it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { evenHashKeyRanges, hashKeyHex, hashKeyMax, hashPartitionKey, partitionKeyHashHex, rangeContains } from "../../src/core/hash-key.js";
import { SeededRandom } from "../../src/util/random.js";

const twoTo128 = 1n << 128n;

it("core > hash-key > the key space is the unsigned 128-bit integers", () => {
  assert.equal(hashKeyMax, 340282366920938463463374607431768211455n);
});

it("core > hash-key > a partition key hashes to the MD5 of its UTF-8 bytes, big-endian", () => {
  // Known MD5 vectors (RFC 1321 test suite), so the expectation does not reuse the code under test.
  assert.equal(hashPartitionKey(""), 0xd41d8cd98f00b204e9800998ecf8427en);
  assert.equal(hashPartitionKey("a"), 0x0cc175b9c0f1b6a831c399e269772661n);
  assert.equal(hashPartitionKey("abc"), 0x900150983cd24fb0d6963f7d28e17f72n);
  assert.equal(hashPartitionKey("message digest"), 0xf96b697d7cb7938d525a2f31aaf161d0n);
});

it("core > hash-key > non-ASCII partition keys hash their UTF-8 encoding", () => {
  const key = "ключ-🔑";
  const expected = BigInt("0x" + createHash("md5").update(Buffer.from(key, "utf8")).digest("hex"));
  assert.equal(hashPartitionKey(key), expected);
  assert.notEqual(hashPartitionKey(key), BigInt("0x" + createHash("md5").update(Buffer.from(key, "latin1")).digest("hex")));
});

it("core > hash-key > even ranges split 2^128 as AWS does, the last shard taking the remainder", () => {
  const ranges = evenHashKeyRanges(3);
  const width = twoTo128 / 3n;
  assert.deepEqual(ranges, [
    { StartingHashKey: "0", EndingHashKey: String(width - 1n) },
    { StartingHashKey: String(width), EndingHashKey: String(width * 2n - 1n) },
    { StartingHashKey: String(width * 2n), EndingHashKey: String(twoTo128 - 1n) },
  ]);
  // AWS's figures for a three-shard stream (kinesalite's tests put records at these boundaries).
  assert.equal(ranges[1]!.EndingHashKey, "226854911280625642308916404954512140969");
  assert.equal(ranges[2]!.StartingHashKey, "226854911280625642308916404954512140970");
});

it("core > hash-key > even ranges are contiguous and cover the whole space for any count", () => {
  for (const count of [1, 2, 5, 7, 64, 500]) {
    const ranges = evenHashKeyRanges(count);
    assert.equal(ranges.length, count);
    assert.equal(ranges[0]!.StartingHashKey, "0");
    assert.equal(ranges.at(-1)!.EndingHashKey, String(hashKeyMax));
    for (let i = 1; i < count; i++) assert.equal(BigInt(ranges[i]!.StartingHashKey), BigInt(ranges[i - 1]!.EndingHashKey) + 1n);
  }
});

it("core > hash-key > rangeContains includes both ends and nothing outside", () => {
  const range = { StartingHashKey: "10", EndingHashKey: "20" };
  assert.equal(rangeContains(range, 9n), false);
  assert.equal(rangeContains(range, 10n), true);
  assert.equal(rangeContains(range, 20n), true);
  assert.equal(rangeContains(range, 21n), false);
});

it("core > hash-key > hex keys are the same MD5 and order exactly as the numbers they spell", () => {
  const random = new SeededRandom(5);
  const keys = ["", "a", "héllo", "🙂", "x".repeat(256)];
  for (const key of keys) assert.equal(BigInt("0x" + partitionKeyHashHex(key)), hashPartitionKey(key));
  const values = [0n, 1n, hashKeyMax, hashKeyMax - 1n, 1n << 64n];
  for (let i = 0; i < 300; i++) values.push(BigInt("0x" + random.bytes(16).toString("hex")) >> BigInt(random.int(128)));
  for (const value of values) assert.equal(hashKeyHex(value).length, 32);
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j += 7) {
      const [a, b] = [values[i]!, values[j]!];
      assert.equal(hashKeyHex(a) < hashKeyHex(b), a < b, `${a} vs ${b}`);
    }
  }
});
