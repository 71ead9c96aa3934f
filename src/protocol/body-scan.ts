/**
 * What a scan of a request body found, before anything is decoded: the JSON and CBOR scanners
 * (json-scan.ts, cbor-scan.ts) walk the bytes once, allocating nothing per value, and tell a
 * well-formed body within the bounds below from a malformed one, one with too many values, and
 * one nested too deeply. The pipeline (respond.ts) scans before it authenticates and decodes
 * only after, so an unsigned hostile body costs one linear pass and no memory.
 */

/**
 * How deeply a body may nest (objects, arrays and CBOR tags, the top-level object counting as 1).
 * AWS documents no limit, but refuses deep nesting with a SerializationException. No legal
 * request comes near: Kinesis's deepest is 3 (PutRecords: body → Records → entry), DynamoDB's
 * ~70 (an attribute value nested to its 32-level limit, two JSON levels per level, inside a
 * request). Deeper is refused before it costs a parse.
 */
export const bodyDepthMax = 128;

/**
 * How many values (scalars, containers and map keys, each counting 1) a body may hold. Parsing
 * costs per value, not per byte: 14 MiB of `[[],[],…]` is 4.7 million arrays, ~0.8 s and ~230 MB
 * in JSON.parse, while 100,000 of them take ~25 ms. The largest legal Kinesis request, a full
 * PutRecords, holds ~2,000; a DynamoDB item holds what fits its 400 KB.
 */
export const bodyValuesMax = 100_000;

export interface BodyLimits {
  depthMax: number;
  valuesMax: number;
}

export const bodyLimits: BodyLimits = { depthMax: bodyDepthMax, valuesMax: bodyValuesMax };

/** One container on the way from the body's top to where it nested too deeply. */
export interface BodyPathStep {
  /** A JSON object or CBOR map, an array, or a CBOR tag (which wraps one item). */
  container: "map" | "list" | "tag";
  /** The key the path leaves a map by; undefined when it is not a short text key (then no member has that name). */
  key?: string;
}

/** Where a body nested past `depthMax`: the containers leading there and the kind of the one opened too deep. */
export interface DeepBody {
  path: readonly BodyPathStep[];
  opened: "map" | "list" | "tag";
}

export type BodyScan =
  | { ok: true }
  /** Not well-formed, or its top level is not an object (AWS's SerializationException without a message). */
  | { ok: false; reason: "malformed" }
  | { ok: false; reason: "tooManyValues" }
  | { ok: false; reason: "tooDeep"; deep: DeepBody };

export const scanMalformed: BodyScan = Object.freeze({ ok: false, reason: "malformed" });
export const scanTooManyValues: BodyScan = Object.freeze({ ok: false, reason: "tooManyValues" });
export const scanOk: BodyScan = Object.freeze({ ok: true });

/** Longest key a path records: longer ones name no member of any shape. */
export const pathKeyBytesMax = 256;
