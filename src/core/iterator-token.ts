import { createHmac, timingSafeEqual } from "node:crypto";
import { assert } from "../util/assert.js";

/**
 * Shard iterators: opaque, tamper-evident tokens.
 *
 * Wire grammar (then base64):
 *   version u8 (=3) | streamId 16 bytes | shardIndex u32 | offset u64 | issuedAtMs u64 |
 *   accountId 12 ASCII digits | streamName utf8 (rest, before the tag) |
 *   tag: first 16 bytes of HMAC-SHA256(key, everything before)
 *
 * The streamId (random per incarnation of a stream name) binds a token to one incarnation, so a
 * token from a deleted stream is refused by a new stream of the same name, however quickly it
 * was recreated. The account names whose stream it is (two accounts may each have the name).
 * Version 2 tokens (before accounts) are refused as not ours: iterators live five minutes.
 */
export interface IteratorPosition {
  /** The account the stream belongs to: 12 digits. */
  accountId: string;
  streamName: string;
  /** The stream incarnation's id: 32 hex digits. */
  streamId: string;
  shardIndex: number;
  /** The next log offset this iterator reads. */
  offset: number;
  issuedAtMs: number;
}

const version = 3;
const streamIdBytes = 16;
const accountIdBytes = 12;
const accountIdAt = 1 + streamIdBytes + 4 + 8 + 8;
const headerBytes = accountIdAt + accountIdBytes;
const tagBytes = 16;

export function encodeIterator(key: Buffer, position: IteratorPosition): string {
  const name = Buffer.from(position.streamName, "utf8");
  const body = Buffer.alloc(headerBytes + name.length);
  body.writeUInt8(version, 0);
  assert(/^[0-9a-f]{32}$/.test(position.streamId), "streamId must be 32 hex digits");
  body.write(position.streamId, 1, streamIdBytes, "hex");
  body.writeUInt32BE(position.shardIndex, 17);
  body.writeBigUInt64BE(BigInt(position.offset), 21);
  body.writeBigUInt64BE(BigInt(position.issuedAtMs), 29);
  assert(/^\d{12}$/.test(position.accountId), "accountId must be 12 digits");
  body.write(position.accountId, accountIdAt, accountIdBytes, "latin1");
  name.copy(body, headerBytes);
  const tag = createHmac("sha256", key).update(body).digest().subarray(0, tagBytes);
  return Buffer.concat([body, tag]).toString("base64");
}

/** Returns undefined for anything we did not issue with this key. */
export function decodeIterator(key: Buffer, token: string): IteratorPosition | undefined {
  const raw = Buffer.from(token, "base64");
  if (raw.length < headerBytes + tagBytes + 1 || raw.toString("base64") !== token) return undefined;
  const body = raw.subarray(0, raw.length - tagBytes);
  const tag = raw.subarray(raw.length - tagBytes);
  const expected = createHmac("sha256", key).update(body).digest().subarray(0, tagBytes);
  if (!timingSafeEqual(tag, expected)) return undefined;
  if (body.readUInt8(0) !== version) return undefined;
  return {
    streamId: body.toString("hex", 1, 1 + streamIdBytes),
    shardIndex: body.readUInt32BE(17),
    offset: Number(body.readBigUInt64BE(21)),
    issuedAtMs: Number(body.readBigUInt64BE(29)),
    accountId: body.toString("latin1", accountIdAt, headerBytes),
    streamName: body.subarray(headerBytes).toString("utf8"),
  };
}
