/**
 * Declarative request shapes and the checker that applies them in AWS's order:
 *   1. types, member by member (first mismatch → SerializationException, Jackson's wording);
 *   2. constraints, member by member in the shape's order, each member's checks in the fixed order
 *      not-null, enum, pattern, length, value — collected up to 10 into one ValidationException
 *      ("N validation error(s) detected: Value '…' at '…' failed to satisfy constraint: …").
 * Only members the shape names are copied out, so unknown keys (and `__proto__`) never reach an
 * action. Blobs come out as Buffers and timestamps as epoch milliseconds.
 */
import { ServiceError } from "./service-error.js";
import { WireTimestamp } from "./timestamp.js";
import type { WireFormat } from "./wire-format.js";
import type { DeepBody } from "./body-scan.js";
import { decodeStrictBase64 } from "../util/bytes.js";

interface Common {
  required?: boolean;
}
export interface StringShape extends Common {
  type: "string";
  enum?: readonly string[];
  pattern?: string;
  lengthMin?: number;
  lengthMax?: number;
}
export interface IntegerShape extends Common {
  type: "integer" | "long";
  min?: number;
  max?: number;
}
export interface BooleanShape extends Common {
  type: "boolean";
}
export interface BlobShape extends Common {
  type: "blob";
  lengthMin?: number;
  lengthMax?: number;
}
export interface TimestampShape extends Common {
  type: "timestamp";
}
export interface ListShape extends Common {
  type: "list";
  member: Shape;
  lengthMin?: number;
  lengthMax?: number;
  /** A constraint AWS reports on the list as a whole: every member's length within bounds. */
  memberLength?: readonly [number, number];
  /**
   * Likewise on the list as a whole: every member one of these values (EnableEnhancedMonitoring's
   * ShardLevelMetrics), reported once however many members are outside the set.
   */
  memberEnum?: readonly string[];
  /**
   * The Java class AWS's model gives a structure member: a validation message prints each entry as
   * `<class>@<hashCode in hex>` (Object#toString), PutRecords' `…PutRecordsRequestEntry@c965e310`.
   */
  memberClass?: string;
}
export interface MapShape extends Common {
  type: "map";
  value: Shape;
  lengthMin?: number;
  lengthMax?: number;
  keyLength?: readonly [number, number];
  valueLength?: readonly [number, number];
}
export interface StructureShape extends Common {
  type: "structure";
  members: Readonly<Record<string, Shape>>;
}
export type Shape = StringShape | IntegerShape | BooleanShape | BlobShape | TimestampShape | ListShape | MapShape | StructureShape;

const errorsMax = 10;

function serializationError(message: string): ServiceError {
  return new ServiceError("SerializationException", message, 400);
}

/** Checks a decoded request body against a structure shape; returns the typed input or throws a ServiceError. */
export function checkShape<T>(body: unknown, shape: StructureShape, format: WireFormat): T {
  if (body === null || typeof body !== "object" || Array.isArray(body) || body instanceof Uint8Array) {
    throw new ServiceError("SerializationException", undefined, 400);
  }
  const typed = convertStructure(body as Record<string, unknown>, shape, format);
  // Most requests are valid: a check that builds no paths or messages decides that, and only a
  // failing request pays for the reporting walk that words AWS's messages.
  if (membersSatisfy(typed, shape)) return typed as T;
  const errors: string[] = [];
  validateMembers(typed, shape, "", errors);
  if (errors.length > 0) {
    const count = errors.length;
    throw new ServiceError(
      "ValidationException",
      `${count} validation error${count > 1 ? "s" : ""} detected: ${errors.join("; ")}`,
      400,
    );
  }
  return typed as T;
}

interface MemberEntry {
  name: string;
  shape: Shape;
  /** The member's name as AWS writes it in a validation path (first letter lowercased). */
  pathName: string;
}

const memberEntriesByShape = new WeakMap<StructureShape, readonly MemberEntry[]>();

/** A structure's members in order, listed once per shape rather than once per value checked. */
function memberEntries(shape: StructureShape): readonly MemberEntry[] {
  let entries = memberEntriesByShape.get(shape);
  if (!entries) {
    entries = Object.entries(shape.members).map(([name, member]) => ({ name, shape: member, pathName: lowerFirst(name) }));
    memberEntriesByShape.set(shape, entries);
  }
  return entries;
}

