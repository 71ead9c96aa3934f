/**
 * Authorization of S3 requests (being built): for now every request is allowed.
 */
import type { S3Context, S3Request, S3ActionName } from "./action.js";
import type { S3Error } from "./s3-error.js";

export async function authorizeS3(_context: S3Context, _request: S3Request, _action: S3ActionName): Promise<S3Error | undefined> {
  return undefined;
}
