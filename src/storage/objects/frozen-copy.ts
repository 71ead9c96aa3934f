/**
 * The store's own copy of a record a caller hands it (the state keeps records frozen and hands
 * them out as they are): plain data copied and frozen in one pass, and whatever is frozen already
 * shared rather than copied (it cannot change under the store). structuredClone plus deepFreeze
 * cost a small PutObject's server ~5 % of its CPU (bench/s3); records are JSON data (the journal
 * is JSON), so anything else — a Date, a typed array — falls back to them.
 */
import { deepFreeze } from "../../util/freeze.js";

export function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) out[index] = frozenCopy(value[index] as unknown);
    return Object.freeze(out) as T;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return deepFreeze(structuredClone(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = frozenCopy((value as Record<string, unknown>)[key]);
    // An own "__proto__" (user metadata may be named so) stays a member, as JSON.parse makes it.
    if (key === "__proto__") Object.defineProperty(out, key, { value: member, enumerable: true, writable: true, configurable: true });
    else out[key] = member;
  }
  return Object.freeze(out) as T;
}
