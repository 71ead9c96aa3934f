/**
 * The S3 actions by name: the bucket and object basics here, the rest (listing, DeleteObjects,
 * multipart, bucket policies) from more-actions.ts. A name with no action answers 501 NotImplemented.
 */
import type { S3Action, S3ActionName } from "../action.js";
import { copyObject } from "./copy-object.js";
import { createBucket } from "./create-bucket.js";
import { deleteBucket } from "./delete-bucket.js";
import { deleteObject } from "./delete-object.js";
import { getBucketLocation } from "./get-bucket-location.js";
import { getObject, headObject } from "./get-object.js";
import { headBucket } from "./head-bucket.js";
import { listBuckets } from "./list-buckets.js";
import { moreActions } from "./more-actions.js";
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from "./object-tagging.js";
import { putObject } from "./put-object.js";

export const coreActions: Partial<Record<S3ActionName, S3Action>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  CopyObject: copyObject,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
};

export const s3Actions: Partial<Record<S3ActionName, S3Action>> = { ...coreActions, ...moreActions };
