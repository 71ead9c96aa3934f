/**
 * DeleteObjects (`POST /bucket?delete`): up to 1,000 keys in one XML body
 *
 *   <Delete><Quiet>true|false</Quiet><Object><Key>k</Key><VersionId>v</VersionId></Object>…</Delete>
 *
 * answered with each key's outcome — `<Deleted>` (left out in Quiet mode) or `<Error>` — in the
 * order given. As S3 requires, the body's integrity is declared by Content-MD5 or an
 * x-amz-checksum-* header (or trailer); the payload check (src/s3/body) verifies it. A key that does
 * not exist counts as deleted. Each key is authorized on its own (s3:DeleteObject), a refused one
 * answering AccessDenied in its <Error>.
 */
import type { S3Action, S3Context, S3Request } from "../action.js";
import { checksumAlgorithms, checksumHeaderName } from "../checksums/index.js";
import { s3Errors } from "../errors.js";
import { headerOf } from "../headers.js";
import { elementOf, readXmlBody, textOf, type XmlObject, type XmlValue } from "../xml.js";
import { keysAllowed } from "../authorize.js";
import { xmlResponse } from "../responses.js";
import { xmlDocument } from "../xml.js";
import type { XmlFields } from "../xml.js";

export const deleteKeysMax = 1000;
/** 1,000 keys of up to 1,024 bytes, escaped, with their markup. */
const deleteBodyBytesMax = 2 * 1024 * 1024;
/** Deletions in flight at once: an engine that fsyncs per write overlaps them. */
const deletesInFlightMax = 16;

export interface DeleteRequest {
  quiet: boolean;
  objects: { Key: string; VersionId?: string }[];
}

/** The parsed <Delete> body, or undefined when it does not follow S3's schema (MalformedXML). */
export function parseDeleteBody(document: XmlObject | undefined): DeleteRequest | undefined {
  const root = elementOf(document?.Delete);
  if (!root) return undefined;
  for (const name of Object.keys(root)) {
    if (name !== "Quiet" && name !== "Object") return undefined;
  }
  let quiet = false;
  if (root.Quiet !== undefined) {
    const text = textOf(root.Quiet)?.trim().toLowerCase();
    if (text !== "true" && text !== "false") return undefined;
    quiet = text === "true";
  }
  const objects = root.Object === undefined ? [] : Array.isArray(root.Object) ? (root.Object as XmlValue[]) : [root.Object];
  if (objects.length === 0 || objects.length > deleteKeysMax) return undefined;
  const parsed: DeleteRequest["objects"] = [];
  for (const value of objects) {
    const object = elementOf(value);
    const key = object && textOf(object.Key);
    if (key === undefined) return undefined;
    const versionId = object!.VersionId === undefined ? undefined : textOf(object!.VersionId);
    if (object!.VersionId !== undefined && versionId === undefined) return undefined;
    parsed.push({ Key: key, ...(versionId !== undefined && { VersionId: versionId }) });
  }
  return { quiet, objects: parsed };
}

/** Whether the request declares its body's integrity as S3 requires for DeleteObjects. */
export function hasIntegrityHeader(request: Pick<S3Request, "head">): boolean {
  const { head } = request;
  if (headerOf(head, "content-md5") !== undefined) return true;
  const trailer = headerOf(head, "x-amz-trailer")?.toLowerCase() ?? "";
  return checksumAlgorithms.some((algorithm) => {
    const name = checksumHeaderName(algorithm);
    return headerOf(head, name) !== undefined || trailer.includes(name);
  });
}

type Outcome = { deleted: true; key: string; versionId?: string } | { deleted: false; key: string; versionId?: string; code: string; message: string };

export const deleteObjects: S3Action = async (context, request) => {
  const found = request.bucket === undefined ? undefined : await context.store.getBucket(request.bucket);
  if (!found) throw s3Errors.noSuchBucket(request.bucket ?? "");
  const bucket = found.bucket.Name;
  if (!hasIntegrityHeader(request)) throw s3Errors.missingContentMd5();
  const parsed = parseDeleteBody(await readXmlBody(request, deleteBodyBytesMax, ["Delete.Object"]));
  if (!parsed) throw s3Errors.malformedXml();
  const allowed = await keysAllowed(context, request, "s3:DeleteObject", bucket, parsed.objects.map((object) => object.Key));
  const outcomes: Outcome[] = new Array(parsed.objects.length);
  for (let start = 0; start < parsed.objects.length; start += deletesInFlightMax) {
    const slice = parsed.objects.slice(start, start + deletesInFlightMax);
    await Promise.all(slice.map(async (object, offset) => (outcomes[start + offset] = await deleteOne(context, bucket, object, allowed.has(object.Key)))));
  }
  const deleted: XmlFields[] = [];
  const errors: XmlFields[] = [];
  for (const outcome of outcomes) {
    if (outcome.deleted) {
      if (!parsed.quiet) deleted.push({ Key: outcome.key, VersionId: outcome.versionId });
    } else errors.push({ Key: outcome.key, VersionId: outcome.versionId, Code: outcome.code, Message: outcome.message });
  }
  return xmlResponse(xmlDocument("DeleteResult", { Deleted: deleted, Error: errors }));
};

async function deleteOne(context: S3Context, bucket: string, object: DeleteRequest["objects"][number], allowed: boolean): Promise<Outcome> {
  const { Key: key, VersionId: versionId } = object;
  const named = { key, ...(versionId !== undefined && { versionId }) };
  if (!allowed) return { ...named, deleted: false, code: "AccessDenied", message: "Access Denied" };
  // Buckets here are never versioned: only the null version exists.
  if (versionId !== undefined && versionId !== "null") return { ...named, deleted: false, code: "NoSuchVersion", message: "The specified version does not exist." };
  const outcome = await context.store.deleteObject(bucket, key);
  if (!outcome.ok) {
    context.logger.warn({ bucket, key, failure: outcome.failure.message }, "s3: DeleteObjects could not delete a key");
    return { ...named, deleted: false, code: "InternalError", message: "We encountered an internal error. Please try again." };
  }
  return { ...named, deleted: true };
}
