/**
 * Signature Version 4, the signing side both ends compute (AWS General Reference, "Create a
 * canonical request for Signature Version 4"):
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n \n SignedHeaders \n PayloadHash
 *   StringToSign     = "AWS4-HMAC-SHA256" \n Timestamp(YYYYMMDD'T'HHMMSS'Z') \n Date/Region/Service/aws4_request \n hex(SHA256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, Date), Region), Service), "aws4_request")
 *   Signature        = hex(HMAC(SigningKey, StringToSign))
 *
 * For every service but S3 the URI path is normalised and encoded a second time (the wire path is
 * already encoded once), as the SDKs and botocore do. Pure: no I/O, no clock.
 */
import { createHash, createHmac } from "node:crypto";

export const algorithm = "AWS4-HMAC-SHA256";
export const scopeTerminator = "aws4_request";

export type HeaderValues = Readonly<Record<string, string | string[] | undefined>>;

/** RFC 3986 unreserved characters stay; everything else is %XX in upper case (SigV4's UriEncode). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => "%" + char.charCodeAt(0).toString(16).toUpperCase());
}

/** The wire path (still percent-encoded), with `.` and `..` segments resolved, encoded again. */
export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
  return "/" + segments.map(uriEncode).join("/") + trailing;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: signed as sent, as a client that did not encode it would have.
    return text;
  }
}

/** The query's name/value pairs, decoded, in order; a name without `=` has an empty value. */
export function parseQuery(query: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of query.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = equals < 0 ? part : part.slice(0, equals);
    const value = equals < 0 ? "" : part.slice(equals + 1);
    pairs.push([decodeQueryPart(name), decodeQueryPart(value)]);
  }
  return pairs;
}

/** Pairs encoded and sorted by name, then value; `omit` names the presigned signature parameter. */
export function canonicalQuery(pairs: readonly (readonly [string, string])[], omit?: string): string {
  const encoded = pairs.filter(([name]) => name !== omit).map(([name, value]) => [uriEncode(name), uriEncode(value)] as const);
  encoded.sort(([nameA, valueA], [nameB, valueB]) => (nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0));
  return encoded.map(([name, value]) => `${name}=${value}`).join("&");
}

/** A header's value as signed: repeated values joined by commas, each trimmed with inner runs of spaces collapsed. */
export function headerValue(headers: HeaderValues, name: string): string | undefined {
  // HTTP/2 carries the host as the :authority pseudo-header, and the JS SDK signs it under that
  // name over HTTP/2; either name reads whichever of the two the request has.
  const raw = headers[name] ?? (name === "host" ? headers[":authority"] : name === ":authority" ? headers.host : undefined);
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  return values.map((value) => value.trim().replace(/\s+/g, " ")).join(",");
}

export function canonicalHeaders(headers: HeaderValues, signedHeaders: readonly string[]): string {
  return signedHeaders.map((name) => `${name}:${headerValue(headers, name) ?? ""}\n`).join("");
}

export interface CanonicalRequestParts {
  method: string;
  path: string;
  query: readonly (readonly [string, string])[];
  /** Left out of the canonical query: X-Amz-Signature for presigned URLs. */
  omitQuery?: string;
  headers: HeaderValues;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The canonical request; `uriOf` is how the path is encoded (S3 passes its own: it does not encode twice). */
export function canonicalRequest(parts: CanonicalRequestParts, uriOf: (path: string) => string = canonicalUri): string {
  return [
    parts.method,
    uriOf(parts.path),
    canonicalQuery(parts.query, parts.omitQuery),
    canonicalHeaders(parts.headers, parts.signedHeaders),
    parts.signedHeaders.join(";"),
    parts.payloadHash,
  ].join("\n");
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function stringToSign(timestamp: string, scope: string, canonical: string): string {
  return `${algorithm}\n${timestamp}\n${scope}\n${sha256Hex(canonical)}`;
}

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const dateKey = createHmac("sha256", "AWS4" + secretAccessKey).update(date).digest();
  const regionKey = createHmac("sha256", dateKey).update(region).digest();
  const serviceKey = createHmac("sha256", regionKey).update(service).digest();
  return createHmac("sha256", serviceKey).update(scopeTerminator).digest();
}

export function signatureHex(key: Buffer, toSign: string): string {
  return createHmac("sha256", key).update(toSign).digest("hex");
}
