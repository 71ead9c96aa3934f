import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Pagination tokens (the NextToken of ListStreams and ListShards): opaque and tamper-evident, so
 * a client can only hand back what we issued, and we need keep no server-side cursor state.
 *
 * Wire grammar (then base64):
 *   version u8 (=1) | issuedAtMs u64 | payload: UTF-8 JSON (rest, before the tag) |
 *   tag: first 16 bytes of HMAC-SHA256(key, everything before)
 *
 * The payload names the action it belongs to, so a token from one action is refused by another.
 */
export interface PageToken<Payload> {
  issuedAtMs: number;
  payload: Payload;
}

const version = 1;
const headerBytes = 1 + 8;
const tagBytes = 16;

export function encodePageToken(key: Buffer, issuedAtMs: number, payload: unknown): string {
  const json = Buffer.from(JSON.stringify(payload), "utf8");
  const body = Buffer.alloc(headerBytes + json.length);
  body.writeUInt8(version, 0);
  body.writeBigUInt64BE(BigInt(issuedAtMs), 1);
  json.copy(body, headerBytes);
  return Buffer.concat([body, sign(key, body)]).toString("base64");
}

/** Returns undefined for anything we did not issue with this key. The payload is as encoded: callers check its shape. */
export function decodePageToken(key: Buffer, token: string): PageToken<unknown> | undefined {
  const raw = Buffer.from(token, "base64");
  if (raw.length < headerBytes + tagBytes + 1 || raw.toString("base64") !== token) return undefined;
  const body = raw.subarray(0, raw.length - tagBytes);
  if (!timingSafeEqual(raw.subarray(raw.length - tagBytes), sign(key, body))) return undefined;
  if (body.readUInt8(0) !== version) return undefined;
  try {
    return { issuedAtMs: Number(body.readBigUInt64BE(1)), payload: JSON.parse(body.subarray(headerBytes).toString("utf8")) };
  } catch {
    return undefined;
  }
}

function sign(key: Buffer, body: Buffer): Buffer {
  return createHmac("sha256", key).update("page-token\0").update(body).digest().subarray(0, tagBytes);
}
