/** HeadBucket: 200 with the bucket's region (`x-amz-bucket-region`), or a bodiless 404. */
import type { S3Action } from "../action.js";
import { emptyResponse } from "../responses.js";
import { requireBucket } from "./common.js";

export const headBucket: S3Action = async (context, request) => {
  const { bucket } = await requireBucket(context, request);
  return emptyResponse(200, { "x-amz-bucket-region": bucket.region, "x-amz-access-point-alias": "false" });
};
