/**
 * Authorization of S3 requests (issue 15), after authentication and before the action: each action
 * names the IAM actions and resources it needs (`permissionsOf`) — `arn:aws:s3:::bucket` for bucket
 * actions, `arn:aws:s3:::bucket/key` for object actions, `*` for ListBuckets — and each is decided
 * by AWS's evaluation logic (auth/policy) over the caller's identity policies and the bucket's
 * policy (PutBucketPolicy, kept in the bucket's settings).
 *
 * Accounts are isolated as in AWS: a bucket belongs to the account that created it, and a caller
 * of another account reaches it only where both the caller's identity policies and the bucket
 * policy allow (a bucket that does not exist is treated as the caller's own, so the action answers
 * NoSuchBucket). Under `--auth none` every caller is the anonymous principal, allowed everything at
 * the cost of one comparison. DeleteObjects has no IAM action of its own: it authorizes
 * s3:DeleteObject per key (`authorizeKey`), answering AccessDenied in that key's <Error>.
 */
import { anonymousPrincipal, type Principal } from "../auth/principal.js";
import { EvaluationCache, type ConditionContext, type PolicyDocument } from "../auth/policy/index.js";
import type { S3ActionName, S3Context, S3Request } from "./action.js";
import { S3Error } from "./s3-error.js";
import { bucketPolicyText } from "./actions/bucket-policy.js";

/** One permission a request needs: the IAM action on a bucket, an object, or (no bucket) `*`. */
export interface S3Permission {
  iamAction: string;
  bucket?: string;
  key?: string;
}

/** The IAM action of each action that names one resource of its own (the bucket, or the request's object). */
const iamActions: Readonly<Record<S3ActionName, { iamAction: string; on: "service" | "bucket" | "object" } | undefined>> = {
  ListBuckets: { iamAction: "s3:ListAllMyBuckets", on: "service" },
  CreateBucket: { iamAction: "s3:CreateBucket", on: "bucket" },
  DeleteBucket: { iamAction: "s3:DeleteBucket", on: "bucket" },
  HeadBucket: { iamAction: "s3:ListBucket", on: "bucket" },
  GetBucketLocation: { iamAction: "s3:GetBucketLocation", on: "bucket" },
  GetBucketPolicy: { iamAction: "s3:GetBucketPolicy", on: "bucket" },
  PutBucketPolicy: { iamAction: "s3:PutBucketPolicy", on: "bucket" },
  DeleteBucketPolicy: { iamAction: "s3:DeleteBucketPolicy", on: "bucket" },
  ListObjects: { iamAction: "s3:ListBucket", on: "bucket" },
  ListObjectsV2: { iamAction: "s3:ListBucket", on: "bucket" },
  ListMultipartUploads: { iamAction: "s3:ListBucketMultipartUploads", on: "bucket" },
  PutObject: { iamAction: "s3:PutObject", on: "object" },
  GetObject: { iamAction: "s3:GetObject", on: "object" },
  HeadObject: { iamAction: "s3:GetObject", on: "object" },
  DeleteObject: { iamAction: "s3:DeleteObject", on: "object" },
  // Per key, inside the action.
  DeleteObjects: undefined,
  // The target here; the source's s3:GetObject is added from x-amz-copy-source.
  CopyObject: { iamAction: "s3:PutObject", on: "object" },
  UploadPartCopy: { iamAction: "s3:PutObject", on: "object" },
  CreateMultipartUpload: { iamAction: "s3:PutObject", on: "object" },
  UploadPart: { iamAction: "s3:PutObject", on: "object" },
  CompleteMultipartUpload: { iamAction: "s3:PutObject", on: "object" },
  AbortMultipartUpload: { iamAction: "s3:AbortMultipartUpload", on: "object" },
  ListParts: { iamAction: "s3:ListMultipartUploadParts", on: "object" },
  GetObjectTagging: { iamAction: "s3:GetObjectTagging", on: "object" },
  PutObjectTagging: { iamAction: "s3:PutObjectTagging", on: "object" },
  DeleteObjectTagging: { iamAction: "s3:DeleteObjectTagging", on: "object" },
};

/** What `request` needs to be allowed to run `action` (CopyObject and UploadPartCopy: read the source too). */
export function permissionsOf(request: Pick<S3Request, "bucket" | "key" | "head">, action: S3ActionName): S3Permission[] {
  const entry = iamActions[action];
  if (entry === undefined) return [];
  const permissions: S3Permission[] = [];
  if (action === "CopyObject" || action === "UploadPartCopy") {
    const source = copySourceOf(request.head.headers["x-amz-copy-source"]);
    // A missing or malformed source is the action's error to answer, not an authorization question.
    if (source) permissions.push({ iamAction: "s3:GetObject", bucket: source.bucket, key: source.key });
  }
  if (entry.on === "service" || request.bucket === undefined) permissions.push({ iamAction: entry.iamAction });
  else if (entry.on === "bucket" || request.key === undefined) permissions.push({ iamAction: entry.iamAction, bucket: request.bucket });
  else permissions.push({ iamAction: entry.iamAction, bucket: request.bucket, key: request.key });
  return permissions;
}

/** `arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/key`, or `*`. */
export function resourceArnOf(permission: Pick<S3Permission, "bucket" | "key">): string {
  if (permission.bucket === undefined) return "*";
  return permission.key === undefined ? `arn:aws:s3:::${permission.bucket}` : `arn:aws:s3:::${permission.bucket}/${permission.key}`;
}

