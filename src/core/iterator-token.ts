import { createCipheriv, createHmac, timingSafeEqual } from "node:crypto";
import { assert } from "../util/assert.js";

/**
 * Shard iterators: opaque, tamper-evident, encrypted tokens in AWS's outward shape — base64 of
 * 152 + 16·n bytes that begin 00 00 00 00 00 00 00 01 (AWS's documented example decodes to 152
 * bytes with that start; kinesalite's tests, recorded against AWS, check both).
 *
 * Wire grammar (then base64):
 *   prefix   00 00 00 00 00 00 00 01
 *   siv      16 bytes: the first 16 of HMAC-SHA256(macKey, plaintext)
 *   sealed   AES-256-CTR(encKey, iv = siv) of the plaintext: 128 + 16·n bytes
 * plaintext:
 *   version u8 (=4) | streamId 16 bytes | shardIndex u32 | offset u64 | issuedAtMs u64 |
 *   accountId 12 ASCII digits | streamName length u8 | streamName (UTF-8) | zeros to 128 + 16·n
 *
 * Why encrypted: AWS's iterators look random, and a token should not show whose stream it reads
 * (names, account ids) to whoever holds it. Why a synthetic IV: the token needs no randomness
 * (core/ takes none) and the IV doubles as the tag — decrypting and recomputing the HMAC detects
 * any changed byte (the SIV construction: deterministic authenticated encryption). Both keys are
 * derived from the catalog's secret, so tokens survive a restart of the same data directory.
 *
 * The streamId (random per incarnation of a stream name) binds a token to one incarnation; the
 * account names whose stream it is. Tokens of earlier layouts (version 3: no prefix, plain) are
 * refused as not ours: iterators live five minutes.
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

const prefix = Buffer.from([0, 0, 0, 0, 0, 0, 0, 1]);
const sivBytes = 16;
const headerBytes = prefix.length + sivBytes;
/** The smallest sealed part: 24 + 128 = 152 bytes in all, as AWS's tokens for short names. */
const sealedBytesMin = 128;
const blockBytes = 16;
const version = 4;
const streamIdBytes = 16;
const accountIdBytes = 12;
const shardIndexAt = 1 + streamIdBytes;
const offsetAt = shardIndexAt + 4;
const issuedAtAt = offsetAt + 8;
const accountIdAt = issuedAtAt + 8;
const nameLengthAt = accountIdAt + accountIdBytes;
const nameAt = nameLengthAt + 1;
const nameBytesMax = 255;

interface IteratorKeys {
  encKey: Buffer;
  macKey: Buffer;
}

/** Keys derived once per secret (one secret per server). */
const derivedKeys = new WeakMap<Buffer, IteratorKeys>();

function keysOf(secret: Buffer): IteratorKeys {
  let keys = derivedKeys.get(secret);
  if (keys === undefined) {
    keys = {
      encKey: createHmac("sha256", secret).update("tributary shard iterator: encryption").digest(),
      macKey: createHmac("sha256", secret).update("tributary shard iterator: authentication").digest(),
    };
    derivedKeys.set(secret, keys);
  }
  return keys;
}

export function encodeIterator(secret: Buffer, position: IteratorPosition): string {
  const name = Buffer.from(position.streamName, "utf8");
  assert(name.length <= nameBytesMax, "stream names are at most 128 characters");
  assert(/^[0-9a-f]{32}$/.test(position.streamId), "streamId must be 32 hex digits");
  assert(/^\d{12}$/.test(position.accountId), "accountId must be 12 digits");
  const plain = Buffer.alloc(Math.max(sealedBytesMin, Math.ceil((nameAt + name.length) / blockBytes) * blockBytes));
  plain.writeUInt8(version, 0);
  plain.write(position.streamId, 1, streamIdBytes, "hex");
  plain.writeUInt32BE(position.shardIndex, shardIndexAt);
  plain.writeBigUInt64BE(BigInt(position.offset), offsetAt);
  plain.writeBigUInt64BE(BigInt(position.issuedAtMs), issuedAtAt);
  plain.write(position.accountId, accountIdAt, accountIdBytes, "latin1");
  plain.writeUInt8(name.length, nameLengthAt);
  name.copy(plain, nameAt);
  const keys = keysOf(secret);
  const siv = createHmac("sha256", keys.macKey).update(plain).digest().subarray(0, sivBytes);
  const cipher = createCipheriv("aes-256-ctr", keys.encKey, siv);
  return Buffer.concat([prefix, siv, cipher.update(plain), cipher.final()]).toString("base64");
}

/** Returns undefined for anything we did not issue with this secret. */
export function decodeIterator(secret: Buffer, token: string): IteratorPosition | undefined {
  const raw = Buffer.from(token, "base64");
  const sealedLength = raw.length - headerBytes;
  if (sealedLength < sealedBytesMin || sealedLength % blockBytes !== 0 || raw.toString("base64") !== token) return undefined;
  if (!raw.subarray(0, prefix.length).equals(prefix)) return undefined;
  const siv = raw.subarray(prefix.length, headerBytes);
  const keys = keysOf(secret);
  const decipher = createCipheriv("aes-256-ctr", keys.encKey, siv);
  const plain = Buffer.concat([decipher.update(raw.subarray(headerBytes)), decipher.final()]);
  const expected = createHmac("sha256", keys.macKey).update(plain).digest().subarray(0, sivBytes);
  if (!timingSafeEqual(siv, expected)) return undefined;
  if (plain.readUInt8(0) !== version) return undefined;
  const nameLength = plain.readUInt8(nameLengthAt);
  if (nameAt + nameLength > plain.length) return undefined;
  return {
    streamId: plain.toString("hex", 1, 1 + streamIdBytes),
    shardIndex: plain.readUInt32BE(shardIndexAt),
    offset: Number(plain.readBigUInt64BE(offsetAt)),
    issuedAtMs: Number(plain.readBigUInt64BE(issuedAtAt)),
    accountId: plain.toString("latin1", accountIdAt, nameLengthAt),
    streamName: plain.toString("utf8", nameAt, nameAt + nameLength),
  };
}
