/**
 * Reads a decoded JSON or CBOR body against the model (model.ts): members the shape names are
 * copied out with their types checked, anything else is dropped (unknown members, `__proto__`),
 * null counts as absent, timestamps become epoch milliseconds. The first value of the wrong type
 * answers a SerializationException naming its path, as a Coral deserializer stops at the first.
 */
import type { Shape, StructureShape } from "../model.js";
import { cloudWatchErrors } from "../errors.js";

/** A CBOR tag 1 value: seconds since the epoch (Smithy RPC v2 CBOR's timestamp). */
export class EpochSeconds {
  constructor(readonly seconds: number) {}
}

export function readStructure(value: unknown, shape: StructureShape): Record<string, unknown> {
  return readValue(value, shape, "") as Record<string, unknown>;
}

function readValue(value: unknown, shape: Shape, path: string): unknown {
  switch (shape.type) {
    case "string":
      if (typeof value !== "string") throw mismatch(path, "a string", value);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw mismatch(path, "a boolean", value);
      return value;
    case "integer":
      if (typeof value === "bigint" && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(value);
      if (typeof value !== "number" || !Number.isSafeInteger(value)) throw mismatch(path, "an integer", value);
      return value;
    case "double":
      if (typeof value === "bigint") return Number(value);
      if (typeof value !== "number") throw mismatch(path, "a number", value);
      return value;
    case "timestamp": {
      const seconds = value instanceof EpochSeconds ? value.seconds : value;
      if (typeof seconds === "bigint") return Number(seconds) * 1000;
      if (typeof seconds !== "number" || !Number.isFinite(seconds)) throw mismatch(path, "a timestamp", value);
      // Milliseconds are the finest unit CloudWatch keeps; a fraction below them is dropped.
      return Math.floor(seconds * 1000);
    }
    case "list": {
      if (!Array.isArray(value)) throw mismatch(path, "a list", value);
      const items: unknown[] = [];
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        // A null list member is kept as absent: the actions word it as a missing member.
        items.push(item === null ? undefined : readValue(item, shape.member, `${path}[${index}]`));
      }
      return items;
    }
    case "map": {
      if (!isPlainObject(value)) throw mismatch(path, "a map", value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = value[key];
        if (item !== null && item !== undefined && key !== "__proto__") out[key] = readValue(item, shape.value, `${path}.${key}`);
      }
      return out;
    }
    case "structure": {
      if (!isPlainObject(value)) throw mismatch(path, "a structure", value);
      const out: Record<string, unknown> = {};
      for (const name of Object.keys(shape.members)) {
        if (!Object.hasOwn(value, name)) continue;
        const member = value[name];
        if (member === null || member === undefined) continue;
        out[name] = readValue(member, shape.members[name]!, path === "" ? name : `${path}.${name}`);
      }
      return out;
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof EpochSeconds);
}

function mismatch(path: string, expected: string, value: unknown) {
  return cloudWatchErrors.serialization(`Value of ${path === "" ? "the request" : path} must be ${expected}, not ${describe(value)}.`);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Uint8Array) return "a blob";
  if (value instanceof EpochSeconds) return "a timestamp";
  if (value === null) return "null";
  return `a ${typeof value === "object" ? "structure" : typeof value}`;
}
