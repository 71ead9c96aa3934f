/**
 * S3 authorization under `--auth sigv4`, through @aws-sdk/client-s3: identity policies, bucket
 * policies (PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy), accounts isolated, S3's
 * AccessDenied (a HEAD without a body), MalformedPolicy, and DeleteObjects authorized per key.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CreateBucketCommand, DeleteBucketPolicyCommand, DeleteObjectCommand, DeleteObjectsCommand, GetBucketPolicyCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
  PutBucketPolicyCommand, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.js";
import { CredentialsDir } from "../auth/sigv4-helpers.js";
import { bucketName, rawS3, startS3Server } from "./service-helpers.js";

const accountA = "111111111111";
const accountB = "222222222222";
const everythingS3 = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] };

const principals = {
  alice: { accountId: accountA, policies: [everythingS3] },
  // In alice's account, reads under public/ only.
  carol: {
    accountId: accountA,
    policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: "arn:aws:s3:::*/public/*" }] }],
  },
  // Another account, allowed everything by its own policies.
  bob: { accountId: accountB, policies: [everythingS3] },
} as const;
type Name = keyof typeof principals;

const arnOf = (name: Name) => `arn:aws:iam::${principals[name].accountId}:user/${name}`;
const keyOf = (name: Name) => ({ accessKeyId: `AKID${name.toUpperCase()}EXAMPLE`, secretAccessKey: `secret-of-${name}` });

type S3ErrorShape = Error & { $metadata?: { httpStatusCode?: number } };

async function denied(promise: Promise<unknown>): Promise<void> {
  await assert.rejects(promise, (error: S3ErrorShape) => {
    assert.equal(error.name, "AccessDenied");
    assert.equal(error.message, "Access Denied");
    assert.equal(error.$metadata?.httpStatusCode, 403);
    return true;
  });
}

describe("S3 authorization and bucket policies", () => {
  let server: TestServer;
  let credentials: CredentialsDir;
  const clients = new Map<Name, S3Client>();
  const client = (name: Name) => clients.get(name)!;
  const bucket = bucketName("policy");

  before(async () => {
    credentials = new CredentialsDir();
    credentials.write(Object.entries(principals).map(([name, entry]) => ({ ...keyOf(name as Name), accountId: entry.accountId, principalArn: arnOf(name as Name), policies: entry.policies })));
    server = await startS3Server({ credentialsFile: credentials.path });
    for (const name of Object.keys(principals) as Name[]) {
      clients.set(name, new S3Client({ endpoint: server.url, region: server.region, credentials: keyOf(name), forcePathStyle: true }));
    }
    await client("alice").send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of ["public/a", "private/b"]) await client("alice").send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  });
  after(async () => {
    for (const made of clients.values()) made.destroy();
    await server.stop();
    credentials.remove();
  });

  it("identity policies decide within the bucket's account", async () => {
    const got = await client("carol").send(new GetObjectCommand({ Bucket: bucket, Key: "public/a" }));
    assert.equal(await got.Body!.transformToString(), "public/a");
    await denied(client("carol").send(new GetObjectCommand({ Bucket: bucket, Key: "private/b" })));
    await denied(client("carol").send(new ListObjectsV2Command({ Bucket: bucket })));
    await denied(client("carol").send(new PutObjectCommand({ Bucket: bucket, Key: "public/new", Body: "x" })));
  });

  it("AccessDenied is S3's XML; a HEAD's has no body", async () => {
    await assert.rejects(client("carol").send(new HeadObjectCommand({ Bucket: bucket, Key: "private/b" })), (error: S3ErrorShape) => {
      assert.equal(error.$metadata?.httpStatusCode, 403);
      return true;
    });
    const unsigned = await rawS3(server, "GET", `/${bucket}/private/b`);
    assert.equal(unsigned.statusCode, 403);
  });

  it("another account is denied without a bucket policy, whatever its own policies allow", async () => {
    await denied(client("bob").send(new GetObjectCommand({ Bucket: bucket, Key: "public/a" })));
    await denied(client("bob").send(new ListObjectsV2Command({ Bucket: bucket })));
    await denied(client("bob").send(new GetBucketPolicyCommand({ Bucket: bucket })));
  });

  it("a bucket policy grants another account what it names, and GetBucketPolicy answers it as sent", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadForB", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${accountB}:root` }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` },
        { Sid: "ListForB", Effect: "Allow", Principal: { AWS: accountB }, Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucket}` },
      ],
    });
    const put = await client("alice").send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    assert.equal(put.$metadata.httpStatusCode, 204);
    assert.equal((await client("alice").send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy, policy);
    const got = await client("bob").send(new GetObjectCommand({ Bucket: bucket, Key: "private/b" }));
    assert.equal(await got.Body!.transformToString(), "private/b");
    const listed = await client("bob").send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(listed.Contents?.map((object) => object.Key), ["private/b", "public/a"]);
    await denied(client("bob").send(new PutObjectCommand({ Bucket: bucket, Key: "from-b", Body: "x" })));
  });

  it("a Deny in the bucket policy overrides the owner's identity Allow", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::${bucket}/private/*` }],
    });
    await client("alice").send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    // Only DeleteObject is denied: a write to the same key is still allowed.
    await client("alice").send(new PutObjectCommand({ Bucket: bucket, Key: "private/b", Body: "private/b" }));
    await denied(client("alice").send(new DeleteObjectCommand({ Bucket: bucket, Key: "private/b" })));
    const deleted = await client("alice").send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "private/b" }, { Key: "public/a" }] } }));
    assert.deepEqual(deleted.Deleted?.map((entry) => entry.Key), ["public/a"]);
    assert.deepEqual(deleted.Errors?.map((entry) => [entry.Key, entry.Code, entry.Message]), [["private/b", "AccessDenied", "Access Denied"]]);
    await client("alice").send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  });

  it("DeleteObjects authorizes each key: carol may delete under public/ only", async () => {
    await client("alice").send(new PutObjectCommand({ Bucket: bucket, Key: "public/c", Body: "c" }));
    const deleted = await client("carol").send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "public/c" }, { Key: "private/b" }] } }));
    assert.deepEqual(deleted.Deleted?.map((entry) => entry.Key), ["public/c"]);
    assert.deepEqual(deleted.Errors?.map((entry) => [entry.Key, entry.Code]), [["private/b", "AccessDenied"]]);
    // private/b is still there.
    await client("alice").send(new HeadObjectCommand({ Bucket: bucket, Key: "private/b" }));
  });

  it("DeleteBucketPolicy removes the grant; GetBucketPolicy then answers NoSuchBucketPolicy", async () => {
    const deleted = await client("alice").send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    await assert.rejects(client("alice").send(new GetBucketPolicyCommand({ Bucket: bucket })), (error: S3ErrorShape) => {
      assert.equal(error.name, "NoSuchBucketPolicy");
      assert.equal(error.message, "The bucket policy does not exist");
      assert.equal(error.$metadata?.httpStatusCode, 404);
      return true;
    });
    await denied(client("bob").send(new GetObjectCommand({ Bucket: bucket, Key: "private/b" })));
  });

  it("creating a bucket another account owns is BucketAlreadyExists, not AccessDenied", async () => {
    await assert.rejects(client("bob").send(new CreateBucketCommand({ Bucket: bucket })), (error: S3ErrorShape) => {
      assert.equal(error.name, "BucketAlreadyExists");
      assert.equal(error.$metadata?.httpStatusCode, 409);
      return true;
    });
  });

  it("PutBucketPolicy refuses what S3 refuses, with MalformedPolicy in S3's words", async () => {
    const statement = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` };
    const cases: [string, string][] = [
      ["not json", "Policies must be valid JSON and the first byte must be '{'"],
      [JSON.stringify({ Version: "2012-10-17", Statement: [{ ...statement, Resource: "arn:aws:s3:::some-other-bucket/*" }] }), "Policy has invalid resource"],
      [JSON.stringify({ Version: "2012-10-17", Statement: [{ ...statement, Action: "kinesis:GetRecords" }] }), "Policy has invalid action"],
      [JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] }), "Missing required field Principal"],
      [JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }] }), "Missing required field Resource"],
      [JSON.stringify({ Version: "2012-10-17", Statement: [{ ...statement, Principal: { AWS: "not-a-principal" } }] }), "Invalid principal in policy"],
      [JSON.stringify({ Version: "2012-10-17", Statement: [{ ...statement, Colour: "red" }] }), "Unknown field Colour"],
    ];
    for (const [policy, message] of cases) {
      await assert.rejects(client("alice").send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy })), (error: S3ErrorShape) => {
        assert.equal(error.name, "MalformedPolicy", policy);
        assert.equal(error.message, message, policy);
        assert.equal(error.$metadata?.httpStatusCode, 400);
        return true;
      });
    }
  });
});
