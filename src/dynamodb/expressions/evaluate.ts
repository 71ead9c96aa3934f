/**
 * Evaluating conditions against an item, applying updates to one, and projecting paths out of
 * one. An absent item is the empty item, so `attribute_not_exists(k)` holds for it.
 */
import {
  compareScalars, decimalOf, typeOf, valuesEqual, type AttributeValue, type Item,
} from "../attribute-value.js";
import { addDecimals, checkDecimal, formatDecimal, negate } from "../numbers.js";
import type { Condition, DocumentPath, Operand, UpdateAction, UpdateValue } from "./ast.js";

/** The value at a path, or undefined where the path leads nowhere. */
export function valueAt(item: Item, path: DocumentPath): AttributeValue | undefined {
  let current: AttributeValue | undefined = item[path[0] as string];
  for (let index = 1; index < path.length && current !== undefined; index++) {
    const piece = path[index]!;
    if (typeof piece === "number") current = "L" in current ? current.L[piece] : undefined;
    else current = "M" in current ? current.M[piece] : undefined;
  }
  return current;
}

function operandValue(item: Item, operand: Operand): AttributeValue | undefined {
  if (operand.kind === "value") return operand.value;
  const value = valueAt(item, operand.path);
  if (operand.kind === "path" || value === undefined) return value;
  return sizeOf(value);
}

function sizeOf(value: AttributeValue): AttributeValue | undefined {
  if ("S" in value) return { N: String(Buffer.byteLength(value.S, "utf8")) };
  if ("B" in value) return { N: String(Buffer.from(value.B, "base64").length) };
  if ("SS" in value) return { N: String(value.SS.length) };
  if ("NS" in value) return { N: String(value.NS.length) };
  if ("BS" in value) return { N: String(value.BS.length) };
  if ("L" in value) return { N: String(value.L.length) };
  if ("M" in value) return { N: String(Object.keys(value.M).length) };
  return undefined;
}

export function matches(item: Item, condition: Condition): boolean {
  switch (condition.kind) {
    case "and":
      return matches(item, condition.left) && matches(item, condition.right);
    case "or":
      return matches(item, condition.left) || matches(item, condition.right);
    case "not":
      return !matches(item, condition.operand);
    case "compare":
      return compareWith(condition.comparator, operandValue(item, condition.left), operandValue(item, condition.right));
    case "between": {
      const subject = operandValue(item, condition.subject);
      return compareWith(">=", subject, operandValue(item, condition.low)) && compareWith("<=", subject, operandValue(item, condition.high));
    }
    case "in": {
      const subject = operandValue(item, condition.subject);
      return condition.options.some((option) => valuesEqual(subject, operandValue(item, option)));
    }
    case "function":
      return callFunction(item, condition.name, condition.args);
  }
}

export function compareWith(comparator: string, left: AttributeValue | undefined, right: AttributeValue | undefined): boolean {
  if (comparator === "=") return valuesEqual(left, right);
  if (comparator === "<>") return !valuesEqual(left, right);
  if (left === undefined || right === undefined) return false;
  const order = compareScalars(left, right);
  if (order === undefined) return false;
  switch (comparator) {
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    default:
      return order >= 0;
  }
}

function callFunction(item: Item, name: string, args: readonly Operand[]): boolean {
  const subject = operandValue(item, args[0]!);
  switch (name) {
    case "attribute_exists":
      return subject !== undefined;
    case "attribute_not_exists":
      return subject === undefined;
    case "attribute_type": {
      const wanted = operandValue(item, args[1]!);
      return subject !== undefined && wanted !== undefined && "S" in wanted && typeOf(subject) === wanted.S;
    }
    case "begins_with":
      return beginsWith(subject, operandValue(item, args[1]!));
    default:
      return contains(subject, operandValue(item, args[1]!));
  }
}