/** S3's refusal. The router sends no body for a HEAD. */
export function accessDenied(): S3Error {
  return new S3Error("AccessDenied", "Access Denied", 403);
}

// Decisions by principal object (so a reloaded credentials file starts afresh) and policies by text.
const cache = new EvaluationCache();

/**
 * AccessDenied unless the request's principal may run `action` on everything it names; undefined
 * when allowed.
 */
export async function authorizeS3(context: S3Context, request: S3Request, action: S3ActionName): Promise<S3Error | undefined> {
  const { principal } = request;
  if (isAnonymous(principal)) return undefined;
  const buckets = new Map<string, Promise<BucketFacts>>();
  for (const permission of permissionsOf(request, action)) {
    if (!(await allowed(context, request, permission, buckets))) return accessDenied();
  }
  return undefined;
}

/** Whether the request's principal may run `iamAction` (s3:DeleteObject for DeleteObjects) on `bucket`/`key`. */
export async function authorizeKey(context: S3Context, request: S3Request, iamAction: string, bucket: string, key: string): Promise<boolean> {
  if (isAnonymous(request.principal)) return true;
  return allowed(context, request, { iamAction, bucket, key }, new Map());
}

/** A bulk form of `authorizeKey` for one bucket, reading the bucket once: the keys allowed. */
export async function keysAllowed(context: S3Context, request: S3Request, iamAction: string, bucket: string, keys: readonly string[]): Promise<Set<string>> {
  if (isAnonymous(request.principal)) return new Set(keys);
  const buckets = new Map<string, Promise<BucketFacts>>();
  const allowedKeys = new Set<string>();
  for (const key of keys) {
    if (await allowed(context, request, { iamAction, bucket, key }, buckets)) allowedKeys.add(key);
  }
  return allowedKeys;
}

/** Whether the caller is the account's anonymous principal (--auth none), allowed everything. */
export function isAnonymous(principal: Principal): boolean {
  return principal === anonymousPrincipal(principal.accountId);
}

interface BucketFacts {
  /** The owner, or undefined for a bucket that does not exist. */
  accountId?: string;
  policy?: PolicyDocument;
}

async function allowed(context: S3Context, request: S3Request, permission: S3Permission, buckets: Map<string, Promise<BucketFacts>>): Promise<boolean> {
  const { principal } = request;
  let facts: BucketFacts = {};
  // A creation is the caller's own business: a name taken by another account answers
  // BucketAlreadyExists from the action, as S3 does, not AccessDenied.
  if (permission.bucket !== undefined && permission.iamAction !== "s3:CreateBucket") {
    let pending = buckets.get(permission.bucket);
    if (pending === undefined) {
      pending = bucketFacts(context, permission.bucket);
      buckets.set(permission.bucket, pending);
    }
    facts = await pending;
  }
  const resourcePolicy = facts.policy;
  const conditions = principal.policies.some((policy) => policy.hasConditions) || resourcePolicy?.hasConditions;
  const evaluation = cache.explain({
    principal,
    action: permission.iamAction,
    resource: resourceArnOf(permission),
    context: conditions ? conditionContext(context, request) : noConditions,
    ...(resourcePolicy && { resourcePolicy }),
    resourceAccountId: facts.accountId ?? principal.accountId,
  });
  return evaluation.decision === "allow";
}

async function bucketFacts(context: S3Context, name: string): Promise<BucketFacts> {
  const found = await context.store.getBucket(name);
  if (!found) return {};
  const policy = cache.resourcePolicy(bucketPolicyText(found.bucket));
  return { accountId: found.bucket.accountId, ...(policy && { policy }) };
}

const noConditions: ConditionContext = Object.freeze({});

/**
 * The condition keys Tributary knows of an S3 request: the global ones it can supply and, for
 * ListBucket, s3:prefix, s3:delimiter and s3:max-keys. aws:userid is left out (the credentials
 * file gives no unique id).
 */
export function conditionContext(context: Pick<S3Context, "clock" | "region">, request: Pick<S3Request, "principal" | "head" | "query">): ConditionContext {
  const { principal, head, query } = request;
  const nowMs = context.clock.nowMs();
  const keys: Record<string, string> = {
    "aws:CurrentTime": new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(nowMs / 1000)),
    "aws:PrincipalArn": principal.arn,
    "aws:PrincipalAccount": principal.accountId,
    "aws:RequestedRegion": context.region,
  };
  const user = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(principal.arn);
  if (user) keys["aws:username"] = user[1]!;
  if (head.facts?.sourceIp !== undefined) keys["aws:SourceIp"] = head.facts.sourceIp;
  if (head.facts?.secureTransport !== undefined) keys["aws:SecureTransport"] = String(head.facts.secureTransport);
  for (const name of ["prefix", "delimiter", "max-keys"]) {
    const value = query.get(name);
    if (value !== undefined) keys[`s3:${name}`] = value;
  }
  return keys;
}

/**
 * The bucket and key an `x-amz-copy-source` header names (`bucket/key` or `/bucket/key`,
 * percent-encoded, perhaps with `?versionId=`), or undefined when it names none.
 */
function copySourceOf(header: string | string[] | undefined): { bucket: string; key: string } | undefined {
  if (typeof header !== "string") return undefined;
  let text = header.startsWith("/") ? header.slice(1) : header;
  const query = text.indexOf("?");
  if (query >= 0) text = text.slice(0, query);
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return undefined;
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) return undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}
