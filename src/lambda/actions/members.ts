/**
 * Reading request members with Lambda's constraint errors. Lambda checks its model's constraints
 * first and answers them together as one ValidationException ("2 validation errors detected:
 * Value '0' at 'timeout' failed to satisfy constraint: …; …"), member names in camelCase; a
 * member of the wrong JSON type cannot be read into the model and answers
 * InvalidRequestContentException.
 */
import { lambdaErrors } from "../errors.js";
import { constraintMessage } from "../function-names.js";

/** Collects constraint violations to answer them together, as Lambda does. */
export class Violations {
  private readonly messages: string[] = [];

  add(value: string | null, member: string, constraint: string): void {
    this.messages.push(constraintMessage(value, member, constraint));
  }

  /** Throws the ValidationException for what was collected, if anything. */
  check(): void {
    if (this.messages.length > 0) throw lambdaErrors.validation(this.messages.slice(0, 10));
  }
}

function typeError(member: string, expected: string): Error {
  return lambdaErrors.invalidRequestContent(`Could not parse request body into json: Could not parse payload into json: ${member} must be ${expected}`);
}

export function optionalString(json: Record<string, unknown>, member: string): string | undefined {
  const value = json[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw typeError(member, "a string");
  return value;
}

export function optionalNumber(json: Record<string, unknown>, member: string): number | undefined {
  const value = json[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw typeError(member, "a number");
  return value;
}

export function optionalBoolean(json: Record<string, unknown>, member: string): boolean | undefined {
  const value = json[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw typeError(member, "a boolean");
  return value;
}

export function optionalObject(json: Record<string, unknown>, member: string): Record<string, unknown> | undefined {
  const value = json[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) throw typeError(member, "an object");
  return value as Record<string, unknown>;
}

export function optionalStringList(json: Record<string, unknown>, member: string): string[] | undefined {
  const value = json[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) throw typeError(member, "a list of strings");
  return value as string[];
}

export function optionalStringMap(json: Record<string, unknown>, member: string): Record<string, string> | undefined {
  const value = optionalObject(json, member);
  if (value === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== "string") throw typeError(`${member}.${key}`, "a string");
    map[key] = entry;
  }
  return map;
}

/** A camelCase member name as Lambda's messages spell it (`Timeout` → `timeout`). */
export function camel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

/** Checks an integer range, worded as the model's constraint. */
export function checkRange(violations: Violations, value: number | undefined, member: string, min: number, max: number): void {
  if (value === undefined) return;
  if (value < min) violations.add(String(value), member, `Member must have value greater than or equal to ${min}`);
  else if (value > max) violations.add(String(value), member, `Member must have value less than or equal to ${max}`);
}

export function checkLength(violations: Violations, value: string | undefined, member: string, max: number, min = 0): void {
  if (value === undefined) return;
  if (value.length > max) violations.add(value, member, `Member must have length less than or equal to ${max}`);
  else if (value.length < min) violations.add(value, member, `Member must have length greater than or equal to ${min}`);
}

/** The query parameter MaxItems (1–10,000) and Marker of the list actions. */
export function paging(query: URLSearchParams, defaultItems = 50): { marker?: string; maxItems: number } {
  const violations = new Violations();
  const raw = query.get("MaxItems");
  let maxItems = defaultItems;
  if (raw !== null) {
    const parsed = Number(raw);
    if (!Number.isInteger(parsed)) throw lambdaErrors.invalidParameterValue(`Invalid value for MaxItems: ${raw}`);
    checkRange(violations, parsed, "maxItems", 1, 10000);
    maxItems = Math.min(parsed, defaultItems);
  }
  violations.check();
  const marker = query.get("Marker");
  return { maxItems, ...(marker !== null && marker !== "" && { marker }) };
}

/** A page of `all` from index `start`, and the NextMarker to go on (spread into the answer) when more follow. */
export function pageFrom<T>(all: readonly T[], start: number, maxItems: number): { page: T[]; next: { NextMarker?: string } } {
  const page = all.slice(start, start + maxItems);
  const nextIndex = start + page.length;
  return { page, next: nextIndex < all.length ? { NextMarker: String(nextIndex) } : {} };
}

/** pageFrom at the index a Marker of ours names; InvalidParameterValueException for any other marker. */
export function pageOf<T>(all: readonly T[], marker: string | undefined, maxItems: number): { page: T[]; next: { NextMarker?: string } } {
  const start = marker === undefined ? 0 : Number.parseInt(marker, 10);
  if (!Number.isInteger(start) || start < 0) throw lambdaErrors.invalidParameterValue(`Invalid marker: ${marker}`);
  return pageFrom(all, start, maxItems);
}
