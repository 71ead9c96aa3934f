/**
 * S3's canonical request (Amazon S3 API Reference, "Signature Calculations for the Authorization
 * Header"): as every SigV4 service's, except that the path is URI-encoded once, not twice, and
 * is not normalised — `.`, `..` and empty segments are part of a key and signed as they are. Each
 * segment is decoded and encoded again with SigV4's UriEncode, so a client that escaped a
 * character S3 leaves alone (`%7E` for `~`) signs what S3 computes; `%2F` stays inside its segment.
 * The query, headers and hashing are the shared SigV4 pieces (src/auth/sigv4/canonical.ts).
 */
import { createHmac } from "node:crypto";
import { canonicalRequest, sha256Hex, uriEncode, type CanonicalRequestParts } from "../../auth/sigv4/canonical.js";

export function s3CanonicalUri(path: string): string {
  const encoded = path.split("/").map((segment) => {
    try {
      return uriEncode(decodeURIComponent(segment));
    } catch {
      // Not valid percent-encoding: signed as sent.
      return segment;
    }
  });
  const uri = encoded.join("/");
  return uri.startsWith("/") ? uri : "/" + uri;
}

/** The parts of S3's canonical request: the shared ones, with x-amz-content-sha256 as sent as the payload hash (UNSIGNED-PAYLOAD when presigned). */
export type S3CanonicalRequestParts = CanonicalRequestParts;

export function s3CanonicalRequest(parts: S3CanonicalRequestParts): string {
  return canonicalRequest(parts, s3CanonicalUri);
}

export const emptySha256Hex = sha256Hex("");

/**
 * The string to sign for one aws-chunked chunk (API Reference, "Signature Calculations for the
 * Authorization Header: Transferring Payload in Multiple Chunks"): each chunk's signature chains
 * on the previous one, starting from the request's (the seed).
 */
export function chunkStringToSign(timestamp: string, scope: string, previousSignature: string, chunkSha256Hex: string): string {
  return `AWS4-HMAC-SHA256-PAYLOAD\n${timestamp}\n${scope}\n${previousSignature}\n${emptySha256Hex}\n${chunkSha256Hex}`;
}

/** Trailing headers as signed: `name:value\n` each, names lower-cased, sorted; a lone `\n` when there are none. */
export function canonicalTrailers(trailers: readonly (readonly [string, string])[]): string {
  const lines = trailers.map(([name, value]) => [name.trim().toLowerCase(), value.trim()] as const);
  lines.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return lines.length === 0 ? "\n" : lines.map(([name, value]) => `${name}:${value}\n`).join("");
}

/** The string to sign for the trailer of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body, chained on the last chunk's. */
export function trailerStringToSign(timestamp: string, scope: string, previousSignature: string, trailers: readonly (readonly [string, string])[]): string {
  return `AWS4-HMAC-SHA256-TRAILER\n${timestamp}\n${scope}\n${previousSignature}\n${sha256Hex(canonicalTrailers(trailers))}`;
}

export function hmacHex(key: Buffer, text: string): string {
  return createHmac("sha256", key).update(text).digest("hex");
}
