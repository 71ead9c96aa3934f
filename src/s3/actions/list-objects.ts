/**
 * ListObjects (v1, `GET /bucket`) and ListObjectsV2 (`GET /bucket?list-type=2`): a bucket's keys
 * in UTF-8 byte order, from a marker, under a prefix, with keys that contain the delimiter after
 * the prefix rolled up into CommonPrefixes. A page holds up to max-keys entries (keys plus common
 * prefixes; default and cap 1000).
 *
 * A common prefix is skipped past in one store call (the listing resumes after the greatest key
 * it could hold), so a page of 1,000 "directories" each of 1,000 keys reads about 1,000 keys'
 * records, not a million. The store is asked for small batches first while a delimiter is rolling
 * keys up, doubling as long as keys come back as keys.
 *
 * The continuation token is opaque, as S3's: the base64 of the last entry of the page (a key or a
 * common prefix) behind a version byte. A marker (start-after, marker or a token) that lies inside
 * a common prefix resumes after that whole prefix, as the prefix (≤ the marker) was already
 * returned; that keeps v1's NextMarker and v2's token paging through common prefixes correctly.
 */
import type { S3Action, S3Context, S3Request } from "../action.js";
import type { ObjectStore, VersionedObject } from "../../storage/types.js";
import type { ObjectMeta } from "../../storage/objects/object-meta.js";
import { s3Errors } from "../errors.js";
import { xmlResponse } from "../responses.js";
import { xmlDocument, type XmlFields } from "../xml.js";
import { requireBucket } from "./common.js";
import { canonicalUserId } from "./list-buckets.js";
import { isoDate } from "../headers.js";

export const listKeysMax = 1000;
/** The largest UTF-8 sequence: a key that starts with a prefix sorts at or before the prefix followed by 256 of these (1,024 bytes). */
const greatestChar = "\u{10FFFF}";
const keyBytesMax = 1024;
const greatestSuffix = greatestChar.repeat(keyBytesMax / 4);
/** The first batch when a delimiter may roll keys up; doubled while keys come back as keys. */
const rollUpBatchMin = 32;

export interface ListInput {
  prefix: string;
  /** Undefined or "" for none. */
  delimiter?: string;
  /** Exclusive; a marker inside a common prefix skips that prefix. */
  marker?: string;
  maxKeys: number;
}

export interface ListPage {
  contents: VersionedObject[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of the page (v1's NextMarker, v2's token). */
  lastEntry?: string;
}

/** The common prefix `key` rolls up into, or undefined when it is listed as itself. */
export function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  if (!key.startsWith(prefix)) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/** An exclusive start after which no key beginning with `prefix` remains. */
export function pastPrefix(prefix: string): string {
  return prefix + greatestSuffix;
}

/** One page of a listing, over any store (the pure part of both actions). */
export async function listPage(store: Pick<ObjectStore, "listObjects">, bucket: string, input: ListInput): Promise<ListPage> {
  const { prefix, maxKeys } = input;
  const delimiter = input.delimiter || undefined;
  const page: ListPage = { contents: [], commonPrefixes: [], isTruncated: false };
  if (maxKeys <= 0) return page;
  let cursor = input.marker;
  if (cursor !== undefined) {
    const rolled = commonPrefixOf(cursor, prefix, delimiter);
    if (rolled !== undefined) cursor = pastPrefix(rolled);
  }
  let batchMax = delimiter ? rollUpBatchMin : listKeysMax + 1;
  let count = 0;
  for (;;) {
    // One more than the page still needs: the extra entry says whether the page is truncated.
    const limit = Math.min(maxKeys - count + 1, batchMax);
    const batch = await store.listObjects(bucket, { ...(cursor !== undefined && { afterKey: cursor }), ...(prefix && { prefix }), limit });
    let rolledUp = false;
    for (const object of batch) {
      if (count === maxKeys) {
        page.isTruncated = true;
        return page;
      }
      const common = commonPrefixOf(object.key, prefix, delimiter);
      count++;
      if (common === undefined) {
        page.contents.push(object);
        page.lastEntry = cursor = object.key;
        continue;
      }
      page.commonPrefixes.push(common);
      page.lastEntry = common;
      cursor = pastPrefix(common);
      rolledUp = true;
      break;
    }
    if (!rolledUp) {
      if (batch.length < limit) return page;
      batchMax = Math.min(batchMax * 2, listKeysMax + 1);
    }
  }
}

/** S3's encoding-type=url: percent-encoding of the UTF-8 bytes, keeping `/` and `*`, a space as `+` (as S3 and MinIO). */
export function s3UrlEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const char = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.\/*]/.test(char)) out += char;
    else if (byte === 0x20) out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

const tokenVersion = 1;

export function encodeContinuationToken(lastEntry: string): string {
  return Buffer.concat([Buffer.from([tokenVersion]), Buffer.from(lastEntry, "utf8")]).toString("base64");
}

/** The entry a token resumes after, or undefined for a token this server did not issue. */
export function decodeContinuationToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const bytes = Buffer.from(token, "base64");
  if (bytes.length < 2 || bytes[0] !== tokenVersion) return undefined;
  const text = bytes.subarray(1).toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes.subarray(1)) ? text : undefined;
}

