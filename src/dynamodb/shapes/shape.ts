/**
 * DynamoDB's request shapes, declared per action in AWS's member order, and the checker:
 * JSON types first (SerializationException in the Java deserializer's words), then constraints,
 * up to 10 as "N validation errors detected: …" (ValidationException), as dynalite's
 * validations/index.js records AWS doing. Unknown members are dropped, as AWS ignores them.
 */
import { dynamoDbErrors } from "../errors.js";

export type MemberShape =
  | { type: "String"; notNull?: boolean; required?: boolean; tableName?: boolean; regex?: string; lengthMin?: number; lengthMax?: number; enum?: readonly string[] }
  | { type: "Integer" | "Long"; notNull?: boolean; min?: number; max?: number }
  | { type: "Boolean" }
  | { type: "AttributeMap"; notNull?: boolean }
  | { type: "AttributeValue" }
  | { type: "StringMap" }
  | { type: "List"; notNull?: boolean; lengthMin?: number; lengthMax?: number; member: MemberShape }
  | { type: "Struct"; name: string; notNull?: boolean; members: Record<string, MemberShape> }
  | { type: "StructMap"; name: string; member: MemberShape & { type: "Struct" } };

export type StructShape = Record<string, MemberShape>;

const tableNamePattern = "[a-zA-Z0-9_.-]+";
export const tableNameMember = { type: "String", notNull: true, regex: tableNamePattern, lengthMin: 3, lengthMax: 255 } as const satisfies MemberShape;
export const requiredTableNameMember = { type: "String", required: true, tableName: true, regex: tableNamePattern } as const satisfies MemberShape;

const valueChildren: Record<string, string> = { S: "String", N: "String", B: "Blob", BOOL: "Boolean", NULL: "Boolean", SS: "Strings", NS: "Strings", BS: "Blobs", L: "List", M: "Map" };

/** The input with JSON types checked and unknown members dropped; throws SerializationException. */
export function checkTypes(body: Record<string, unknown>, shape: StructShape): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(shape)) {
    const value = body[name];
    if (value === undefined || value === null) continue;
    out[name] = checkType(value, member);
  }
  return out;
}

function serialization(message: string): never {
  throw dynamoDbErrors.serialization(message);
}

function scalarError(value: unknown, target: string): never {
  if (typeof value === "boolean") serialization(`${value ? "TRUE_VALUE" : "FALSE_VALUE"} cannot be converted to ${target}`);
  if (typeof value === "number") serialization(`${Number.isInteger(value) ? "NUMBER_VALUE" : "DECIMAL_VALUE"} cannot be converted to ${target}`);
  if (typeof value === "string") serialization(`STRING_VALUE cannot be converted to ${target}`);
  if (Array.isArray(value)) serialization(`Unrecognized collection type class java.lang.${target}`);
  serialization("Start of structure or map found where not expected");
}

/**
 * A JSON number read into a Java Integer or Long: the fraction dropped (downwards, as dynalite
 * records) and the value held to the type's range, as Coral's truncating numbers do (so `1e309`,
 * which JavaScript reads as Infinity, never reaches a message as "Infinity").
 */
function javaInteger(value: number, type: "Integer" | "Long"): number {
  const max = type === "Integer" ? 2 ** 31 - 1 : 2 ** 63 - 1;
  const min = type === "Integer" ? -(2 ** 31) : -(2 ** 63);
  return Math.min(Math.max(Math.floor(value), min), max);
}

