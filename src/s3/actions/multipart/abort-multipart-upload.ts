/** AbortMultipartUpload (`DELETE /bucket/key?uploadId=…`): removes the upload and its parts' blobs; 204, or NoSuchUpload. */
import type { S3Action } from "../../action.js";
import { emptyResponse } from "../../responses.js";
import { storageError } from "../common.js";
import { requireUpload } from "./uploads.js";

export const abortMultipartUpload: S3Action = async (context, request) => {
  const { bucket, upload } = await requireUpload(context, request);
  const outcome = await context.store.removeUpload(bucket, upload.uploadId);
  if (!outcome.ok) throw storageError(context, outcome.failure);
  return emptyResponse(204);
};
