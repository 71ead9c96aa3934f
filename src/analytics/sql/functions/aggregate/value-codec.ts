/**
 * Keys and JSON forms of SQL values, for the accumulators that remember values (MIN/MAX's counted
 * multiset, DISTINCT, FIRST_VALUE) and for the analytic functions' snapshots.
 *
 * A key is a primitive that Map compares by value and `<` orders as SQL orders the values of one
 * type: numbers (numeric, TIMESTAMP, DATE, TIME, intervals in ms or months) by value, strings by
 * UTF-16 code unit, BOOLEAN false before true, binary strings byte by byte (as a latin1 string).
 * One accumulator only ever sees values of one type, so keys of different kinds never meet.
 */
import { isInterval, type SqlValue } from "../../types.js";

export type ValueKey = number | string | boolean;

/** The key of a non-null value. */
export function valueKey(value: SqlValue): ValueKey {
  switch (typeof value) {
    case "number":
    case "string":
    case "boolean":
      return value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("latin1");
  if (Array.isArray(value)) return JSON.stringify(encodeValue(value));
  if (value !== null && isInterval(value)) return value.ms ?? value.months ?? 0;
  throw new Error("valueKey: null has no key");
}

/**
 * A JSON-safe form of a value: null, booleans, strings and finite numbers as themselves; the rest
 * tagged — {n} non-finite numbers, {b} binary (base64), {i}/{m} intervals, {r} ROW values.
 */
export type EncodedValue =
  | null
  | boolean
  | number
  | string
  | { n: string }
  | { b: string }
  | { i: number }
  | { m: number }
  | { r: EncodedValue[] };

export function encodeValue(value: SqlValue): EncodedValue {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { n: String(value) };
  if (value instanceof Uint8Array) return { b: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") };
  if (Array.isArray(value)) return { r: value.map(encodeValue) };
  return value.months !== undefined ? { m: value.months } : { i: value.ms ?? 0 };
}

export function decodeValue(encoded: EncodedValue): SqlValue {
  if (encoded === null || typeof encoded !== "object") return encoded;
  if ("n" in encoded) return Number(encoded.n);
  if ("b" in encoded) return new Uint8Array(Buffer.from(encoded.b, "base64"));
  if ("r" in encoded) return encoded.r.map(decodeValue);
  if ("m" in encoded) return { kind: "interval", months: encoded.m };
  return { kind: "interval", ms: encoded.i };
}

/** Typed arrays as base64 of their bytes: exact, and a quarter of the size of a JSON number list. */
export function encodeFloat64(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

export function decodeFloat64(text: string): Float64Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function encodeInt32(values: Int32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

export function decodeInt32(text: string): Int32Array {
  const bytes = Buffer.from(text, "base64");
  const out = new Int32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