function checkType(value: unknown, member: MemberShape): unknown {
  switch (member.type) {
    case "String":
      if (typeof value !== "string") scalarError(value, "String");
      return value;
    case "Integer":
    case "Long":
      if (typeof value !== "number") scalarError(value, member.type);
      return javaInteger(value as number, member.type);
    case "Boolean":
      if (typeof value !== "boolean") scalarError(value, "Boolean");
      return value;
    case "StringMap":
      if (!isObject(value)) serialization(Array.isArray(value) ? "Unrecognized collection type java.util.Map<java.lang.String, java.lang.String>" : "Unexpected field type");
      for (const entry of Object.values(value as Record<string, unknown>)) if (typeof entry !== "string") scalarError(entry, "String");
      return value;
    case "AttributeMap":
      return checkAttributeMap(value);
    case "AttributeValue":
      return checkAttributeValue(value, "FieldStruct");
    case "List":
      if (!Array.isArray(value)) serialization(isObject(value) ? "Start of structure or map found where not expected" : "Unexpected field type");
      return (value as unknown[]).map((entry) => checkType(entry, member.member));
    case "Struct":
      if (!isObject(value)) serialization(Array.isArray(value) ? `Unrecognized collection type class com.amazonaws.dynamodb.v20120810.${member.name}` : "Unexpected value type in payload");
      return checkTypes(value as Record<string, unknown>, member.members);
    case "StructMap": {
      if (!isObject(value)) serialization(Array.isArray(value) ? `Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.${member.name}>` : "Unexpected field type");
      const out: Record<string, unknown> = {};
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) out[key] = checkType(entry, member.member);
      return out;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkAttributeMap(value: unknown): Record<string, unknown> {
  if (!isObject(value)) {
    serialization(Array.isArray(value) ? "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>" : "Unexpected field type");
  }
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) out[key] = checkAttributeValue(entry, "ValueStruct");
  return out;
}

function checkAttributeValue(value: unknown, kind: "ValueStruct" | "FieldStruct"): Record<string, unknown> {
  if (!isObject(value)) {
    if (Array.isArray(value)) serialization("Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue");
    serialization(kind === "ValueStruct" ? "Unexpected value type in payload" : "Unexpected field type");
  }
  const out: Record<string, unknown> = {};
  for (const [type, payload] of Object.entries(value)) {
    const child = valueChildren[type];
    if (child === undefined || payload === null || payload === undefined) continue;
    out[type] = checkValuePayload(payload, child);
  }
  return out;
}

function checkValuePayload(payload: unknown, child: string): unknown {
  switch (child) {
    case "String":
      if (typeof payload !== "string") scalarError(payload, "String");
      return payload;
    case "Boolean":
      if (typeof payload !== "boolean") scalarError(payload, "Boolean");
      return payload;
    case "Blob":
      return checkBlob(payload);
    case "Strings":
    case "Blobs":
      if (!Array.isArray(payload)) serialization(isObject(payload) ? "Start of structure or map found where not expected" : "Unexpected field type");
      return (payload as unknown[]).map((entry) => (child === "Blobs" ? checkBlob(entry) : typeof entry === "string" ? entry : scalarError(entry, "String")));
    case "List":
      if (!Array.isArray(payload)) serialization(isObject(payload) ? "Start of structure or map found where not expected" : "Unexpected field type");
      return (payload as unknown[]).map((entry) => checkAttributeValue(entry, "ValueStruct"));
    default:
      return checkAttributeMap(payload);
  }
}

function checkBlob(payload: unknown): string {
  if (typeof payload === "boolean" || typeof payload === "number") serialization("only base-64-encoded strings are convertible to bytes");
  if (Array.isArray(payload)) serialization("Unrecognized collection type class java.nio.ByteBuffer");
  if (typeof payload !== "string") serialization("Start of structure or map found where not expected");
  const text = payload as string;
  if (text.length % 4 !== 0) serialization(`Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`);
  if (Buffer.from(text, "base64").toString("base64") !== text) serialization("Invalid last non-pad Base64 character dectected");
  return text;
}

/** Required members, then constraints in member order (at most 10 reported); throws ValidationException. */
export function checkConstraints(input: Record<string, unknown>, shape: StructShape): void {
  for (const [name, member] of Object.entries(shape)) {
    if (member.type !== "String") continue;
    if (member.required && input[name] === undefined) {
      throw dynamoDbErrors.validation(`The parameter '${name}' is required but was not present in the request`);
    }
    const value = input[name];
    if (member.tableName && typeof value === "string" && (value.length < 3 || value.length > 255)) {
      throw dynamoDbErrors.validation(`${name} must be at least 3 characters long and at most 255 characters long`);
    }
  }
  const errors: string[] = [];
  collect(input, shape, "", errors);
  if (errors.length > 0) {
    const count = Math.min(errors.length, 10);
    throw dynamoDbErrors.validation(`${count} validation error${count > 1 ? "s" : ""} detected: ${errors.slice(0, 10).join("; ")}`);
  }
}

function lowerFirst(name: string): string {
  return name[0]!.toLowerCase() + name.slice(1);
}

function collect(input: Record<string, unknown>, shape: StructShape, parent: string, errors: string[]): void {
  for (const [name, member] of Object.entries(shape)) checkMember(input[name], member, `${parent}${lowerFirst(name)}`, errors);
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (Array.isArray(value)) return `'[${value.map((entry) => (typeof entry === "object" ? JSON.stringify(entry) : String(entry))).join(", ")}]'`;
  return `'${typeof value === "object" ? JSON.stringify(value) : String(value)}'`;
}

function checkMember(value: unknown, member: MemberShape, at: string, errors: string[]): void {
  const fail = (constraint: string) => errors.push(`Value ${valueText(value)} at '${at}' failed to satisfy constraint: Member must ${constraint}`);
  if ("notNull" in member && member.notNull && value === undefined) {
    fail("not be null");
    return;
  }
  if (value === undefined) return;
  switch (member.type) {
    case "String": {
      const text = value as string;
      if (member.regex !== undefined && !new RegExp(`^${member.regex}$`).test(text)) fail(`satisfy regular expression pattern: ${member.regex}`);
      if (member.lengthMin !== undefined && text.length < member.lengthMin) fail(`have length greater than or equal to ${member.lengthMin}`);
      if (member.lengthMax !== undefined && text.length > member.lengthMax) fail(`have length less than or equal to ${member.lengthMax}`);
      if (member.enum !== undefined && !member.enum.includes(text)) fail(`satisfy enum value set: [${member.enum.join(", ")}]`);
      return;
    }
    case "Integer":
    case "Long":
      if (member.min !== undefined && (value as number) < member.min) fail(`have value greater than or equal to ${member.min}`);
      if (member.max !== undefined && (value as number) > member.max) fail(`have value less than or equal to ${member.max}`);
      return;
    case "List": {
      const list = value as unknown[];
      if (member.lengthMin !== undefined && list.length < member.lengthMin) fail(`have length greater than or equal to ${member.lengthMin}`);
      if (member.lengthMax !== undefined && list.length > member.lengthMax) fail(`have length less than or equal to ${member.lengthMax}`);
      list.forEach((entry, index) => checkMember(entry, member.member, `${at}.${index + 1}.member`, errors));
      return;
    }
    case "Struct":
      collect(value as Record<string, unknown>, member.members, `${at}.`, errors);
      return;
    case "StructMap":
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) checkMember(entry, member.member, `${at}.${key}.member`, errors);
      return;
    default:
      return;
  }
}
