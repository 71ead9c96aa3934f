import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Shard iterators: opaque, tamper-evident tokens.
 *
 * Wire grammar (then base64):
 *   version u8 (=1) | streamCreatedMs u64 | shardIndex u32 | offset u64 | issuedAtMs u64 |
 *   streamName utf8 (rest, before the tag) | tag: first 16 bytes of HMAC-SHA256(key, everything before)
 *
 * The stream's creation time binds a token to one incarnation of a stream name, so a token from a
 * deleted stream is refused by a new stream of the same name.
 */
export interface IteratorPosition {
  streamName: string;
  streamCreatedMs: number;
  shardIndex: number;
  /** The next log offset this iterator reads. */
  offset: number;
  issuedAtMs: number;
}

const version = 1;
const headerBytes = 1 + 8 + 4 + 8 + 8;
const tagBytes = 16;

export function encodeIterator(key: Buffer, position: IteratorPosition): string {
  const name = Buffer.from(position.streamName, "utf8");
  const body = Buffer.alloc(headerBytes + name.length);
  body.writeUInt8(version, 0);
  body.writeBigUInt64BE(BigInt(position.streamCreatedMs), 1);
  body.writeUInt32BE(position.shardIndex, 9);
  body.writeBigUInt64BE(BigInt(position.offset), 13);
  body.writeBigUInt64BE(BigInt(position.issuedAtMs), 21);
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
    streamCreatedMs: Number(body.readBigUInt64BE(1)),
    shardIndex: body.readUInt32BE(9),
    offset: Number(body.readBigUInt64BE(13)),
    issuedAtMs: Number(body.readBigUInt64BE(21)),
    streamName: body.subarray(headerBytes).toString("utf8"),
  };
}
