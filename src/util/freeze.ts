/**
 * Deep-freezes a plain-data value (objects, arrays, and their members) and returns it. Catalogs
 * hand out the metadata they hold frozen instead of a copy per read: every PutRecords and
 * GetRecords reads its stream's metadata, and a change is always a new object passed to `put`.
 * A value already frozen is assumed frozen all the way down (this function is what froze it).
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  // Buffers and other typed arrays cannot be frozen, and the catalog holds none but secrets.
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const member of Object.values(value as Record<string, unknown>)) deepFreeze(member);
  return value;
}
