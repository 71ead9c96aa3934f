import { it } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
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

it("core > iterator-token > decoding returns what was encoded", () => {
  assert.deepEqual(decodeIterator(key, encodeIterator(key, position)), position);
  const extreme = { ...position, streamName: "a".repeat(128), shardIndex: 2 ** 32 - 1, offset: Number.MAX_SAFE_INTEGER };
  assert.deepEqual(decodeIterator(key, encodeIterator(key, extreme)), extreme);
});

it("core > iterator-token > the account is part of the token", () => {
  const other = decodeIterator(key, encodeIterator(key, { ...position, accountId: "444455556666" }));
  assert.equal(other?.accountId, "444455556666");
  assert.notEqual(encodeIterator(key, { ...position, accountId: "444455556666" }), encodeIterator(key, position));
});

it("core > iterator-token > tokens fit GetRecords' 512-character ShardIterator for the longest stream name", () => {
  const token = encodeIterator(key, { ...position, streamName: "x".repeat(128) });
  assert.ok(token.length <= 512, `length ${token.length}`);
});

it("core > iterator-token > any changed byte is refused", () => {
  const raw = Buffer.from(encodeIterator(key, position), "base64");
  for (let i = 0; i < raw.length; i++) {
    const tampered = Buffer.from(raw);
    tampered[i]! ^= 0x01;
    assert.equal(decodeIterator(key, tampered.toString("base64")), undefined, `byte ${i}`);
  }
});

it("core > iterator-token > a token signed with another key is refused", () => {
  assert.equal(decodeIterator(Buffer.alloc(32, 8), encodeIterator(key, position)), undefined);
});

it("core > iterator-token > garbage, truncations and non-canonical base64 are refused", () => {
  const token = encodeIterator(key, position);
  for (const text of ["", "AAAA", "not base64 at all!", token.slice(0, -4), token + "AAAA", "x".repeat(512)]) {
    assert.equal(decodeIterator(key, text), undefined, text);
  }
});

it("core > iterator-token > a padded token without its padding is refused", () => {
  const padded = encodeIterator(key, { ...position, streamName: "ab" });
  assert.match(padded, /=$/);
  assert.equal(decodeIterator(key, padded.replace(/=+$/, "")), undefined);
});

/** AWS's documented example (GetShardIterator in the Kinesis developer guide's CLI walk-through). */
const awsExample =
  "AAAAAAAAAAHSywljv0zEgPX4NyKdZ5wryMzP9yALs8NeKbUjp1IxtZs1Sp+KEd9I6AJ9ZG4lNR1EMi+9Md/nHvtLyxpfhEzYvkTZ4D9DQVz/mBYWRO6OTZRKnW9gd+efGN2aHFdkH1rJl4BL9Wyrk+ghYG22D2T1Da2EyNSH1+LAbK33gQweTJADBdyMwlo5r6PqcP2dzhg=";

it("core > iterator-token > tokens have AWS's shape: 00…01, then 152 + 16·n bytes in all, for every stream name length", () => {
  const example = Buffer.from(awsExample, "base64");
  assert.equal(example.length, 152);
  const lengths = new Set<number>();
  for (let length = 1; length <= 128; length++) {
    const token = encodeIterator(key, { ...position, streamName: "s".repeat(length) });
    const raw = Buffer.from(token, "base64");
    assert.deepEqual([...raw.subarray(0, 8)], [...example.subarray(0, 8)]);
    assert.equal((raw.length - 152) % 16, 0, `name of ${length}`);
    assert.ok(raw.length >= 152);
    lengths.add(raw.length);
  }
  assert.ok(lengths.has(152));
  assert.deepEqual(decodeIterator(key, awsExample), undefined);
});

it("core > iterator-token > the stream name and account do not show in the token", () => {
  const raw = Buffer.from(encodeIterator(key, position), "base64");
  assert.equal(raw.indexOf(Buffer.from(position.streamName)), -1);
  assert.equal(raw.indexOf(Buffer.from(position.accountId)), -1);
  assert.equal(raw.indexOf(Buffer.from(position.streamId, "hex")), -1);
});

it("core > iterator-token > the earlier layout (version 3: a plain HMAC-signed body) is refused", () => {
  const body = Buffer.alloc(1 + 16 + 4 + 8 + 8 + 12 + position.streamName.length);
  body.writeUInt8(3, 0);
  const tag = createHmac("sha256", key).update(body).digest().subarray(0, 16);
  assert.equal(decodeIterator(key, Buffer.concat([body, tag]).toString("base64")), undefined);
});
