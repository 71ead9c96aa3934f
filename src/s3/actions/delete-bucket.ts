/** DeleteBucket: only an empty bucket (BucketNotEmpty); its unfinished multipart uploads go with it. */
import type { S3Action } from "../action.js";
import { s3Errors } from "../errors.js";
import { emptyResponse } from "../responses.js";
import { requireBucket, storageError } from "./common.js";

export const deleteBucket: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  // S3 counts objects (all versions and delete markers), not uploads in progress (DeleteBucket's reference).
  const stats = await context.store.bucketStats(bucket.Name);
  if (stats.objectCount > 0) throw s3Errors.bucketNotEmpty(bucket.Name);
  const outcome = await context.store.dropBucket(bucket.Name);
  if (!outcome.ok) throw storageError(context, outcome.failure);
  return emptyResponse(204);
};
