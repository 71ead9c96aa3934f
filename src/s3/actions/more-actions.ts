/**
 * The S3 actions beyond the bucket and object basics: listing, DeleteObjects, multipart uploads and
 * bucket policies. The registry (src/s3/actions/index.ts) merges these into its table.
 */
import type { S3Action, S3ActionName } from "../action.js";
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from "./bucket-policy.js";
import { deleteObjects } from "./delete-objects.js";
import { listObjects, listObjectsV2 } from "./list-objects.js";
import { abortMultipartUpload } from "./multipart/abort-multipart-upload.js";
import { completeMultipartUpload } from "./multipart/complete-multipart-upload.js";
import { createMultipartUpload } from "./multipart/create-multipart-upload.js";
import { listMultipartUploads } from "./multipart/list-multipart-uploads.js";
import { listParts } from "./multipart/list-parts.js";
import { uploadPart } from "./multipart/upload-part.js";
import { uploadPartCopy } from "./multipart/upload-part-copy.js";

export const moreActions: Partial<Record<S3ActionName, S3Action>> = {
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  DeleteObjects: deleteObjects,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
};
