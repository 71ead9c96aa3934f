/**
 * One filter's Pattern (a JSON object as a string) compiled once into a closure over a Kinesis
 * record. The pattern has the record's shape: its top-level members address the record's
 * metadata properties (`partitionKey`, `sequenceNumber`, `kinesisSchemaVersion`,
 * `approximateArrivalTimestamp` — the members of the event's `kinesis` object, not `kinesis`
 * itself) and `data`, the record's payload read as JSON. A member's value is either a rule list
 * (leaf-rules.ts) or an object (a nested pattern: every member must match, AND); `"$or": [p1, p2,
 * …]` holds when any of its patterns does. An event array under a nested pattern matches when one
 * of its elements matches the whole nested pattern.
 *
 * For Kinesis, the pattern for `data` must itself be an object: Lambda refuses a pattern whose
 * data properties are not JSON (a rule list right on `data`) when the mapping is created.
 */
import { InvalidPattern } from "./invalid-pattern.js";
import { compileRules, isPlainObject, type FieldPredicate } from "./leaf-rules.js";

/** The decoded `data` of a record whose bytes are not JSON: no pattern on data matches it. */
export const notJson: unique symbol = Symbol("not JSON");

export type RecordPredicate = (record: Record<string, unknown>, data: unknown) => boolean;

export interface CompiledPattern {
  /** Whether the pattern reads `data` (if no filter does, records are never decoded). */
  readonly usesData: boolean;
  /** `data` is the record's payload decoded as JSON, or `notJson`. */
  readonly matches: RecordPredicate;
}

const absent: Readonly<Record<string, unknown>> = Object.freeze({});

export function compilePattern(text: string): CompiledPattern {
  let pattern: unknown;
  try {
    pattern = JSON.parse(text);
  } catch {
    throw new InvalidPattern("the pattern is not JSON");
  }
  if (!isPlainObject(pattern)) throw new InvalidPattern("the pattern is not a JSON object");
  const state = { usesData: false };
  const matches = compileRecordMembers(pattern, state);
  return { usesData: state.usesData, matches };
}

/** The top level: members of the record, `data` decoded once per record by the caller. */
function compileRecordMembers(pattern: Record<string, unknown>, state: { usesData: boolean }): RecordPredicate {
  const parts: RecordPredicate[] = [];
  for (const key of membersOf(pattern)) {
    const value = pattern[key];
    if (key === "$or" && isOrList(value)) {
      const alternatives = orAlternatives(value).map((alternative) => compileRecordMembers(alternative, state));
      parts.push((record, data) => alternatives.some((alternative) => alternative(record, data)));
    } else if (key === "data") {
      if (!isPlainObject(value)) throw new InvalidPattern("the pattern for data properties is not a JSON object");
      state.usesData = true;
      const inner = compileObject(value);
      parts.push((_record, data) => data !== notJson && inner(data));
    } else {
      const field = compileValue(value);
      parts.push((record) => field(own(record, key)));
    }
  }
  return allOfRecord(parts);
}

/** A nested pattern, as a predicate over the event's value at its place. */
function compileObject(pattern: Record<string, unknown>): FieldPredicate {
  const members = compileMembers(pattern);
  const matchesValue = (value: unknown): boolean => {
    if (isPlainObject(value)) return members(value);
    if (Array.isArray(value)) {
      if (value.length === 0) return members(absent);
      return value.some(matchesValue);
    }
    return members(absent); // absent, or a leaf where the pattern expects an object: only exists:false can hold
  };
  return matchesValue;
}

function compileMembers(pattern: Record<string, unknown>): (object: Record<string, unknown>) => boolean {
  const parts: Array<(object: Record<string, unknown>) => boolean> = [];
  for (const key of membersOf(pattern)) {
    const value = pattern[key];
    if (key === "$or" && isOrList(value)) {
      const alternatives = orAlternatives(value).map(compileMembers);
      parts.push((object) => alternatives.some((alternative) => alternative(object)));
    } else {
      const field = compileValue(value);
      parts.push((object) => field(own(object, key)));
    }
  }
  return allOf(parts);
}

function compileValue(value: unknown): FieldPredicate {
  return isPlainObject(value) ? compileObject(value) : compileRules(value);
}

function membersOf(pattern: Record<string, unknown>): string[] {
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new InvalidPattern("an object in the pattern is empty");
  return keys;
}

/** `$or` is the operator when it holds a list of objects; otherwise it is a field named "$or". */
function isOrList(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.length > 0 && value.every(isPlainObject);
}

function orAlternatives(value: Record<string, unknown>[]): Record<string, unknown>[] {
  if (value.length < 2) throw new InvalidPattern("$or takes at least two patterns");
  return value;
}

function allOfRecord(parts: RecordPredicate[]): RecordPredicate {
  if (parts.length === 1) return parts[0]!;
  return (record, data) => {
    for (const part of parts) if (!part(record, data)) return false;
    return true;
  };
}

function allOf(parts: Array<(object: Record<string, unknown>) => boolean>): (object: Record<string, unknown>) => boolean {
  if (parts.length === 1) return parts[0]!;
  return (object) => {
    for (const part of parts) if (!part(object)) return false;
    return true;
  };
}

/** The event's own member: never one inherited from Object.prototype (`constructor`, `__proto__`). */
function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