/** max-keys: S3 accepts 0..2^31-1 and caps the page at 1000. */
function maxKeysOf(request: S3Request): { maxKeys: number; echoed: string } {
  const text = request.query.get("max-keys");
  if (text === undefined) return { maxKeys: listKeysMax, echoed: String(listKeysMax) };
  if (!/^-?\d+$/.test(text)) throw s3Errors.invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", text);
  const value = Number(text);
  if (value < 0 || value > 2147483647) throw s3Errors.invalidArgument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", text);
  return { maxKeys: Math.min(value, listKeysMax), echoed: String(value) };
}

function encodingOf(request: S3Request): ((text: string) => string) | undefined {
  const encoding = request.query.get("encoding-type");
  if (encoding === undefined) return undefined;
  if (encoding.toLowerCase() !== "url") throw s3Errors.invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encoding);
  return s3UrlEncode;
}

function contentsOf(object: VersionedObject, encode: (text: string) => string, owner: string | undefined): XmlFields {
  const meta = object.record.meta as Partial<ObjectMeta>;
  const checksum = meta.Checksum;
  return {
    Key: encode(object.key),
    LastModified: isoDate(object.record.lastModifiedMs),
    ETag: meta.ETag,
    ChecksumAlgorithm: checksum?.algorithm,
    ChecksumType: checksum?.type,
    Size: object.record.sizeBytes,
    Owner: owner === undefined ? undefined : ownerOf(owner),
    StorageClass: meta.StorageClass ?? "STANDARD",
  };
}

/** `<Owner>`'s content for an account. */
export function ownerOf(accountId: string): XmlFields {
  return { ID: canonicalUserId(accountId) };
}

const identity = (text: string): string => text;

/** What both listings read first: the bucket, the page size, the key encoding, prefix and delimiter. */
async function listingOf(context: S3Context, request: S3Request) {
  const record = (await requireBucket(context, request)).bucket;
  // In this order: a bad max-keys is answered before a bad encoding-type.
  const { maxKeys, echoed } = maxKeysOf(request);
  const encoded = encodingOf(request);
  return {
    record,
    bucket: record.Name,
    maxKeys,
    echoed,
    encoded,
    encode: encoded ?? identity,
    prefix: request.query.get("prefix") ?? "",
    delimiter: request.query.get("delimiter") || undefined,
  };
}

export const listObjectsV2: S3Action = async (context, request) => {
  const { record, bucket, maxKeys, echoed, encoded, encode, prefix, delimiter } = await listingOf(context, request);
  if (request.query.has("marker")) throw s3Errors.invalidArgument("Marker unsupported with REST.GET.BUCKET in list-type=2", "marker");
  const token = request.query.get("continuation-token");
  let marker = request.query.get("start-after") || undefined;
  if (token !== undefined) {
    const resumed = decodeContinuationToken(token);
    if (resumed === undefined) throw s3Errors.invalidArgument("The continuation token provided is incorrect", "continuation-token");
    marker = resumed;
  }
  const owner = request.query.get("fetch-owner") === "true" ? record.accountId : undefined;
  const page = await listPage(context.store, bucket, { prefix, ...(delimiter && { delimiter }), ...(marker !== undefined && { marker }), maxKeys });
  const startAfter = request.query.get("start-after");
  return xmlResponse(xmlDocument("ListBucketResult", {
    Name: bucket,
    Prefix: encode(prefix),
    StartAfter: startAfter ? encode(startAfter) : undefined,
    ContinuationToken: token,
    NextContinuationToken: page.isTruncated && page.lastEntry !== undefined ? encodeContinuationToken(page.lastEntry) : undefined,
    KeyCount: page.contents.length + page.commonPrefixes.length,
    MaxKeys: echoed,
    Delimiter: delimiter && encode(delimiter),
    EncodingType: encoded && "url",
    IsTruncated: page.isTruncated,
    Contents: page.contents.map((object) => contentsOf(object, encode, owner)),
    CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
  }));
};

export const listObjects: S3Action = async (context, request) => {
  const { record, bucket, maxKeys, echoed, encoded, encode, prefix, delimiter } = await listingOf(context, request);
  if (request.query.has("continuation-token")) {
    throw s3Errors.invalidArgument("continuation-token only supported in REST.GET.BUCKET with list-type=2", "continuation-token");
  }
  if (request.query.has("start-after")) {
    throw s3Errors.invalidArgument("startAfter only supported in REST.GET.BUCKET with list-type=2", "start-after");
  }
  const marker = request.query.get("marker") ?? "";
  const page = await listPage(context.store, bucket, { prefix, ...(delimiter && { delimiter }), ...(marker && { marker }), maxKeys });
  // v1 lists owners unless asked not to (fetch-owner is v2's).
  const owner = record.accountId;
  return xmlResponse(xmlDocument("ListBucketResult", {
    Name: bucket,
    Prefix: encode(prefix),
    Marker: encode(marker),
    // Without a delimiter, S3 leaves NextMarker out: the last key is the next marker.
    NextMarker: delimiter && page.isTruncated && page.lastEntry !== undefined ? encode(page.lastEntry) : undefined,
    MaxKeys: echoed,
    Delimiter: delimiter && encode(delimiter),
    EncodingType: encoded && "url",
    IsTruncated: page.isTruncated,
    Contents: page.contents.map((object) => contentsOf(object, encode, owner)),
    CommonPrefixes: page.commonPrefixes.map((common) => ({ Prefix: encode(common) })),
  }));
};
