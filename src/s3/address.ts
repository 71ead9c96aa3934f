/**
 * Where an S3 request points: the bucket from a virtual host (`bucket.localhost`,
 * `bucket.s3.localhost`, `bucket.s3.<region>.localhost`, any port) or from the path's first
 * segment (path style), and the key from the rest of the path, percent-decoded exactly (a key may
 * hold `/`, `//`, `..`, `%2F`, spaces, any UTF-8: nothing is normalised).
 */
import type { RequestHead } from "../protocol/streaming-api.js";
import { headerOf } from "./headers.js";

export interface S3Address {
  bucket?: string;
  key?: string;
}

/** The request's host without its port, lowercased: the Host header, or `:authority` over HTTP/2. */
export function hostOf(head: RequestHead): string {
  const host = headerOf(head, "host") ?? headerOf(head, ":authority") ?? "";
  // A bracketed IPv6 literal keeps its colons; anything else loses `:port`.
  const withoutPort = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  return withoutPort.toLowerCase();
}

/** The bucket a virtual host names; undefined for a path-style host (an IP, `localhost`, `s3.localhost`, `s3.<region>.localhost`). */
export function virtualHostBucket(host: string): string | undefined {
  if (!host.endsWith(".localhost")) return undefined;
  if (host === "s3.localhost" || /^s3\.[a-z0-9-]+\.localhost$/.test(host)) return undefined;
  const match = /^(.+)\.s3\.[a-z0-9-]+\.localhost$/.exec(host) ?? /^(.+)\.s3\.localhost$/.exec(host) ?? /^(.+)\.localhost$/.exec(host);
  return match?.[1];
}

/** The bucket and key of a request; undefined when the path does not percent-decode (InvalidURI). */
export function addressOf(head: RequestHead): S3Address | undefined {
  const hostBucket = virtualHostBucket(hostOf(head));
  const path = head.path.startsWith("/") ? head.path.slice(1) : head.path;
  try {
    if (hostBucket !== undefined) return path === "" ? { bucket: hostBucket } : { bucket: hostBucket, key: decoded(path) };
    if (path === "") return {};
    const slash = path.indexOf("/");
    if (slash < 0) return { bucket: decoded(path) };
    const bucket = decoded(path.slice(0, slash));
    const rawKey = path.slice(slash + 1);
    return rawKey === "" ? { bucket } : { bucket, key: decoded(rawKey) };
  } catch {
    return undefined;
  }
}

/** Percent-decoded; text without a `%` is its own decoding (most keys), which skips the decoder. */
function decoded(text: string): string {
  return text.includes("%") ? decodeURIComponent(text) : text;
}

/** The parameters of a request without a query: one shared empty map. */
const noParameters: ReadonlyMap<string, string> = new Map();

/** The query's parameters, decoded (`+` is a space); a parameter without `=` maps to "". Undefined when one does not decode. */
export function queryOf(query: string): ReadonlyMap<string, string> | undefined {
  if (query === "") return noParameters;
  const parameters = new Map<string, string>();
  try {
    for (const part of query.split("&")) {
      if (part === "") continue;
      const equals = part.indexOf("=");
      const name = decodeURIComponent((equals < 0 ? part : part.slice(0, equals)).replace(/\+/g, " "));
      const value = equals < 0 ? "" : decodeURIComponent(part.slice(equals + 1).replace(/\+/g, " "));
      if (!parameters.has(name)) parameters.set(name, value);
    }
  } catch {
    return undefined;
  }
  return parameters;
}
