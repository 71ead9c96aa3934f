/**
 * The objects bucket's keys and values (docs/formats/nats.md "Objects"), all values JSON:
 *
 *   b.<name>                              a bucket: `{"record": BucketRecord, "incarnation": "<hex>"}`
 *   r.<incarnation>.o.k<base64url key>    an object: ObjectRecord
 *   r.<incarnation>.u.<uploadId>          a multipart upload: UploadRecord
 *   r.<incarnation>.p.<uploadId>.<part>   an upload's part: PartRecord
 *
 * `<name>` and `<uploadId>` are tokens as nats-catalog-keys.ts makes them; an object key is its
 * UTF-8 bytes in base64url behind a `k` (at most 1,024 bytes: 1,367 characters, within NATS's
 * control line). Every record of a bucket sits under the incarnation drawn when the bucket was
 * created, so dropping a bucket is one purge of `r.<incarnation>.>`, and a write that raced the
 * drop lands under an incarnation no bucket has (invisible, and purged at the next open).
 */
import { decodeToken, encodeToken } from "./nats-catalog-keys.js";

export function bucketKey(name: string): string {
  return `b.${encodeToken(name)}`;
}

export function objectKey(incarnation: string, key: string): string {
  return `r.${incarnation}.o.k${Buffer.from(key, "utf8").toString("base64url")}`;
}

export function uploadKey(incarnation: string, uploadId: string): string {
  return `r.${incarnation}.u.${encodeToken(uploadId)}`;
}

export function partKey(incarnation: string, uploadId: string, partNumber: number): string {
  return `r.${incarnation}.p.${encodeToken(uploadId)}.${partNumber}`;
}

/** Every record of a bucket's incarnation. */
export function incarnationFilter(incarnation: string): string {
  return `r.${incarnation}.>`;
}

/** Every part of an upload. */
export function partsFilter(incarnation: string, uploadId: string): string {
  return `r.${incarnation}.p.${encodeToken(uploadId)}.>`;
}

export type ObjectsKey =
  | { kind: "bucket"; name: string }
  | { kind: "object"; incarnation: string; key: string }
  | { kind: "upload"; incarnation: string; uploadId: string }
  | { kind: "part"; incarnation: string; uploadId: string; partNumber: number }
  | undefined;

/** What a key of the bucket names, or undefined for one this format does not know (left alone). */
export function parseObjectsKey(key: string): ObjectsKey {
  const tokens = key.split(".");
  if (tokens[0] === "b" && tokens.length === 2) {
    const name = decodeToken(tokens[1]!);
    return name === undefined ? undefined : { kind: "bucket", name };
  }
  if (tokens[0] !== "r" || tokens.length < 4) return undefined;
  const incarnation = tokens[1]!;
  if (tokens[2] === "o" && tokens.length === 4 && tokens[3]!.startsWith("k")) {
    return { kind: "object", incarnation, key: Buffer.from(tokens[3]!.slice(1), "base64url").toString("utf8") };
  }
  const uploadId = decodeToken(tokens[3]!);
  if (uploadId === undefined) return undefined;
  if (tokens[2] === "u" && tokens.length === 4) return { kind: "upload", incarnation, uploadId };
  if (tokens[2] === "p" && tokens.length === 5 && /^\d+$/.test(tokens[4]!)) return { kind: "part", incarnation, uploadId, partNumber: Number(tokens[4]) };
  return undefined;
}
