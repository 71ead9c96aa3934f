/** DeleteObject: 204 whether or not the key existed (S3 answers the same for an absent key); the bucket must exist. */
import type { S3Action } from "../action.js";
import { emptyResponse } from "../responses.js";
import { requestKey, requireBucket, storageError } from "./common.js";

export const deleteObject: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  const outcome = await context.store.deleteObject(bucket.Name, requestKey(request));
  if (!outcome.ok) throw storageError(context, outcome.failure, bucket.Name);
  return emptyResponse(204);
};
