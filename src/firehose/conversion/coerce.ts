/**
 * One parsed JSON value → the value the Parquet writer takes for a Hive type, as the JSON SerDes
 * read it: numbers from JSON numbers or numeric strings (a fraction dropped for integer types,
 * as Java's Number.intValue does), strings from any scalar (objects and arrays as their JSON
 * text), booleans from true/false or their text, timestamps and dates by the deserializer's
 * formats, decimals rounded half-up to the scale. A value that does not fit throws a
 * MismatchError, which fails the record as DataFormatConversion.MalformedData.
 */
import type { HiveType } from "./hive-type.js";
import { parseDate } from "./timestamps.js";

export class MismatchError extends Error {}

export interface KeyOptions {
  /** Match JSON keys to columns and fields without regard to case. */
  caseInsensitive: boolean;
  /** `a.b` → `a_b` before matching. */
  dotsToUnderscores: boolean;
  /** Column or field name → the JSON key it reads. */
  mappings: ReadonlyMap<string, string>;
  parseTimestamp(value: unknown): number | undefined;
}

const integerRanges = {
  tinyint: [-128, 127],
  smallint: [-32768, 32767],
  int: [-(2 ** 31), 2 ** 31 - 1],
} as const;
const bigintMin = -(2n ** 63n);
const bigintMax = 2n ** 63n - 1n;

/** Reads a struct (a top-level record too) from a JSON object by its fields. */
export function coerceStruct(object: Record<string, unknown>, fields: readonly { name: string; type: HiveType }[], options: KeyOptions): Record<string, unknown> {
  const keyed = keyIndex(object, options);
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const key = options.mappings.get(field.name) ?? field.name;
    const value = keyed.get(options.caseInsensitive ? key.toLowerCase() : key);
    out[field.name] = coerce(value, field.type, options);
  }
  return out;
}

function keyIndex(object: Record<string, unknown>, options: KeyOptions): Map<string, unknown> {
  const index = new Map<string, unknown>();
  for (const [rawKey, value] of Object.entries(object)) {
    let key = options.dotsToUnderscores ? rawKey.replaceAll(".", "_") : rawKey;
    if (options.caseInsensitive) key = key.toLowerCase();
    // The first of two keys that fold to one name wins, as a JSON object read in order keeps it.
    if (!index.has(key)) index.set(key, value);
  }
  return index;
}

export function coerce(value: unknown, type: HiveType, options: KeyOptions): unknown {
  if (value === undefined || value === null) return null;
  switch (type.kind) {
    case "string":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "tinyint":
    case "smallint":
    case "int": {
      const number = Math.trunc(numberOf(value));
      const [low, high] = integerRanges[type.kind];
      if (number < low || number > high) throw new MismatchError(`Value ${String(value)} is out of range for ${type.kind}`);
      return number;
    }
    case "bigint":
      return bigintOf(value);
    case "double":
    case "float":
      return numberOf(value);
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value === "string") return value.trim().toLowerCase() === "true";
      throw mismatch(value, "Boolean");
    case "timestamp": {
      const ms = options.parseTimestamp(value);
      if (ms === undefined) throw new MismatchError(`Cannot parse "${String(value)}" as a timestamp`);
      return new Date(ms);
    }
    case "date": {
      const days = parseDate(value);
      if (days === undefined) throw new MismatchError(`Cannot parse "${String(value)}" as a date`);
      return days;
    }
    case "decimal":
      return decimalOf(value, type.precision, type.scale);
    case "binary":
      // Only Hive's SerDe gets here (OpenX refuses a binary column): base64 text, as Hive reads it.
      if (typeof value !== "string") throw mismatch(value, "binary");
      return new Uint8Array(Buffer.from(value, "base64"));
    case "array": {
      if (!Array.isArray(value)) throw mismatch(value, "JSONArray");
      return value.map((item) => coerce(item, type.element, options));
    }
    case "map": {
      if (!isObject(value)) throw mismatch(value, "JSONObject");
      return Object.entries(value).map(([key, item]) => {
        const mapKey = coerce(key, type.key, options);
        if (mapKey === null) throw new MismatchError("A map key cannot be null");
        return { key: mapKey, value: coerce(item, type.value, options) };
      });
    }
    case "struct":
      if (!isObject(value)) throw mismatch(value, "JSONObject");
      return coerceStruct(value, type.fields, options);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function mismatch(value: unknown, expected: string): MismatchError {
  const javaClass = typeof value === "string" ? "java.lang.String" : typeof value === "number" ? (Number.isInteger(value) ? "java.lang.Long" : "java.lang.Double") : typeof value === "boolean" ? "java.lang.Boolean" : Array.isArray(value) ? "JSONArray" : "JSONObject";
  return new MismatchError(`Data is not ${expected} but ${javaClass} with value ${typeof value === "object" ? JSON.stringify(value) : String(value)}`);
}

function numberOf(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  // Java's NumberFormatException text, which Firehose's message carries.
  if (typeof value === "string") throw new MismatchError(`For input string: "${value}"`);
  throw mismatch(value, "Number");
}

function bigintOf(value: unknown): bigint {
  let result: bigint;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new MismatchError(`Value ${value} is out of range for bigint`);
    result = BigInt(Math.trunc(value));
  } else if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) {
    result = BigInt(value.trim());
  } else if (typeof value === "string" && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) {
    result = BigInt(Math.trunc(Number(value)));
  } else if (typeof value === "string") {
    throw new MismatchError(`For input string: "${value}"`);
  } else {
    throw mismatch(value, "Number");
  }
  if (result < bigintMin || result > bigintMax) throw new MismatchError(`Value ${String(value)} is out of range for bigint`);
  return result;
}

/** The decimal's unscaled value, rounded half-up to `scale` digits; more than `precision` digits fail. */
export function decimalOf(value: unknown, precision: number, scale: number): bigint {
  const text = typeof value === "number" ? numberText(value) : typeof value === "string" ? value.trim() : undefined;
  if (text === undefined) throw mismatch(value, "Number");
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null || (match[2] === "" && (match[3] ?? "") === "")) throw new MismatchError(`For input string: "${text}"`);
  const negative = match[1] === "-";
  let digits = (match[2] ?? "") + (match[3] ?? "");
  // The position of the decimal point within `digits`, moved by the exponent.
  let point = (match[2] ?? "").length + Number(match[4] ?? 0);
  if (point < 0) {
    digits = "0".repeat(-point) + digits;
    point = 0;
  }
  digits = digits.padEnd(point + scale + 1, "0");
  const kept = digits.slice(0, point + scale);
  let unscaled = BigInt(kept === "" ? "0" : kept);
  if (Number(digits[point + scale]) >= 5) unscaled += 1n;
  if (unscaled >= 10n ** BigInt(precision)) throw new MismatchError(`Value ${text} does not fit decimal(${precision},${scale})`);
  return negative ? -unscaled : unscaled;
}

/** A JSON number's digits without exponent rounding surprises (1e-7 → "0.0000001"). */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new MismatchError(`Value ${value} is not a decimal`);
  return String(value);
}
