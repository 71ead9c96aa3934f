/**
 * S3's conditional requests on an object's ETag and Last-Modified (GetObject, HeadObject, and the
 * copy-source forms of CopyObject and UploadPartCopy), with the precedence S3 documents (GetObject,
 * "Conditional requests"; RFC 7232 section 6):
 * - If-Match true makes If-Unmodified-Since irrelevant (200 even if it is false);
 * - If-None-Match false (the ETag matches) answers 304 whatever If-Modified-Since says, and
 *   If-None-Match true makes If-Modified-Since irrelevant.
 * A date that does not parse is ignored, as is an If-Modified-Since in the future.
 */
export type ConditionOutcome = { ok: true } | { ok: false; failed: "precondition" | "not-modified"; header: string };

export interface ConditionHeaders {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  ifUnmodifiedSince?: string;
}

export interface ConditionNames {
  ifMatch: string;
  ifNoneMatch: string;
  ifModifiedSince: string;
  ifUnmodifiedSince: string;
}

export const requestConditionNames: ConditionNames = {
  ifMatch: "If-Match",
  ifNoneMatch: "If-None-Match",
  ifModifiedSince: "If-Modified-Since",
  ifUnmodifiedSince: "If-Unmodified-Since",
};

/** Does an If-Match / If-None-Match list (`"a", "b"`, `*`, quoted or not, W/ or not) name `etag`? */
export function etagListMatches(list: string, etag: string): boolean {
  const bare = unquote(etag);
  return list.split(",").some((entry) => {
    const candidate = entry.trim();
    return candidate === "*" || unquote(candidate.replace(/^W\//, "")) === bare;
  });
}

function unquote(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/** A date header in ms, or undefined when it does not parse. */
function dateMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Checks the conditions against an object; `notModifiedAnswer` is false for the copy-source forms,
 * where every failure is a 412 (CopyObject's documentation).
 */
export function checkConditions(
  headers: ConditionHeaders,
  object: { etag: string; lastModifiedMs: number },
  names: ConditionNames,
  nowMs: number,
  notModifiedAnswer = true,
): ConditionOutcome {
  // HTTP dates have whole seconds: the object's time as its Last-Modified header shows it.
  const modifiedMs = Math.floor(object.lastModifiedMs / 1000) * 1000;
  if (headers.ifMatch !== undefined) {
    if (!etagListMatches(headers.ifMatch, object.etag)) return { ok: false, failed: "precondition", header: names.ifMatch };
  } else {
    const unmodifiedSinceMs = dateMs(headers.ifUnmodifiedSince);
    if (unmodifiedSinceMs !== undefined && modifiedMs > unmodifiedSinceMs) return { ok: false, failed: "precondition", header: names.ifUnmodifiedSince };
  }
  const failed = notModifiedAnswer ? "not-modified" : "precondition";
  if (headers.ifNoneMatch !== undefined) {
    if (etagListMatches(headers.ifNoneMatch, object.etag)) return { ok: false, failed, header: names.ifNoneMatch };
  } else {
    const modifiedSinceMs = dateMs(headers.ifModifiedSince);
    if (modifiedSinceMs !== undefined && modifiedSinceMs <= nowMs && modifiedMs <= modifiedSinceMs) {
      return { ok: false, failed, header: names.ifModifiedSince };
    }
  }
  return { ok: true };
}
