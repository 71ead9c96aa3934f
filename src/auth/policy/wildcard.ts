/**
 * IAM's wildcard matching. In action names and string conditions (StringLike) `*` matches any run
 * of characters and `?` exactly one. ARNs match segment by segment, as IAM matches them: the six
 * parts `arn:partition:service:region:account:resource` are compared separately, so a wildcard
 * never spans a colon except inside the resource part, which keeps its own colons (a consumer
 * ARN's `:<creation seconds>`).
 */

/** A compiled pattern: a literal compares as a string, anything with a wildcard as a RegExp. */
export type Glob = { literal: string; ignoreCase: boolean } | { regexp: RegExp };

const regexpSpecials = /[\\^$.|+()[\]{}]/g;

/** Compiles an IAM wildcard pattern; `ignoreCase` for action names, which IAM compares case-insensitively. */
export function compileGlob(pattern: string, ignoreCase: boolean): Glob {
  if (!pattern.includes("*") && !pattern.includes("?")) {
    return { literal: ignoreCase ? pattern.toLowerCase() : pattern, ignoreCase };
  }
  const source = pattern.replace(regexpSpecials, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return { regexp: new RegExp(`^${source}$`, ignoreCase ? "is" : "s") };
}

export function globMatches(glob: Glob, value: string): boolean {
  if ("literal" in glob) return glob.literal === (glob.ignoreCase ? value.toLowerCase() : value);
  return glob.regexp.test(value);
}

/** An ARN pattern: `*` alone, or six segment globs. */
export type ArnPattern = { any: true } | { any: false; segments: readonly Glob[] };

const arnSegmentCount = 6;

/** Splits an ARN into its six parts (the last keeps any further colons), or undefined for text that is not one. */
export function arnSegments(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let index = 0; index < arnSegmentCount - 1; index++) {
    const colon = arn.indexOf(":", start);
    if (colon < 0) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

/** Compiles a Resource (or ArnLike value); undefined for text that is neither `*` nor an ARN. */
export function compileArnPattern(pattern: string): ArnPattern | undefined {
  if (pattern === "*") return { any: true };
  const parts = arnSegments(pattern);
  if (!parts || parts[0] !== "arn") return undefined;
  return { any: false, segments: parts.map((part) => compileGlob(part, false)) };
}

export function arnMatches(pattern: ArnPattern, arn: string): boolean {
  return pattern.any || segmentsMatch(pattern, arnSegments(arn));
}

/** As `arnMatches`, for an ARN already split by `arnSegments` (undefined: not an ARN). */
export function segmentsMatch(pattern: ArnPattern, parts: readonly string[] | undefined): boolean {
  if (pattern.any) return true;
  if (!parts) return false;
  for (let index = 0; index < arnSegmentCount; index++) {
    if (!globMatches(pattern.segments[index]!, parts[index]!)) return false;
  }
  return true;
}
