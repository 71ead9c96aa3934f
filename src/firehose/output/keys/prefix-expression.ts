import { compileDatePattern, DatePatternError } from "./java-date-format.js";

/**
 * Prefix and ErrorOutputPrefix expressions (docs: "Custom Prefixes for Amazon S3 Objects",
 * "Dynamic Partitioning"):
 *
 *   prefix     = (literal | expression)*
 *   expression = "!{" namespace ":" value "}"
 *   namespace  = "timestamp" | "firehose" | "partitionKeyFromQuery" | "partitionKeyFromLambda"
 *
 * `!{timestamp:<Java DateTimeFormatter pattern>}`; `!{firehose:random-string}` (11 characters);
 * `!{firehose:error-output-type}` (ErrorOutputPrefix only); `!{partitionKeyFromQuery:<key>}` and
 * `!{partitionKeyFromLambda:<key>}` (dynamic partitioning only). The sequence `!{` appears only
 * in expressions.
 */
export type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | { readonly kind: "timestamp"; readonly pattern: string; readonly format: (epochMs: number, offsetMinutes?: number) => string }
  | { readonly kind: "random-string" }
  | { readonly kind: "error-output-type" }
  | { readonly kind: "partitionKeyFromQuery" | "partitionKeyFromLambda"; readonly key: string };

export type ParseResult = { readonly ok: true; readonly segments: readonly Segment[] } | { readonly ok: false; readonly problem: string; readonly expression?: string };

/** Splits a prefix into literals and expressions, or says what is wrong with it. */
export function parsePrefix(prefix: string): ParseResult {
  const segments: Segment[] = [];
  let at = 0;
  while (at < prefix.length) {
    const start = prefix.indexOf("!{", at);
    if (start === -1) {
      segments.push({ kind: "literal", text: prefix.slice(at) });
      break;
    }
    if (start > at) segments.push({ kind: "literal", text: prefix.slice(at, start) });
    const end = prefix.indexOf("}", start + 2);
    if (end === -1) return { ok: false, problem: "unterminated", expression: prefix.slice(start) };
    const expression = prefix.slice(start, end + 1);
    const body = prefix.slice(start + 2, end);
    if (body.includes("!{")) return { ok: false, problem: "unterminated", expression: prefix.slice(start, prefix.indexOf("!{", start + 2)) };
    const colon = body.indexOf(":");
    const namespace = colon === -1 ? body : body.slice(0, colon);
    const value = colon === -1 ? "" : body.slice(colon + 1);
    const segment = expressionSegment(namespace, value);
    if (typeof segment === "string") return { ok: false, problem: segment, expression };
    segments.push(segment);
    at = end + 1;
  }
  return { ok: true, segments };
}

function expressionSegment(namespace: string, value: string): Segment | string {
  switch (namespace) {
    case "timestamp":
      if (value === "") return "empty-value";
      try {
        return { kind: "timestamp", pattern: value, format: compileDatePattern(value) };
      } catch (error) {
        if (error instanceof DatePatternError) return "bad-timestamp";
        throw error;
      }
    case "firehose":
      if (value === "random-string") return { kind: "random-string" };
      if (value === "error-output-type") return { kind: "error-output-type" };
      return "unknown-firehose-value";
    case "partitionKeyFromQuery":
    case "partitionKeyFromLambda":
      if (value === "") return "empty-value";
      return { kind: namespace, key: value };
    default:
      return "unknown-namespace";
  }
}

export function hasExpressions(segments: readonly Segment[]): boolean {
  return segments.some((segment) => segment.kind !== "literal");
}
