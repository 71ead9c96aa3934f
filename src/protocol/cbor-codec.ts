/**
 * awsCbor1_1 codec (RFC 8949), as the AWS SDK for Java speaks it to Kinesis.
 * Requests: one map (definite or indefinite length); blobs are byte strings; timestamps are
 * tag 1 over epoch milliseconds (the Java SDK writes milliseconds, not the RFC's seconds).
 * Responses: `Date` values are written the same way, tag 1 over integer epoch milliseconds;
 * `Buffer` values are byte strings.
 */
import { decode, encode, Token, Type } from "cborg";
import { WireTimestamp } from "./timestamp.js";
import type { DecodeOutcome } from "./json-codec.js";
import { SelfEncodingValue } from "./self-encoding.js";

const tags: ((decode: () => unknown) => unknown)[] = [];
tags[1] = (inner) => {
  const value = inner();
  return typeof value === "number" || typeof value === "bigint" ? new WireTimestamp(Number(value)) : value;
};

export function decodeCbor(body: Buffer): DecodeOutcome {
  try {
    // cborg recurses per level: the pipeline calls this only on bodies cbor-scan.ts has bounded in depth and size.
    return { ok: true, value: decode(body, { tags, useMaps: false, rejectDuplicateMapKeys: false, allowUndefined: false }) };
  } catch {
    return { ok: false };
  }
}

const typeEncoders = {
  Date: (date: Date) => [new Token(Type.tag, 1), new Token(Type.uint, date.getTime())],
  undefined: () => [new Token(Type.null, null)],
};

export function encodeCbor(value: unknown): Buffer {
  const bytes = encode(stripUndefined(value), { typeEncoders });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** cborg writes undefined members; AWS omits absent members. */
function stripUndefined(value: unknown): unknown {
  if (value instanceof SelfEncodingValue) return stripUndefined(value.toWireValue());
  if (Array.isArray(value)) return value.map(stripUndefined);
  if (value && typeof value === "object" && !(value instanceof Uint8Array) && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = stripUndefined(member);
    return out;
  }
  return value;
}
