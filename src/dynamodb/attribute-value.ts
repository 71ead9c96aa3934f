/**
 * DynamoDB's AttributeValue in its JSON wire form (B, BS as base64 text), which is also how items
 * are held and stored: validation in AWS's words (dynalite's validations/index.js records them),
 * equality, ordering, sizes, and the ordering key of an item's primary key.
 */
import { canonicalNumber, compareDecimals, parseNumber, sortableNumber, type Decimal } from "./numbers.js";

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: AttributeValue[] }
  | { M: Item };

export type Item = Record<string, AttributeValue>;
export type AttributeType = "S" | "N" | "B" | "BOOL" | "NULL" | "SS" | "NS" | "BS" | "L" | "M";
export const attributeTypes: readonly AttributeType[] = ["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"];

/** 400 KB: the largest item, names and values together. */
export const itemBytesMax = 400 * 1024;

export function typeOf(value: AttributeValue): AttributeType {
  return Object.keys(value)[0] as AttributeType;
}

export function payloadOf(value: AttributeValue): unknown {
  return (value as Record<string, unknown>)[typeOf(value)];
}

/**
 * The first problem with a value (as AWS words it), or undefined; canonicalises numbers in place
 * ("1.0" is stored and answered as "1"), as DynamoDB does.
 */
export function validateAttributeValue(value: Record<string, unknown>): string | undefined {
  const types = Object.keys(value);
  if (types.length === 0) return "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
  for (const type of types) {
    const payload = value[type];
    if (type === "N") {
      const message = checkNumberText(payload as string);
      if (message) return message;
      value.N = canonicalNumber(payload as string);
    }
    if (type === "NULL" && payload !== true) return "One or more parameter values were invalid: Null attribute value types must have the value of true";
    if (type === "SS" && (payload as string[]).length === 0) return "One or more parameter values were invalid: An string set  may not be empty";
    if (type === "NS" && (payload as string[]).length === 0) return "One or more parameter values were invalid: An number set  may not be empty";
    if (type === "BS" && (payload as string[]).length === 0) return "One or more parameter values were invalid: Binary sets should not be empty";
    if (type === "NS") {
      const numbers = payload as string[];
      for (let index = 0; index < numbers.length; index++) {
        const message = checkNumberText(numbers[index]!);
        if (message) return message;
        numbers[index] = canonicalNumber(numbers[index]!);
      }
    }
    if (type === "SS" && hasDuplicate(payload as string[])) {
      return `One or more parameter values were invalid: Input collection ${listText(payload as string[])} contains duplicates.`;
    }
    if (type === "NS" && hasDuplicate(payload as string[])) return "Input collection contains duplicates";
    if (type === "BS" && hasDuplicate(payload as string[])) {
      return `One or more parameter values were invalid: Input collection ${listText(payload as string[])}of type BS contains duplicates.`;
    }
    if (type === "M") {
      for (const member of Object.values(payload as Record<string, Record<string, unknown>>)) {
        const message = validateAttributeValue(member);
        if (message) return message;
      }
    }
    if (type === "L") {
      for (const member of payload as Record<string, unknown>[]) {
        const message = validateAttributeValue(member);
        if (message) return message;
      }
    }
  }
  if (types.length > 1) return "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
  return undefined;
}

function checkNumberText(text: string): string | undefined {
  const parsed = parseNumber(text);
  return parsed.ok ? undefined : parsed.message;
}

function hasDuplicate(values: readonly string[]): boolean {
  return new Set(values).size !== values.length;
}

function listText(values: readonly string[]): string {
  return `[${values.join(", ")}]`;
}

export function decimalOf(text: string): Decimal {
  const parsed = parseNumber(text);
  if (!parsed.ok) throw new Error(`not a number: ${text}`);
  return parsed.value;
}

/** DynamoDB's equality: same type and same value; sets compare as sets, lists and maps deeply. */
export function valuesEqual(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const type = typeOf(a);
  if (type !== typeOf(b)) return false;
  const x = payloadOf(a);
  const y = payloadOf(b);
  switch (type) {
    case "N":
      return compareDecimals(decimalOf(x as string), decimalOf(y as string)) === 0;
    case "SS":
    case "BS":
      return sameMembers(x as string[], y as string[]);
    case "NS": {
      const left = (x as string[]).map(canonicalNumber);
      return sameMembers(left, (y as string[]).map(canonicalNumber));
    }
    case "L": {
      const left = x as AttributeValue[];
      const right = y as AttributeValue[];
      return left.length === right.length && left.every((member, index) => valuesEqual(member, right[index]));
    }
    case "M": {
      const left = x as Item;
      const right = y as Item;
      const keys = Object.keys(left);
      return keys.length === Object.keys(right).length && keys.every((key) => valuesEqual(left[key], right[key]));
    }
    default:
      return x === y;
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const members = new Set(a);
  return b.every((member) => members.has(member));
}

/** Orders two scalars of one type (S by UTF-8 bytes, N numerically, B by bytes); undefined if not comparable. */
export function compareScalars(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === "N") return compareDecimals(decimalOf((a as { N: string }).N), decimalOf((b as { N: string }).N));
  if (type === "S") return Buffer.compare(Buffer.from((a as { S: string }).S, "utf8"), Buffer.from((b as { S: string }).S, "utf8"));
  if (type === "B") return Buffer.compare(Buffer.from((a as { B: string }).B, "base64"), Buffer.from((b as { B: string }).B, "base64"));
  return undefined;
}

/** An item's size as DynamoDB counts it toward the 400 KB limit: names plus values. */
export function itemSizeBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name, "utf8") + valueSizeBytes(value);
  return size;
}

function valueSizeBytes(value: AttributeValue): number {
  const payload = payloadOf(value);
  switch (typeOf(value)) {
    case "S":
      return Buffer.byteLength(payload as string, "utf8");
    case "B":
      return Buffer.from(payload as string, "base64").length;
    case "N":
      return numberSizeBytes(payload as string);
    case "SS":
      return (payload as string[]).reduce((sum, member) => sum + Buffer.byteLength(member, "utf8"), 0);
    case "BS":
      return (payload as string[]).reduce((sum, member) => sum + Buffer.from(member, "base64").length, 0);
    case "NS":
      return (payload as string[]).reduce((sum, member) => sum + numberSizeBytes(member), 0);
    case "L":
      return 3 + (payload as AttributeValue[]).reduce((sum, member) => sum + 1 + valueSizeBytes(member), 0);
    case "M":
      return 3 + Object.keys(payload as Item).length + itemSizeBytes(payload as Item);
    default:
      return 1;
  }
}

/** About one byte per two significant digits, plus one (DynamoDB's documented estimate). */
function numberSizeBytes(text: string): number {
  const digits = text.replace(/[-.]/g, "").replace(/^0+/, "").replace(/0+$/, "");
  return digits.length === 0 ? 1 : 1 + Math.ceil(digits.length / 2) + (text.startsWith("-") ? 1 : 0);
}

/** A key attribute's part of an item's ordering key (numbers.ts and hex keep the order of the values). */
export function sortableKeyPart(value: AttributeValue): string {
  const type = typeOf(value);
  if (type === "N") return sortableNumber(decimalOf((value as { N: string }).N));
  if (type === "S") return Buffer.from((value as { S: string }).S, "utf8").toString("hex");
  return Buffer.from((value as { B: string }).B, "base64").toString("hex");
}

export function cloneItem(item: Item): Item {
  return structuredClone(item);
}
