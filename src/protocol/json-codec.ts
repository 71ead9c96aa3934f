/**
 * awsJson1_1 codec.
 * Requests: one JSON object; blobs are base64 strings and timestamps epoch seconds (numbers,
 * with fraction) — the shape checker converts both, since only it knows which members they are.
 * Responses: `Buffer`/`Uint8Array` values become base64 strings and `Date` values epoch seconds;
 * non-finite numbers become null and undefined members are left out (JSON.stringify's rules).
 */
import { JsonWriter } from "./json-writer.js";
import { SelfEncodingValue } from "./self-encoding.js";

export type DecodeOutcome = { ok: true; value: unknown } | { ok: false };

/** JSON.parse; the pipeline calls it only on bodies json-scan.ts has bounded in depth and value count. */
export function decodeJson(body: Buffer): DecodeOutcome {
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

export function encodeJson(value: unknown): Buffer {
  if (value !== null && typeof value === "object" && Object.values(value).some((member) => member instanceof SelfEncodingValue)) {
    return encodeWithWriter(value as Record<string, unknown>);
  }
  return Buffer.from(JSON.stringify(wireReady(value)) ?? "null", "utf8");
}

/** A response with self-encoding members: those write themselves, the rest go through JSON.stringify. */
function encodeWithWriter(value: Record<string, unknown>): Buffer {
  let estimate = 256;
  for (const member of Object.values(value)) if (member instanceof SelfEncodingValue) estimate += member.jsonBytesEstimate();
  const writer = new JsonWriter(estimate);
  writer.raw(openBrace);
  let first = true;
  for (const key of Object.keys(value)) {
    const member = value[key];
    if (member === undefined) continue;
    if (!first) writer.raw(comma);
    first = false;
    writer.string(key);
    writer.raw(colon);
    if (member instanceof SelfEncodingValue) member.writeJson(writer);
    else writer.encoded(JSON.stringify(wireReady(member)) ?? "null");
  }
  writer.raw(closeBrace);
  return writer.finish();
}

const openBrace = Buffer.from("{");
const closeBrace = Buffer.from("}");
const comma = Buffer.from(",");
const colon = Buffer.from(":");

/**
 * The value with blobs as base64 strings and Dates as epoch seconds, ready for the native
 * JSON.stringify (several times faster than serialising in JavaScript). Containers are copied
 * only when something inside them changes, so a PutRecords answer passes through untouched.
 */
function wireReady(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const ready = wireReady(item);
      if (ready !== item) {
        copy ??= value.slice();
        copy[i] = ready;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const ready = wireReady(item);
    if (ready !== item) {
      copy ??= { ...record };
      copy[key] = ready;
    }
  }
  return copy ?? value;
}
