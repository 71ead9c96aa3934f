/**
 * PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy (`?policy`). The policy is kept as sent
 * (GetBucketPolicy answers the same text) in the bucket's settings under `policy`, written by a
 * compare-and-set of the bucket record so a concurrent change to other settings is never lost.
 * authorize.ts evaluates it as the bucket's resource policy.
 *
 * A policy is checked as S3 checks one before it is stored, and refused with MalformedPolicy in
 * S3's words: the IAM grammar (auth/policy/parse.ts, as a resource policy), and S3's own rules — a
 * statement names its Resource, every resource is this bucket or objects in it, every action is
 * an `s3:` action.
 */
import type { S3Action, S3Context, S3Request } from "../action.js";
import { parsePolicyDocument } from "../../auth/policy/index.js";
import type { BucketRecord } from "../../storage/types.js";
import { compileGlob, globMatches } from "../../auth/policy/wildcard.js";
import { s3Errors } from "../errors.js";
import { emptyResponse } from "../responses.js";
import { readSmallBody } from "./multipart/request-body.js";
import type { S3Error } from "../s3-error.js";

/** S3's limit on a bucket policy. */
export const bucketPolicyBytesMax = 20 * 1024;
const settingsKey = "policy";
/** Compare-and-set attempts before giving up on a bucket whose record keeps changing. */
const casAttemptsMax = 16;

/** The bucket's policy text, if it has one. */
export function bucketPolicyText(bucket: BucketRecord): string | undefined {
  const text = bucket.settings[settingsKey];
  return typeof text === "string" ? text : undefined;
}

const notJson = "Policies must be valid JSON and the first byte must be '{'";

/** The MalformedPolicy message for a policy text, or undefined for a policy S3 would accept on `bucket`. */
export function bucketPolicyProblem(text: string, bucket: string): string | undefined {
  if (!text.trimStart().startsWith("{")) return notJson;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return notJson;
  }
  const parsed = parsePolicyDocument(text, "resource");
  if (!parsed.ok) return s3MessageOf(parsed.message);
  const document = value as { Statement: unknown };
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as Record<string, unknown>[];
  for (const statement of statements) {
    const resources = statement.Resource ?? statement.NotResource;
    if (resources === undefined) return "Missing required field Resource";
    for (const resource of [resources].flat() as string[]) {
      if (!resourceInBucket(resource, bucket)) return "Policy has invalid resource";
    }
    for (const action of [statement.Action ?? statement.NotAction].flat() as string[]) {
      if (action !== "*" && !action.toLowerCase().startsWith("s3:")) return "Policy has invalid action";
    }
  }
  return undefined;
}

/** Whether a Resource names the bucket or objects in it (`arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/prefix*`, wildcards allowed). */
function resourceInBucket(resource: string, bucket: string): boolean {
  const match = /^arn:aws:s3:::([^/]+)(\/.*)?$/.exec(resource);
  if (!match) return false;
  return globMatches(compileGlob(match[1]!, false), bucket);
}

/** The policy parser's problems, in the words S3 uses for them. */
function s3MessageOf(message: string): string {
  const unknown = /unknown field (\S+)$/.exec(message);
  if (unknown) return `Unknown field ${unknown[1]}`;
  const missing = /missing required field (\w+)/.exec(message);
  if (missing) return `Missing required field ${missing[1]}`;
  if (/the policy must be a JSON object/.test(message)) return notJson;
  if (/Version must be/.test(message)) return "The policy must contain a valid version string";
  if (/Effect must be/.test(message)) return "Invalid effect";
  if (/invalid (Not)?Action/.test(message)) return "Policy has invalid action";
  if (/invalid (Not)?Resource/.test(message)) return "Policy has invalid resource";
  if (/principal/i.test(message)) return "Invalid principal in policy";
  if (/Condition/.test(message)) return "Policy has an invalid condition key";
  if (/Sid/.test(message)) return "Statement IDs (SID) in a single policy must be unique";
  return "Policy has invalid syntax";
}

async function bucketOf(context: S3Context, request: S3Request): Promise<{ bucket: BucketRecord; revision: number }> {
  const found = request.bucket === undefined ? undefined : await context.store.getBucket(request.bucket);
  if (!found) throw s3Errors.noSuchBucket(request.bucket ?? "");
  return found;
}

/** Replaces the bucket's policy (undefined removes it) by compare-and-set, reading again on a conflict. */
async function writePolicy(context: S3Context, request: S3Request, policy: string | undefined): Promise<S3Error | undefined> {
  for (let attempt = 0; attempt < casAttemptsMax; attempt++) {
    const { bucket, revision } = await bucketOf(context, request);
    const { [settingsKey]: _previous, ...others } = bucket.settings;
    const settings = policy === undefined ? others : { ...others, [settingsKey]: policy };
    const outcome = await context.store.updateBucket({ ...bucket, settings }, { expectedRevision: revision });
    if (outcome.ok) return undefined;
    if ("failure" in outcome) {
      context.logger.warn({ bucket: bucket.Name, failure: outcome.failure.message }, "s3: bucket policy write failed");
      return s3Errors.serviceUnavailable();
    }
    if (outcome.conflict.revision === "absent") return s3Errors.noSuchBucket(bucket.Name);
  }
  return s3Errors.serviceUnavailable();
}

export const putBucketPolicy: S3Action = async (context, request) => {
  const { bucket } = await bucketOf(context, request);
  const body = await readSmallBody(request, bucketPolicyBytesMax);
  if (body === undefined) throw s3Errors.malformedPolicy("Policy exceeds the maximum allowed document size.");
  const text = body.toString("utf8");
  const problem = bucketPolicyProblem(text, bucket.Name);
  if (problem !== undefined) throw s3Errors.malformedPolicy(problem);
  const error = await writePolicy(context, request, text);
  if (error) throw error;
  return emptyResponse(204);
};

export const getBucketPolicy: S3Action = async (context, request) => {
  const { bucket } = await bucketOf(context, request);
  const text = bucketPolicyText(bucket);
  if (text === undefined) throw s3Errors.noSuchBucketPolicy(bucket.Name);
  const body = Buffer.from(text, "utf8");
  return { statusCode: 200, headers: { "content-type": "application/json", "content-length": String(body.length) }, body };
};

export const deleteBucketPolicy: S3Action = async (context, request) => {
  await bucketOf(context, request);
  const error = await writePolicy(context, request, undefined);
  if (error) throw error;
  return emptyResponse(204);
};
