/**
 * The pure parts of S3 authorization: each action's IAM action and resources (S3's documented
 * mapping), bucket-policy checks in S3's words, and policy evaluation with a bucket policy across
 * accounts.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { permissionsOf, resourceArnOf } from "../../src/s3/authorize.js";
import { bucketPolicyProblem } from "../../src/s3/actions/bucket-policy.js";
import type { S3ActionName } from "../../src/s3/action.js";
import { explain, parsePolicyDocument, parsePolicyObject } from "../../src/auth/policy/index.js";

const head = (headers: Record<string, string> = {}) => ({ method: "GET", path: "/", query: "", headers });

describe("S3 authorization rules", () => {
  it("names each action's IAM action and resource as S3 documents them", () => {
    const object = { bucket: "b", key: "k/1", head: head() };
    const bucketOnly = { bucket: "b", head: head() };
    const expected: [S3ActionName, typeof object | typeof bucketOnly, string[]][] = [
      ["ListBuckets", { bucket: undefined as unknown as string, head: head() }, ["s3:ListAllMyBuckets *"]],
      ["CreateBucket", bucketOnly, ["s3:CreateBucket arn:aws:s3:::b"]],
      ["DeleteBucket", bucketOnly, ["s3:DeleteBucket arn:aws:s3:::b"]],
      ["HeadBucket", bucketOnly, ["s3:ListBucket arn:aws:s3:::b"]],
      ["ListObjects", bucketOnly, ["s3:ListBucket arn:aws:s3:::b"]],
      ["ListObjectsV2", bucketOnly, ["s3:ListBucket arn:aws:s3:::b"]],
      ["GetBucketLocation", bucketOnly, ["s3:GetBucketLocation arn:aws:s3:::b"]],
      ["GetBucketPolicy", bucketOnly, ["s3:GetBucketPolicy arn:aws:s3:::b"]],
      ["PutBucketPolicy", bucketOnly, ["s3:PutBucketPolicy arn:aws:s3:::b"]],
      ["DeleteBucketPolicy", bucketOnly, ["s3:DeleteBucketPolicy arn:aws:s3:::b"]],
      ["ListMultipartUploads", bucketOnly, ["s3:ListBucketMultipartUploads arn:aws:s3:::b"]],
      ["GetObject", object, ["s3:GetObject arn:aws:s3:::b/k/1"]],
      ["HeadObject", object, ["s3:GetObject arn:aws:s3:::b/k/1"]],
      ["PutObject", object, ["s3:PutObject arn:aws:s3:::b/k/1"]],
      ["DeleteObject", object, ["s3:DeleteObject arn:aws:s3:::b/k/1"]],
      ["DeleteObjects", bucketOnly, []],
      ["CreateMultipartUpload", object, ["s3:PutObject arn:aws:s3:::b/k/1"]],
      ["UploadPart", object, ["s3:PutObject arn:aws:s3:::b/k/1"]],
      ["CompleteMultipartUpload", object, ["s3:PutObject arn:aws:s3:::b/k/1"]],
      ["AbortMultipartUpload", object, ["s3:AbortMultipartUpload arn:aws:s3:::b/k/1"]],
      ["ListParts", object, ["s3:ListMultipartUploadParts arn:aws:s3:::b/k/1"]],
      ["GetObjectTagging", object, ["s3:GetObjectTagging arn:aws:s3:::b/k/1"]],
      ["PutObjectTagging", object, ["s3:PutObjectTagging arn:aws:s3:::b/k/1"]],
      ["DeleteObjectTagging", object, ["s3:DeleteObjectTagging arn:aws:s3:::b/k/1"]],
      ["CopyObject", { ...object, head: head({ "x-amz-copy-source": "/src/a%20b" }) }, ["s3:GetObject arn:aws:s3:::src/a b", "s3:PutObject arn:aws:s3:::b/k/1"]],
      ["UploadPartCopy", { ...object, head: head({ "x-amz-copy-source": "src/x?versionId=null" }) }, ["s3:GetObject arn:aws:s3:::src/x", "s3:PutObject arn:aws:s3:::b/k/1"]],
    ];
    for (const [action, request, permissions] of expected) {
      const named = permissionsOf(request as Parameters<typeof permissionsOf>[0], action).map((permission) => `${permission.iamAction} ${resourceArnOf(permission)}`);
      assert.deepEqual(named, permissions, action);
    }
  });

  it("a bucket policy allows another account only with the caller's identity allowing too", () => {
    const policy = parsePolicyDocument(
      JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] }),
      "resource",
    );
    assert.ok(policy.ok);
    const allowAll = parsePolicyObject({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] });
    assert.ok(allowAll.ok);
    const bob = { accountId: "222222222222", arn: "arn:aws:iam::222222222222:user/bob", policies: [allowAll.policy] };
    const nobody = { ...bob, policies: [] };
    const request = { action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: {}, resourceAccountId: "111111111111" };
    assert.equal(explain({ ...request, principal: bob, resourcePolicy: policy.policy }).decision, "allow");
    assert.equal(explain({ ...request, principal: bob }).decision, "implicit-deny");
    assert.equal(explain({ ...request, principal: nobody, resourcePolicy: policy.policy }).decision, "implicit-deny");
    assert.equal(explain({ ...request, action: "s3:PutObject", principal: bob, resourcePolicy: policy.policy }).decision, "implicit-deny");
  });

  it("checks bucket policies as S3 does", () => {
    const ok = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*", "arn:aws:s3:::b"] }] };
    assert.equal(bucketPolicyProblem(JSON.stringify(ok), "b"), undefined);
    assert.equal(bucketPolicyProblem(JSON.stringify({ ...ok, Statement: [{ ...ok.Statement[0], Resource: "arn:aws:s3:::b*/x" }] }), "b"), undefined);
    assert.equal(bucketPolicyProblem(JSON.stringify({ ...ok, Statement: [{ ...ok.Statement[0], Action: "*" }] }), "b"), undefined);
    assert.equal(bucketPolicyProblem("  [1]", "b"), "Policies must be valid JSON and the first byte must be '{'");
    assert.equal(bucketPolicyProblem("{nope", "b"), "Policies must be valid JSON and the first byte must be '{'");
    assert.equal(bucketPolicyProblem(JSON.stringify({ Version: "2012-10-17" }), "b"), "Missing required field Statement");
    assert.equal(bucketPolicyProblem(JSON.stringify({ ...ok, Version: "2020-01-01" }), "b"), "The policy must contain a valid version string");
    assert.equal(bucketPolicyProblem(JSON.stringify({ ...ok, Statement: [{ ...ok.Statement[0], Effect: "Maybe" }] }), "b"), "Invalid effect");
    assert.equal(bucketPolicyProblem(JSON.stringify({ ...ok, Statement: [{ ...ok.Statement[0], Resource: "arn:aws:kinesis:us-east-1:111111111111:stream/s" }] }), "b"), "Policy has invalid resource");
    assert.equal(bucketPolicyProblem(JSON.stringify({ ...ok, Statement: [{ ...ok.Statement[0], Resource: "*" }] }), "b"), "Policy has invalid resource");
  });
});