export function beginsWith(subject: AttributeValue | undefined, prefix: AttributeValue | undefined): boolean {
  if (subject === undefined || prefix === undefined) return false;
  if ("S" in subject && "S" in prefix) return subject.S.startsWith(prefix.S);
  if ("B" in subject && "B" in prefix) {
    const bytes = Buffer.from(subject.B, "base64");
    const start = Buffer.from(prefix.B, "base64");
    return bytes.subarray(0, start.length).equals(start);
  }
  return false;
}

export function contains(subject: AttributeValue | undefined, member: AttributeValue | undefined): boolean {
  if (subject === undefined || member === undefined) return false;
  if ("S" in subject) return "S" in member && subject.S.includes(member.S);
  if ("B" in subject) return "B" in member && Buffer.from(subject.B, "base64").includes(Buffer.from(member.B, "base64"));
  if ("SS" in subject) return "S" in member && subject.SS.includes(member.S);
  if ("NS" in subject) return "N" in member && subject.NS.some((number) => valuesEqual({ N: number }, member));
  if ("BS" in subject) return "B" in member && subject.BS.includes(member.B);
  if ("L" in subject) return subject.L.some((element) => valuesEqual(element, member));
  return false;
}

export type UpdateOutcome = { ok: true; item: Item } | { ok: false; message: string };

const incorrectType = "An operand in the update expression has an incorrect data type";
const invalidPath = "The document path provided in the update expression is invalid for update";
const missingAttribute = "The provided expression refers to an attribute that does not exist in the item";

class UpdateFailure extends Error {}

/**
 * Applies the actions to a copy of `item`. Every SET value is computed from the item as it was
 * before the update (DynamoDB's rule), then the actions apply in order.
 */
export function applyUpdate(item: Item, actions: readonly UpdateAction[]): UpdateOutcome {
  const updated = structuredClone(item);
  try {
    const values = actions.map((action) => (action.kind === "set" ? resolve(item, action.value) : undefined));
    actions.forEach((action, index) => {
      switch (action.kind) {
        case "set":
          return writeAt(updated, action.path, values[index]!);
        case "remove":
          return removeAt(updated, action.path);
        case "add":
          return writeAt(updated, action.path, added(valueAt(updated, action.path), action.value));
        case "delete": {
          const remaining = deleted(valueAt(updated, action.path), action.value);
          return remaining === undefined ? removeAt(updated, action.path) : writeAt(updated, action.path, remaining);
        }
      }
    });
  } catch (error) {
    if (error instanceof UpdateFailure) return { ok: false, message: error.message };
    throw error;
  }
  return { ok: true, item: updated };
}

function resolve(item: Item, value: UpdateValue): AttributeValue {
  switch (value.kind) {
    case "value":
      return value.value;
    case "path":
    case "size": {
      const found = operandValue(item, value);
      if (found === undefined) throw new UpdateFailure(missingAttribute);
      return found;
    }
    case "if_not_exists":
      return valueAt(item, value.path) ?? resolve(item, value.fallback);
    case "list_append": {
      const left = resolve(item, value.left);
      const right = resolve(item, value.right);
      if (!("L" in left) || !("L" in right)) throw new UpdateFailure(incorrectType);
      return { L: [...left.L, ...right.L] };
    }
    default: {
      const left = resolve(item, value.left);
      const right = resolve(item, value.right);
      if (!("N" in left) || !("N" in right)) throw new UpdateFailure(incorrectType);
      const addend = decimalOf(right.N);
      const sum = addDecimals(decimalOf(left.N), value.kind === "plus" ? addend : negate(addend));
      const problem = checkDecimal(sum);
      if (problem !== undefined) throw new UpdateFailure(problem);
      return { N: formatDecimal(sum) };
    }
  }
}

