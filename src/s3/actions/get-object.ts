/**
 * GetObject and HeadObject: the object's headers and (GET) its bytes streamed from its blobs, in
 * S3's order of checks — the key (NoSuchKey), partNumber's form, the conditions (412
 * PreconditionFailed / 304 Not Modified, src/s3/conditions.ts), then the range or part (206, or
 * 416 InvalidRange / InvalidPartNumber). `response-*` query parameters override the answer's
 * headers; `x-amz-checksum-mode: ENABLED` adds the stored checksum to a whole-object answer.
 */
import type { S3Context, S3Action, S3Request } from "../action.js";
import { checksumHeaderName } from "../checksums/index.js";
import { checkConditions, requestConditionNames } from "../conditions.js";
import { s3Errors } from "../errors.js";
import { headerOf, httpDate } from "../headers.js";
import { objectHeaders } from "../object-headers.js";
import { parseRange } from "../range.js";
import type { StreamedResponse } from "../../protocol/streaming-api.js";
import type { VersionedObject } from "../../storage/types.js";
import { metaOf, objectBytes, requireObject } from "./common.js";

/** The overridable headers (GetObject's reference, "Overriding response header values"). */
const responseOverrides: Readonly<Record<string, string>> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

export const partNumberMax = 10000;

export const getObject: S3Action = (context, request) => readObject(context, request, true);
export const headObject: S3Action = (context, request) => readObject(context, request, false);

async function readObject(context: S3Context, request: S3Request, withBody: boolean): Promise<StreamedResponse> {
  const object = await requireObject(context, request);
  const { record } = object;
  const meta = metaOf(record);
  const partNumber = partNumberOf(request);
  const rangeHeader = headerOf(request.head, "range");
  if (partNumber !== undefined && rangeHeader !== undefined) throw s3Errors.invalidRequest("Cannot specify both Range header and partNumber query parameter");
  const overrides = overridesOf(request);

  const outcome = checkConditions(
    {
      ifMatch: headerOf(request.head, "if-match"),
      ifNoneMatch: headerOf(request.head, "if-none-match"),
      ifModifiedSince: headerOf(request.head, "if-modified-since"),
      ifUnmodifiedSince: headerOf(request.head, "if-unmodified-since"),
    },
    { etag: meta.ETag, lastModifiedMs: record.lastModifiedMs },
    requestConditionNames,
    context.clock.nowMs(),
  );
  if (!outcome.ok) {
    if (outcome.failed === "precondition") throw s3Errors.preconditionFailed(outcome.header);
    return { statusCode: 304, headers: { etag: meta.ETag, "last-modified": httpDate(record.lastModifiedMs) }, body: Buffer.alloc(0) };
  }

  const headers = objectHeaders(record);
  let startByte = 0;
  let endByteExclusive = record.sizeBytes;
  let partial = false;
  if (partNumber !== undefined) {
    ({ startByte, endByteExclusive } = partBounds(object, partNumber));
    partial = true;
    if (meta.PartsCount !== undefined) headers["x-amz-mp-parts-count"] = String(meta.PartsCount);
  } else {
    const range = parseRange(rangeHeader, record.sizeBytes);
    if (range.kind === "unsatisfiable") throw s3Errors.invalidRange(rangeHeader!, record.sizeBytes);
    if (range.kind === "range") {
      ({ startByte, endByteExclusive } = range);
      partial = true;
    }
  }
  // An empty object has no byte to name: its part 1 is answered whole.
  if (endByteExclusive === startByte) partial = false;
  if (partial) headers["content-range"] = `bytes ${startByte}-${endByteExclusive - 1}/${record.sizeBytes}`;
  else if (meta.Checksum !== undefined && headerOf(request.head, "x-amz-checksum-mode")?.toUpperCase() === "ENABLED") {
    headers[checksumHeaderName(meta.Checksum.algorithm)] = meta.Checksum.value;
    headers["x-amz-checksum-type"] = meta.Checksum.type;
  }
  Object.assign(headers, overrides);
  const lengthBytes = endByteExclusive - startByte;
  headers["content-length"] = String(lengthBytes);
  let body: Buffer | AsyncIterable<Buffer> = noBytes;
  if (withBody && lengthBytes > 0) {
    // A small answer goes out whole, in one write: a stream's machinery (an async generator, a
    // Readable, a pipeline) cost more than the bytes for a 1 KiB object (bench/s3, GET 1 KiB),
    // and bytes the store holds in memory (a small object's inline blob) go out as they are.
    const atOnce = lengthBytes <= wholeAnswerBytesMax && record.blobs.length === 1 ? context.store.readBlobAtOnce?.(record.blobs[0]!, startByte, endByteExclusive) : undefined;
    if (atOnce !== undefined) body = Buffer.isBuffer(atOnce) ? atOnce : await atOnce;
    else {
      body = objectBytes(context, record, startByte, endByteExclusive);
      if (lengthBytes <= wholeAnswerBytesMax) body = await whole(body, lengthBytes);
    }
  }
  return { statusCode: partial ? 206 : 200, headers, body };
}

const noBytes = Buffer.alloc(0);

/** Answers up to this size are read into one buffer and sent at once; larger ones stream. */
const wholeAnswerBytesMax = 64 * 1024;

async function whole(chunks: AsyncIterable<Buffer>, lengthBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, lengthBytes);
}

/** The `partNumber` query parameter: an integer from 1 to 10,000 (InvalidArgument otherwise). */
function partNumberOf(request: S3Request): number | undefined {
  const text = request.query.get("partNumber");
  if (text === undefined) return undefined;
  const partNumber = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(partNumber >= 1 && partNumber <= partNumberMax)) {
    throw s3Errors.invalidArgument(`Part number must be an integer between 1 and ${partNumberMax}, inclusive`, "partNumber", text);
  }
  return partNumber;
}

/** A part's bytes: a multipart object's part by its recorded size; an object of one PUT is its own part 1. */
function partBounds(object: VersionedObject, partNumber: number): { startByte: number; endByteExclusive: number } {
  const meta = metaOf(object.record);
  const sizes = meta.PartSizesBytes ?? [object.record.sizeBytes];
  if (partNumber > sizes.length) throw s3Errors.invalidPartNumber(partNumber, sizes.length);
  const startByte = sizes.slice(0, partNumber - 1).reduce((sum, size) => sum + size, 0);
  return { startByte, endByteExclusive: startByte + sizes[partNumber - 1]! };
}

/** The response-* overrides asked for; another response-* parameter is InvalidArgument (as S3, per s3rver). */
function overridesOf(request: S3Request): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of request.query) {
    if (!name.startsWith("response-")) continue;
    const header = responseOverrides[name];
    if (header === undefined) {
      throw s3Errors.invalidArgument(
        `${name} is not in the set of overridable response headers. Please refer to the S3 API documentation for a complete list of overridable response headers.`,
        name,
        value,
      );
    }
    headers[header] = value;
  }
  return headers;
}
