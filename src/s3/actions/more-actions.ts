/**
 * The S3 actions beyond the bucket and object basics: listing, DeleteObjects, multipart uploads and
 * bucket policies. The registry (src/s3/actions/index.ts) merges these into its table.
 */
import type { S3Action, S3ActionName } from "../action.js";

export const moreActions: Partial<Record<S3ActionName, S3Action>> = {};
