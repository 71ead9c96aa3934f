/**
 * The JSONPath subset of input schemas (developer guide, "Working with JSONPath"): `$`, `.name`,
 * `['name']`, `[n]` and `[0:]`. `[0:]` at the end of a path selects the whole array (mapped as its
 * JSON text); inside a path it flattens: each element becomes its own row. Paths are case sensitive;
 * a missing element is null.
 */

export type PathSegment = { kind: "field"; name: string } | { kind: "index"; index: number } | { kind: "all" };

export interface JsonPath {
  text: string;
  segments: PathSegment[];
}

export class JsonPathError extends Error {
  override name = "JsonPathError";
}

/** Parses `$.a.b[0:].c`; throws JsonPathError naming the offending position. */
export function parseJsonPath(text: string): JsonPath {
  if (!text.startsWith("$")) throw new JsonPathError(`Invalid JSONPath "${text}": it must start with $`);
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ".") {
      const match = /^[^.[\]]+/.exec(text.slice(i + 1));
      if (match === null) throw new JsonPathError(`Invalid JSONPath "${text}": expected a name at position ${i + 1}`);
      segments.push({ kind: "field", name: match[0] });
      i += 1 + match[0].length;
    } else if (ch === "[") {
      const close = text.indexOf("]", i);
      if (close < 0) throw new JsonPathError(`Invalid JSONPath "${text}": unclosed [ at position ${i}`);
      segments.push(bracket(text, text.slice(i + 1, close).trim(), i));
      i = close + 1;
    } else {
      throw new JsonPathError(`Invalid JSONPath "${text}": unexpected "${ch}" at position ${i}`);
    }
  }
  return { text, segments };
}

function bracket(text: string, inner: string, at: number): PathSegment {
  if (inner === "0:" || inner === "*") return { kind: "all" };
  if (/^\d+$/.test(inner)) return { kind: "index", index: Number(inner) };
  const quoted = /^'(.*)'$/.exec(inner) ?? /^"(.*)"$/.exec(inner);
  if (quoted !== null) return { kind: "field", name: quoted[1]! };
  throw new JsonPathError(`Invalid JSONPath "${text}": unsupported selector [${inner}] at position ${at}`);
}

/** The position of the first flattening `[0:]` (one that is not last), or -1. */
export function flattenIndex(path: JsonPath): number {
  return path.segments.findIndex((segment, index) => segment.kind === "all" && index < path.segments.length - 1);
}

/** Follows segments from a node; `[0:]` answers the array itself (callers flatten explicitly). */
export function select(node: unknown, segments: readonly PathSegment[], from = 0, to = segments.length): unknown {
  let current = node;
  for (let i = from; i < to; i++) {
    const segment = segments[i]!;
    if (current === null || current === undefined) return undefined;
    if (segment.kind === "field") {
      // Own properties only: a path such as $.constructor must not reach the prototype.
      const isObject = typeof current === "object" && !Array.isArray(current);
      current = isObject && Object.hasOwn(current as object, segment.name) ? (current as Record<string, unknown>)[segment.name] : undefined;
    } else if (segment.kind === "index") {
      current = Array.isArray(current) ? current[segment.index] : undefined;
    } else if (!Array.isArray(current)) {
      return undefined;
    }
  }
  return current;
}

export function sameSegments(a: readonly PathSegment[], b: readonly PathSegment[], length: number): boolean {
  if (a.length < length || b.length < length) return false;
  for (let i = 0; i < length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kind !== y.kind) return false;
    if (x.kind === "field" && x.name !== (y as { name: string }).name) return false;
    if (x.kind === "index" && x.index !== (y as { index: number }).index) return false;
  }
  return true;
}