const hasOwn = Object.prototype.hasOwnProperty;

function convertStructure(value: Record<string, unknown>, shape: StructureShape, format: WireFormat): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, shape: member } of memberEntries(shape)) {
    if (!hasOwn.call(value, name)) continue;
    const converted = convert(value[name], member, format);
    if (converted !== null && converted !== undefined) out[name] = converted;
  }
  return out;
}

function kindOf(value: unknown): "boolean" | "number" | "string" | "list" | "map" | "bytes" | "timestamp" | "null" {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number" || typeof value === "bigint") return "number";
  if (typeof value === "string") return "string";
  if (Array.isArray(value)) return "list";
  if (value instanceof Uint8Array) return "bytes";
  if (value instanceof WireTimestamp) return "timestamp";
  return "map";
}

/**
 * For a body that nested past the decoder's bound (body-scan.ts): the SerializationException the
 * type check gives for the first container on the path to the overflow that the shape does not
 * take there — what AWS's deserializer, which reads against the shape and stops at the first
 * mismatch, answers without reading deeper. Undefined when the path leaves the shape (an unknown
 * member, a CBOR tag) before any mismatch.
 */
export function deepBodyError(shape: StructureShape, deep: DeepBody): ServiceError | undefined {
  let current: Shape = shape;
  for (let level = 0; level < deep.path.length; level++) {
    const step = deep.path[level]!;
    let member: Shape | undefined;
    if (step.container === "map" && current.type === "structure") {
      member = step.key !== undefined && hasOwn.call(current.members, step.key) ? current.members[step.key] : undefined;
    } else if (step.container === "map" && current.type === "map") {
      member = current.value;
    } else if (step.container === "list" && current.type === "list") {
      member = current.member;
    }
    if (member === undefined) return undefined;
    const next = level + 1 < deep.path.length ? deep.path[level + 1]!.container : deep.opened;
    if (next === "tag") return undefined;
    if (next === "list" && member.type !== "list") return serializationError("Start of list found where not expected");
    if (next === "map" && member.type !== "map" && member.type !== "structure") return serializationError("Start of structure or map found where not expected.");
    current = member;
  }
  return undefined;
}

function containerMismatch(kind: string): ServiceError | undefined {
  if (kind === "list") return serializationError("Start of list found where not expected");
  if (kind === "map") return serializationError("Start of structure or map found where not expected.");
  return undefined;
}