function added(existing: AttributeValue | undefined, value: AttributeValue): AttributeValue {
  if (existing === undefined) return value;
  if ("N" in value) {
    if (!("N" in existing)) throw new UpdateFailure(incorrectType);
    const sum = addDecimals(decimalOf(existing.N), decimalOf(value.N));
    const problem = checkDecimal(sum);
    if (problem !== undefined) throw new UpdateFailure(problem);
    return { N: formatDecimal(sum) };
  }
  const type = typeOf(value);
  if (typeOf(existing) !== type) throw new UpdateFailure(incorrectType);
  const members = (existing as Record<string, string[]>)[type]!;
  const extra = (value as Record<string, string[]>)[type]!.filter((member) => !setHas(type, members, member));
  return { [type]: [...members, ...extra] } as AttributeValue;
}

function deleted(existing: AttributeValue | undefined, value: AttributeValue): AttributeValue | undefined {
  if (existing === undefined) return undefined;
  const type = typeOf(value);
  if (typeOf(existing) !== type) throw new UpdateFailure(incorrectType);
  const removing = (value as Record<string, string[]>)[type]!;
  const left = (existing as Record<string, string[]>)[type]!.filter((member) => !setHas(type, removing, member));
  return left.length === 0 ? undefined : ({ [type]: left } as AttributeValue);
}

function setHas(type: string, members: readonly string[], member: string): boolean {
  if (type !== "NS") return members.includes(member);
  return members.some((candidate) => valuesEqual({ N: candidate }, { N: member }));
}

function parentOf(item: Item, path: DocumentPath): AttributeValue | { M: Item } | undefined {
  if (path.length === 1) return { M: item };
  return valueAt(item, path.slice(0, -1));
}

function writeAt(item: Item, path: DocumentPath, value: AttributeValue): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1]!;
  if (typeof last === "number") {
    if (parent === undefined || !("L" in parent)) throw new UpdateFailure(invalidPath);
    // Past the end appends, as DynamoDB does.
    if (last >= parent.L.length) parent.L.push(value);
    else parent.L[last] = value;
    return;
  }
  if (parent === undefined || !("M" in parent)) throw new UpdateFailure(invalidPath);
  parent.M[last] = value;
}

function removeAt(item: Item, path: DocumentPath): void {
  const parent = parentOf(item, path);
  const last = path[path.length - 1]!;
  if (parent === undefined) return;
  if (typeof last === "number") {
    if ("L" in parent && last < parent.L.length) parent.L.splice(last, 1);
    return;
  }
  if ("M" in parent) delete parent.M[last];
}

/** The parts of `item` the paths name, nested as in the item (lists keep the named elements in order). */
export function project(item: Item, paths: readonly DocumentPath[]): Item {
  const out: Item = {};
  for (const path of paths) {
    const value = valueAt(item, path);
    if (value === undefined) continue;
    let target: { M: Item } | { L: AttributeValue[] } = { M: out };
    let source: AttributeValue | undefined = { M: item };
    for (let index = 0; index < path.length - 1; index++) {
      const piece = path[index]!;
      source = typeof piece === "number" ? (source as { L: AttributeValue[] }).L[piece] : (source as { M: Item }).M[piece];
      const nextPiece = path[index + 1]!;
      const container = (typeof nextPiece === "number" ? { L: [] } : { M: {} }) as { M: Item } | { L: AttributeValue[] };
      target = descend(target, piece, container);
    }
    const last = path[path.length - 1]!;
    if ("M" in target) target.M[last as string] = structuredClone(value);
    else target.L.push(structuredClone(value));
  }
  return out;
}

function descend(target: { M: Item } | { L: AttributeValue[] }, piece: string | number, fresh: { M: Item } | { L: AttributeValue[] }) {
  if ("M" in target) {
    const existing = target.M[piece as string];
    if (existing !== undefined && ("M" in existing || "L" in existing)) return existing as { M: Item } | { L: AttributeValue[] };
    target.M[piece as string] = fresh;
    return fresh;
  }
  target.L.push(fresh);
  return fresh;
}
