/**
 * awsJson1_1 codec.
 * Requests: one JSON object; blobs are base64 strings and timestamps epoch seconds (numbers,
 * with fraction) — the shape checker converts both, since only it knows which members they are.
 * Responses: `Buffer`/`Uint8Array` values become base64 strings and `Date` values epoch seconds.
 */
export type DecodeOutcome = { ok: true; value: unknown } | { ok: false };

export function decodeJson(body: Buffer): DecodeOutcome {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

export function encodeJson(value: unknown): Buffer {
  const parts: string[] = [];
  write(value, parts);
  return Buffer.from(parts.join(""), "utf8");
}

function write(value: unknown, out: string[]): void {
  if (value === null || value === undefined) {
    out.push("null");
  } else if (typeof value === "string") {
    out.push(JSON.stringify(value));
  } else if (typeof value === "number") {
    out.push(Number.isFinite(value) ? String(value) : "null");
  } else if (typeof value === "boolean") {
    out.push(value ? "true" : "false");
  } else if (value instanceof Date) {
    out.push(String(value.getTime() / 1000));
  } else if (value instanceof Uint8Array) {
    out.push('"', Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64"), '"');
  } else if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      write(value[i], out);
    }
    out.push("]");
  } else if (typeof value === "object") {
    out.push("{");
    let first = true;
    for (const [key, member] of Object.entries(value)) {
      if (member === undefined) continue;
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      write(member, out);
    }
    out.push("}");
  } else {
    out.push("null");
  }
}
