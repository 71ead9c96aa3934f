/**
 * Answers as JSON 1.0 and RPC v2 CBOR write them. Actions return plain objects whose timestamps
 * are `Date`s; JSON writes those as epoch seconds (with a fraction when there is one), CBOR as tag
 * 1 over epoch seconds (RPC v2 CBOR's timestamp, unlike Kinesis's CBOR 1.1, which counts milliseconds).
 * Absent (undefined) members are left out in both.
 */
import { encode, Token, Type } from "cborg";

export function jsonBody(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(forJson(value)), "utf8");
}

function forJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(forJson);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = forJson(member);
    return out;
  }
  // JSON has no NaN or Infinity; CloudWatch never answers them, but a stray one must not break the body.
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

const typeEncoders = {
  Date: (date: Date) => {
    const ms = date.getTime();
    return [new Token(Type.tag, 1), ms % 1000 === 0 ? new Token(ms >= 0 ? Type.uint : Type.negint, ms / 1000) : new Token(Type.float, ms / 1000)];
  },
};

export function cborBody(value: unknown): Buffer {
  const bytes = encode(withoutUndefined(value), { typeEncoders, float64: true });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value !== null && typeof value === "object" && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = withoutUndefined(member);
    return out;
  }
  return value;
}
