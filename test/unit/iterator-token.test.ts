import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeIterator, encodeIterator, type IteratorPosition } from "../../src/core/iterator-token.js";

const key = Buffer.alloc(32, 7);
const position: IteratorPosition = {
  accountId: "111122223333",
  streamName: "orders.v2_stream-1",
  streamId: "0123456789abcdef0123456789abcdef",
  shardIndex: 12,
  offset: 987_654_321,
  issuedAtMs: 1_714_564_900_456,
};

test("core > iterator-token > decoding returns what was encoded", () => {
  assert.deepEqual(decodeIterator(key, encodeIterator(key, position)), position);
  const extreme = { ...position, streamName: "a".repeat(128), shardIndex: 2 ** 32 - 1, offset: Number.MAX_SAFE_INTEGER };
  assert.deepEqual(decodeIterator(key, encodeIterator(key, extreme)), extreme);
});

test("core > iterator-token > the account is part of the token", () => {
  const other = decodeIterator(key, encodeIterator(key, { ...position, accountId: "444455556666" }));
  assert.equal(other?.accountId, "444455556666");
  assert.notEqual(encodeIterator(key, { ...position, accountId: "444455556666" }), encodeIterator(key, position));
});

test("core > iterator-token > tokens fit GetRecords' 512-character ShardIterator for the longest stream name", () => {
  const token = encodeIterator(key, { ...position, streamName: "x".repeat(128) });
  assert.ok(token.length <= 512, `length ${token.length}`);
});

test("core > iterator-token > any changed byte is refused", () => {
  const raw = Buffer.from(encodeIterator(key, position), "base64");
  for (let i = 0; i < raw.length; i++) {
    const tampered = Buffer.from(raw);
    tampered[i]! ^= 0x01;
    assert.equal(decodeIterator(key, tampered.toString("base64")), undefined, `byte ${i}`);
  }
});

test("core > iterator-token > a token signed with another key is refused", () => {
  assert.equal(decodeIterator(Buffer.alloc(32, 8), encodeIterator(key, position)), undefined);
});

test("core > iterator-token > garbage, truncations and non-canonical base64 are refused", () => {
  const token = encodeIterator(key, position);
  for (const text of ["", "AAAA", "not base64 at all!", token.slice(0, -4), token + "AAAA", "x".repeat(512)]) {
    assert.equal(decodeIterator(key, text), undefined, text);
  }
});

test("core > iterator-token > a padded token without its padding is refused", () => {
  const padded = encodeIterator(key, { ...position, streamName: "ab" });
  assert.match(padded, /=$/);
  assert.equal(decodeIterator(key, padded.replace(/=+$/, "")), undefined);
});