function convert(value: unknown, shape: Shape, format: WireFormat): unknown {
  const kind = kindOf(value);
  if (kind === "null") return null;
  switch (shape.type) {
    case "string": {
      if (kind === "string") return value;
      throw containerMismatch(kind) ?? serializationError(`${javaClassOf(kind)} can not be converted to an String`);
    }
    case "integer":
    case "long": {
      const javaType = shape.type === "integer" ? "Integer" : "Long";
      if (kind === "number") return truncatingNumber(value as number | bigint, shape.type);
      if (kind === "timestamp") return truncatingNumber((value as WireTimestamp).epochMs, shape.type);
      throw containerMismatch(kind) ?? serializationError(`${javaClassOf(kind)} can not be converted to an ${javaType}`);
    }
    case "boolean": {
      if (kind === "boolean") return value;
      if (kind === "string") throw serializationError(`'${String(value).toUpperCase()}' can not be converted to an Boolean`);
      throw containerMismatch(kind) ?? serializationError(`${javaClassOf(kind)} can not be converted to an Boolean`);
    }
    case "blob":
      return convertBlob(value, kind, format);
    case "timestamp": {
      if (kind === "timestamp") return dateRangeMs((value as WireTimestamp).epochMs);
      // JSON carries epoch seconds; CBOR without the tag carries epoch milliseconds.
      if (kind === "number") return dateRangeMs(format === "json" ? Math.round(Number(value) * 1000) : Number(value));
      throw containerMismatch(kind) ?? serializationError(`${javaClassOf(kind)} can not be converted to milliseconds since epoch`);
    }
    case "list": {
      if (kind !== "list") {
        if (kind === "map") throw serializationError("Start of structure or map found where not expected.");
        throw serializationError("Expected list or null");
      }
      return (value as unknown[]).map((item) => convert(item, shape.member, format));
    }
    case "map": {
      if (kind !== "map") {
        if (kind === "list") throw serializationError("Start of list found where not expected");
        throw serializationError("Expected map or null");
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        const converted = convert(item, shape.value, format);
        if (converted !== null) Object.defineProperty(out, key, { value: converted, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case "structure": {
      if (kind === "list") throw serializationError("Start of list found where not expected");
      if (kind !== "map") throw serializationError("Expected null");
      return convertStructure(value as Record<string, unknown>, shape, format);
    }
  }
}

function convertBlob(value: unknown, kind: string, format: WireFormat): Buffer {
  if (kind === "bytes") {
    const bytes = value as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  if (kind === "string" && format === "json") {
    const text = value as string;
    const decoded = decodeStrictBase64(text);
    if (decoded) return decoded;
    // Only the error's wording is left to decide.
    if (text.length % 4 !== 0) {
      throw serializationError(`'${text}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`);
    }
    const bad = /[^a-zA-Z0-9+/=]|=[^=]/.exec(text);
    if (bad) throw serializationError(`'${text}' can not be converted to a Blob: Invalid Base64 character: '${bad[0][0]}'`);
    // Well-formed but not canonical: the unused bits of the last character are not zero.
    throw serializationError(`'${text}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
  }
  if (kind === "string") throw serializationError("class java.lang.String can not be converted to a Blob");
  throw containerMismatch(kind) ?? serializationError(`${javaClassOf(kind)} can not be converted to a Blob`);
}

/** Java's bounds for AWS's Integer and Long members. */
const integerBounds = { integer: [-(2 ** 31), 2 ** 31 - 1], long: [-(2 ** 63), 2 ** 63 - 1] } as const;

/**
 * A number for an Integer or Long member, as AWS's Coral reads it (its JSON numbers are
 * `TruncatingBigNumber`s, hence the name): the fraction is dropped toward zero and a value past the
 * type's range becomes its bound — kinesalite records AWS answering ShardCount 100000000000 with
 * `Value '2147483647'`. So `1.5` is 1, `-2.5` is -2, and `1e309` (Infinity once parsed) is the
 * maximum. (Long's bounds are not exact doubles; no Kinesis request has a Long member.) NaN, which
 * only CBOR can carry and no big number can hold, is refused.
 */
function truncatingNumber(value: number | bigint, type: "integer" | "long"): number {
  const [low, high] = integerBounds[type];
  if (typeof value === "bigint") return value < BigInt(low) ? low : value > BigInt(high) ? high : Number(value);
  if (Number.isNaN(value)) throw new ServiceError("SerializationException", undefined, 400);
  return Math.min(high, Math.max(low, Math.trunc(value)));
}

/** ECMAScript's Date range: a timestamp past it (`1e309` seconds) is held at the edge rather than becoming Infinity. */
const dateMsMax = 8.64e15;

function dateRangeMs(epochMs: number): number {
  if (Number.isNaN(epochMs)) throw new ServiceError("SerializationException", undefined, 400);
  return Math.min(dateMsMax, Math.max(-dateMsMax, epochMs));
}

/**
 * The class AWS names for a JSON value of the wrong type. Coral reads every JSON number, integral
 * or not, as a `TruncatingBigNumber` (kinesalite records 23, 2147483648 and 34.56 alike); CBOR
 * numbers get the same words, AWS's CBOR wording being unrecorded.
 */
function javaClassOf(kind: string): string {
  if (kind === "boolean") return "class java.lang.Boolean";
  if (kind === "number") return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
  if (kind === "bytes") return "class [B";
  if (kind === "timestamp") return "class java.util.Date";
  return "class java.lang.String";
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Appends AWS's wording of every violated constraint (callers keep at most ten). */
export function validateMembers(value: Record<string, unknown>, shape: StructureShape, parent: string, errors: string[]): void {
  for (const { name, shape: member, pathName } of memberEntries(shape)) {
    validate(value[name], member, parent + pathName, errors);
  }
}

/**
 * Whether a converted value passes every constraint `validate` checks — the same checks, without
 * paths or messages. (test/protocol/shapes-satisfy.test.ts holds the two to the same verdicts.)
 */
export function membersSatisfy(value: Record<string, unknown>, shape: StructureShape): boolean {
  for (const { name, shape: member } of memberEntries(shape)) {
    if (!satisfies(value[name], member)) return false;
  }
  return true;
}

function satisfies(value: unknown, shape: Shape): boolean {
  if (value === undefined || value === null) return shape.required !== true;
  switch (shape.type) {
    case "string": {
      const text = value as string;
      if (shape.enum && !shape.enum.includes(text)) return false;
      if (shape.pattern !== undefined && !anchored(shape.pattern).test(text)) return false;
      return lengthWithin(text.length, shape);
    }
    case "blob":
      return lengthWithin((value as Buffer).length, shape);
    case "integer":
    case "long": {
      const number = value as number;
      return !(shape.min !== undefined && number < shape.min) && !(shape.max !== undefined && number > shape.max);
    }
    case "list": {
      const items = value as unknown[];
      if (shape.memberLength) {
        const [low, high] = shape.memberLength;
        for (const item of items) if (typeof item !== "string" || item.length < low || item.length > high) return false;
      }
      if (shape.memberEnum && !allInEnum(items, shape.memberEnum)) return false;
      if (!lengthWithin(items.length, shape)) return false;
      const member = shape.member;
      if (member.type === "structure") {
        for (const item of items) if (!membersSatisfy((item ?? {}) as Record<string, unknown>, member)) return false;
      } else {
        for (const item of items) if (!satisfies(item, member)) return false;
      }
      return true;
    }
    case "map": {
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.keyLength) {
        const [low, high] = shape.keyLength;
        for (const [key] of entries) if (key.length < low || key.length > high) return false;
      }
      if (shape.valueLength) {
        const [low, high] = shape.valueLength;
        for (const [, item] of entries) if (typeof item !== "string" || item.length < low || item.length > high) return false;
      }
      return lengthWithin(entries.length, shape);
    }
    case "structure":
      return membersSatisfy(value as Record<string, unknown>, shape);
    default:
      return true;
  }
}

/** Whether every list member is one of `values` (a null member is not). */
function allInEnum(items: readonly unknown[], values: readonly string[]): boolean {
  for (const item of items) if (typeof item !== "string" || !values.includes(item)) return false;
  return true;
}

function lengthWithin(length: number, shape: { lengthMin?: number; lengthMax?: number }): boolean {
  return !(shape.lengthMin !== undefined && length < shape.lengthMin) && !(shape.lengthMax !== undefined && length > shape.lengthMax);
}

function validate(value: unknown, shape: Shape, path: string, errors: string[]): void {
  const fail = (constraint: string) => {
    if (errors.length < errorsMax) errors.push(`Value ${render(value, shape)} at '${path}' failed to satisfy constraint: ${constraint}`);
  };
  if (value === undefined || value === null) {
    if (shape.required) fail("Member must not be null");
    return;
  }
  switch (shape.type) {
    case "string": {
      const text = value as string;
      if (shape.enum && !shape.enum.includes(text)) fail(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
      if (shape.pattern !== undefined && !anchored(shape.pattern).test(text)) {
        fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      checkLength(text.length, shape, fail);
      return;
    }
    case "blob":
      checkLength((value as Buffer).length, shape, fail);
      return;
    case "integer":
    case "long": {
      const number = value as number;
      if (shape.min !== undefined && number < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && number > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
      return;
    }
    case "list": {
      const items = value as unknown[];
      if (shape.memberLength) {
        const [low, high] = shape.memberLength;
        if (!items.every((item) => typeof item === "string" && item.length >= low && item.length <= high)) {
          fail(`Member must satisfy constraint: [Member must have length less than or equal to ${high}, Member must have length greater than or equal to ${low}]`);
        }
      }
      if (shape.memberEnum && !allInEnum(items, shape.memberEnum)) {
        fail(`Member must satisfy constraint: [Member must satisfy enum value set: [${shape.memberEnum.join(", ")}]]`);
      }
      checkLength(items.length, shape, fail);
      items.forEach((item, index) => {
        // AWS names a structure inside a list `records.1.member.partitionKey`; a null entry fails its required members.
        if (shape.member.type === "structure") validateMembers((item ?? {}) as Record<string, unknown>, shape.member, `${path}.${index + 1}.member.`, errors);
        else validate(item, shape.member, `${path}.${index + 1}.member`, errors);
      });
      return;
    }
    case "map": {
      const entries = Object.entries(value as Record<string, unknown>);
      if (shape.keyLength) {
        const [low, high] = shape.keyLength;
        if (!entries.every(([key]) => key.length >= low && key.length <= high)) {
          fail(`Map keys must satisfy constraint: [Member must have length less than or equal to ${high}, Member must have length greater than or equal to ${low}]`);
        }
      }
      if (shape.valueLength) {
        const [low, high] = shape.valueLength;
        if (!entries.every(([, item]) => typeof item === "string" && item.length >= low && item.length <= high)) {
          fail(`Map value must satisfy constraint: [Member must have length less than or equal to ${high}, Member must have length greater than or equal to ${low}]`);
        }
      }
      checkLength(entries.length, shape, fail);
      return;
    }
    case "structure":
      validateMembers(value as Record<string, unknown>, shape, path + ".", errors);
      return;
    default:
      return;
  }
}

const compiledPatterns = new Map<string, RegExp>();

/** AWS patterns match the whole value; compiled once per pattern, not per request. */
function anchored(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${pattern})$`, "u");
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

function checkLength(length: number, shape: { lengthMin?: number; lengthMax?: number }, fail: (constraint: string) => void): void {
  if (shape.lengthMin !== undefined && length < shape.lengthMin) fail(`Member must have length greater than or equal to ${shape.lengthMin}`);
  if (shape.lengthMax !== undefined && length > shape.lengthMax) fail(`Member must have length less than or equal to ${shape.lengthMax}`);
}

/** Renders a value as AWS (Java's toString) prints it in validation messages. */
function render(value: unknown, shape: Shape): string {
  if (value === undefined || value === null) return "null";
  return `'${renderBare(value, shape)}'`;
}

function renderBare(value: unknown, shape: Shape): string {
  switch (shape.type) {
    case "blob": {
      const length = (value as Buffer).length;
      return `java.nio.HeapByteBuffer[pos=0 lim=${length} cap=${length}]`;
    }
    case "list": {
      const { memberClass, member } = shape;
      const items = (value as unknown[]).map((item) =>
        memberClass !== undefined && member.type === "structure" ? javaObjectText(memberClass, item, member) : renderBare(item, member),
      );
      return `[${items.join(", ")}]`;
    }
    case "map":
      return `{${Object.entries(value as Record<string, unknown>).map(([key, item]) => `${key}=${renderBare(item, shape.value)}`).join(", ")}}`;
    case "timestamp":
      return new Date(value as number).toString();
    case "structure":
      return JSON.stringify(value);
    default:
      return String(value);
  }
}

/** Java's Object#toString of a model structure: the class name, `@`, the hash code in unpadded lowercase hex. */
function javaObjectText(className: string, value: unknown, shape: StructureShape): string {
  if (value === null || value === undefined) return "null";
  return `${className}@${(javaModelHashCode(className, value as Record<string, unknown>, shape) >>> 0).toString(16)}`;
}

/**
 * The hash code AWS's generated model classes compute: `Arrays.hashCode` over the class-name hash
 * (itself `Arrays.hashCode` of the name) followed by the members in name order. It reproduces the
 * one value AWS is recorded printing — `PutRecordsRequestEntry@c965e310` for `{PartitionKey: "",
 * Data: ""}` (kinesalite test/putRecords.js) exactly, with the blob hashed as Java's ByteBuffer
 * does (1 when empty).
 */
export function javaModelHashCode(className: string, value: Record<string, unknown>, shape: StructureShape): number {
  let hash = Math.imul(31, 1) + javaStringHashCode(className);
  hash = (Math.imul(31, 1) + hash) | 0;
  for (const name of Object.keys(shape.members).sort()) {
    hash = (Math.imul(31, hash) + javaValueHashCode(value[name])) | 0;
  }
  return hash;
}

function javaValueHashCode(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "string") return javaStringHashCode(value);
  if (value instanceof Uint8Array) {
    // ByteBuffer#hashCode: from the last byte to the first, each as a signed byte.
    let hash = 1;
    for (let i = value.length - 1; i >= 0; i--) hash = (Math.imul(31, hash) + ((value[i]! << 24) >> 24)) | 0;
    return hash;
  }
  if (typeof value === "boolean") return value ? 1231 : 1237;
  if (typeof value === "number") return value | 0;
  return 0;
}

/** String#hashCode over UTF-16 code units. */
function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}
