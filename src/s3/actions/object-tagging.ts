/**
 * GetObjectTagging, PutObjectTagging, DeleteObjectTagging: the object's tag set, kept in its meta
 * and changed by a compare-and-set of the object's record (a write racing the change wins or loses
 * whole; the tagging write is retried on the new record).
 */
import type { S3Action, S3Context, S3Request } from "../action.js";
import type { ObjectMeta } from "../../storage/objects/object-meta.js";
import { emptyResponse, xmlResponse } from "../responses.js";
import { s3Errors } from "../errors.js";
import { parseTaggingDocument, taggingArrays, type Tag } from "../tagging.js";
import { readXmlBody, xmlDocument } from "../xml.js";
import { metaOf, requestKey, requireObject, storageError } from "./common.js";

/** Ten tags of 128 + 256 characters in XML fit well inside this. */
const taggingBytesMax = 64 * 1024;
const casAttemptsMax = 8;

export const getObjectTagging: S3Action = async (context, request) => {
  const object = await requireObject(context, request);
  const tags = metaOf(object.record).Tags ?? [];
  return xmlResponse(xmlDocument("Tagging", { TagSet: { Tag: tags.map((tag) => ({ Key: tag.Key, Value: tag.Value })) } }));
};

export const putObjectTagging: S3Action = async (context, request) => {
  await requireObject(context, request);
  const tags = parseTaggingDocument(await readXmlBody(request, taggingBytesMax, taggingArrays));
  await replaceTags(context, request, tags);
  return emptyResponse(200);
};

export const deleteObjectTagging: S3Action = async (context, request) => {
  await requireObject(context, request);
  await replaceTags(context, request, []);
  return emptyResponse(204);
};

async function replaceTags(context: S3Context, request: S3Request, tags: readonly Tag[]): Promise<void> {
  const key = requestKey(request);
  for (let attempt = 0; attempt < casAttemptsMax; attempt++) {
    const object = await requireObject(context, request);
    const { Tags: _replaced, ...rest } = metaOf(object.record);
    const meta: ObjectMeta = tags.length === 0 ? rest : { ...rest, Tags: [...tags] };
    const outcome = await context.store.putObject(request.bucket!, key, { ...object.record, meta: meta as unknown as Record<string, unknown> }, { expectedRevision: object.revision });
    if (outcome.ok) return;
    if ("failure" in outcome) throw storageError(context, outcome.failure, request.bucket);
  }
  // Always overtaken: S3's answer to a conflicting concurrent operation.
  throw s3Errors.operationAborted();
}
