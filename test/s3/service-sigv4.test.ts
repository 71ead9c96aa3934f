import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { TestCredentials, TestServer } from "../helpers/server.js";
import { CredentialsDir, allowAll } from "../auth/sigv4-helpers.js";
import { bucketName, s3Client, startS3Server, rejection } from "./service-helpers.js";

const alice: TestCredentials = { accessKeyId: "AKIAALICEEXAMPLE0001", secretAccessKey: "alice/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const bob: TestCredentials = { accessKeyId: "AKIABOBEXAMPLE000001", secretAccessKey: "bob/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };

describe("S3 service > under --auth sigv4", () => {
  let credentials: CredentialsDir;
  let server: TestServer;
  const clients: S3Client[] = [];
  const client = (as: TestCredentials) => {
    const made = s3Client(server, { credentials: as });
    clients.push(made);
    return made;
  };
  before(async () => {
    credentials = new CredentialsDir();
    credentials.write([
      { ...alice, accountId: "111111111111", principalArn: "arn:aws:iam::111111111111:user/alice", policies: [allowAll] },
      { ...bob, accountId: "222222222222", principalArn: "arn:aws:iam::222222222222:user/bob", policies: [allowAll] },
    ]);
    server = await startS3Server({ credentialsFile: credentials.path });
  });
  after(async () => {
    for (const made of clients) made.destroy();
    await server.stop();
    credentials.remove();
  });

  it("signed uploads (the SDK's default signing and checksums) and downloads round-trip", async () => {
    const bucket = bucketName();
    await client(alice).send(new CreateBucketCommand({ Bucket: bucket }));
    const body = Buffer.alloc(200 * 1024, 7);
    await client(alice).send(new PutObjectCommand({ Bucket: bucket, Key: "signed.bin", Body: body }));
    const got = await client(alice).send(new GetObjectCommand({ Bucket: bucket, Key: "signed.bin" }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
  });

  it("a wrong secret is SignatureDoesNotMatch (403)", async () => {
    const error = await rejection(client({ ...alice, secretAccessKey: "wrong" }).send(new ListBucketsCommand({})));
    assert.equal(error.name, "SignatureDoesNotMatch");
    assert.equal(error.$metadata.httpStatusCode, 403);
  });

  it("bucket names are global: another account's creation of the name is BucketAlreadyExists; ListBuckets shows each account its own", async () => {
    const bucket = bucketName();
    await client(alice).send(new CreateBucketCommand({ Bucket: bucket }));
    const error = await rejection(client(bob).send(new CreateBucketCommand({ Bucket: bucket })));
    assert.equal(error.name, "BucketAlreadyExists");
    assert.equal(error.$metadata.httpStatusCode, 409);
    // The owner's re-creation in us-east-1 is S3's legacy 200.
    assert.equal((await client(alice).send(new CreateBucketCommand({ Bucket: bucket }))).$metadata.httpStatusCode, 200);
    const bobs = await client(bob).send(new ListBucketsCommand({}));
    assert.ok(!(bobs.Buckets ?? []).some((entry) => entry.Name === bucket));
    const alices = await client(alice).send(new ListBucketsCommand({}));
    assert.ok((alices.Buckets ?? []).some((entry) => entry.Name === bucket));
  });

  it("presigned GET and PUT URLs work with a plain HTTP client", async () => {
    const bucket = bucketName();
    const signer = client(alice);
    await signer.send(new CreateBucketCommand({ Bucket: bucket }));
    const putUrl = await getSignedUrl(signer, new PutObjectCommand({ Bucket: bucket, Key: "presigned.txt" }), { expiresIn: 300 });
    const put = await fetch(putUrl, { method: "PUT", body: "through a presigned URL" });
    assert.equal(put.status, 200, await put.clone().text());
    const getUrl = await getSignedUrl(signer, new GetObjectCommand({ Bucket: bucket, Key: "presigned.txt" }), { expiresIn: 300 });
    const got = await fetch(getUrl);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), "through a presigned URL");
    const tampered = await fetch(getUrl.replace("presigned.txt", "other.txt"));
    assert.equal(tampered.status, 403);
  });
});
