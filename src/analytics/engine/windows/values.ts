/**
 * Value helpers of the windowed operators: grouping keys (GROUP BY treats NULL as equal to NULL,
 * "IS NOT DISTINCT FROM"), equality of key values, and the JSON form of values and rows that
 * snapshots use (JSON has no Uint8Array, NaN or ±Infinity, so those are tagged).
 */
import { isInterval, type Row, type SqlValue } from "../../sql/types.js";

/** Equality of two key values, NULL equal to NULL (GROUP BY and PARTITION BY semantics). */
export function sameValue(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (typeof a === "number" && typeof b === "number") return Number.isNaN(a) && Number.isNaN(b);
  if (typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i] as SqlValue, b[i] as SqlValue)) return false;
    return true;
  }
  if (isInterval(a) && isInterval(b)) return a.ms === b.ms && a.months === b.months;
  return false;
}

/** Orders two non-null values of one family (numbers, strings, booleans, intervals). */
export function compareKeys(a: SqlValue, b: SqlValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === "number" && typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  if (isInterval(a) && isInterval(b)) {
    const left = a.ms ?? a.months ?? 0;
    const right = b.ms ?? b.months ?? 0;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  return 0;
}

function keyPart(value: SqlValue): string {
  if (value === null) return "n";
  switch (typeof value) {
    case "string":
      return `s${value.length}:${value}`;
    case "number":
      return `d${value}`;
    case "boolean":
      return value ? "t" : "f";
    default:
      return `j${JSON.stringify(encodeValue(value))}`;
  }
}

/**
 * A Map key for a tuple of values. One primitive value is its own key (a Map tells 1 from "1");
 * several are joined into a string that is unambiguous whatever the strings contain.
 */
export function groupKey(values: readonly SqlValue[]): unknown {
  if (values.length === 1) {
    const only = values[0] as SqlValue;
    if (only === null || typeof only !== "object") return Number.isNaN(only) ? "NaN:number" : only;
  }
  let key = "";
  for (const value of values) key += keyPart(value) + "|";
  return key;
}

/** A value in JSON form (snapshots). */
export function encodeValue(value: SqlValue): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : { number: String(value) };
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return { row: value.map(encodeValue) };
  return { interval: { ms: value.ms, months: value.months } };
}

export function decodeValue(json: unknown): SqlValue {
  if (json === null || typeof json === "string" || typeof json === "boolean" || typeof json === "number") return json;
  const tagged = json as { number?: string; bytes?: string; row?: unknown[]; interval?: { ms?: number; months?: number } };
  if (tagged.number !== undefined) return Number(tagged.number);
  if (tagged.bytes !== undefined) return new Uint8Array(Buffer.from(tagged.bytes, "base64"));
  if (tagged.row !== undefined) return tagged.row.map(decodeValue);
  const interval = tagged.interval ?? {};
  return interval.months !== undefined && interval.months !== null
    ? { kind: "interval", months: interval.months }
    : { kind: "interval", ms: interval.ms ?? 0 };
}

export function encodeRow(row: readonly SqlValue[]): unknown[] {
  return row.map(encodeValue);
}

export function decodeRow(json: unknown): Row {
  return (json as unknown[]).map(decodeValue);
}

/** A time in JSON form: +Infinity (a window that never closes on time) has none. */
export function encodeTime(ms: number): number | null {
  return Number.isFinite(ms) ? ms : null;
}

export function decodeTime(json: unknown, missing: number): number {
  return typeof json === "number" ? json : missing;
}
