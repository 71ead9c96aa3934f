import assert from "node:assert/strict";
import { Agent } from "node:http";
import type { LookupFunction } from "node:net";
import { after, before, describe, it } from "node:test";
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { exampleCredentials, kinesisClient, type TestServer } from "../helpers/server.js";
import { claimsS3 } from "../../src/s3/index.js";
import { addressOf, queryOf, virtualHostBucket } from "../../src/s3/address.js";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import { bucketName, elementText, rawS3, s3Client, startS3Server } from "./service-helpers.js";

const head = (path: string, headers: Record<string, string> = {}, query = ""): RequestHead => ({ method: "GET", path, query, headers });

describe("S3 service > addressing > claims", () => {
  it("claims any path but /, unless X-Amz-Target names an RPC", () => {
    assert.equal(claimsS3(head("/bucket")), true);
    assert.equal(claimsS3(head("/bucket/key")), true);
    assert.equal(claimsS3(head("/bucket", { "x-amz-target": "Kinesis_20131202.ListStreams" })), false);
    assert.equal(claimsS3(head("/", { "x-amz-target": "DynamoDB_20120810.ListTables" })), false);
  });

  it("claims / only when it is S3's: a virtual host, x-amz-content-sha256, or a credential scope naming s3", () => {
    assert.equal(claimsS3(head("/")), false);
    assert.equal(claimsS3(head("/", { host: "127.0.0.1:4567" })), false);
    assert.equal(claimsS3(head("/", { host: "localhost:4567" })), false);
    assert.equal(claimsS3(head("/", { host: "bucket.localhost:4567" })), true);
    assert.equal(claimsS3(head("/", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" })), true);
    assert.equal(claimsS3(head("/", { authorization: "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00" })), true);
    assert.equal(claimsS3(head("/", { authorization: "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00" })), false);
    assert.equal(claimsS3(head("/", {}, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261206%2Fus-east-1%2Fs3%2Faws4_request")), true);
  });

  it("virtual hosts: bucket.localhost, bucket.s3.localhost, bucket.s3.<region>.localhost, dotted names; the bare service hosts are path style", () => {
    assert.equal(virtualHostBucket("bucket.localhost"), "bucket");
    assert.equal(virtualHostBucket("bucket.s3.localhost"), "bucket");
    assert.equal(virtualHostBucket("bucket.s3.eu-west-1.localhost"), "bucket");
    assert.equal(virtualHostBucket("my.dotted.bucket.s3.localhost"), "my.dotted.bucket");
    assert.equal(virtualHostBucket("s3.localhost"), undefined);
    assert.equal(virtualHostBucket("s3.us-east-1.localhost"), undefined);
    assert.equal(virtualHostBucket("localhost"), undefined);
    assert.equal(virtualHostBucket("127.0.0.1"), undefined);
  });

  it("keys decode exactly from the path: %2F, //, .., +, unicode", () => {
    assert.deepEqual(addressOf(head("/b/a%2Fb")), { bucket: "b", key: "a/b" });
    assert.deepEqual(addressOf(head("/b//x/../y")), { bucket: "b", key: "/x/../y" });
    assert.deepEqual(addressOf(head("/b/a+b%20c")), { bucket: "b", key: "a+b c" });
    assert.deepEqual(addressOf(head("/b/%E6%97%A5")), { bucket: "b", key: "日" });
    assert.deepEqual(addressOf(head("/b/")), { bucket: "b" });
    assert.deepEqual(addressOf(head("/k%2F1", { host: "b.s3.localhost:1" })), { bucket: "b", key: "k/1" });
    assert.equal(addressOf(head("/b/%E6%97")), undefined);
    assert.deepEqual([...queryOf("uploads&prefix=a+b%2Fc&max-keys=2")!], [["uploads", ""], ["prefix", "a b/c"], ["max-keys", "2"]]);
  });
});

describe("S3 service > addressing > on the wire", () => {
  let server: TestServer;
  let client: S3Client;
  before(async () => {
    server = await startS3Server();
    client = s3Client(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("virtual-hosted requests by Host header reach the bucket named by the host", async () => {
    const bucket = bucketName();
    const port = new URL(server.url).port;
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const [index, host] of [`${bucket}.localhost:${port}`, `${bucket}.s3.localhost:${port}`, `${bucket}.s3.us-east-1.localhost`].entries()) {
      const put = await rawS3(server, "PUT", `/dir/v${index}.txt`, { headers: { host }, body: `via ${host}` });
      assert.equal(put.statusCode, 200, host);
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `dir/v${index}.txt` }));
      assert.equal(await got.Body!.transformToString(), `via ${host}`);
    }
    const missing = await rawS3(server, "GET", "/absent", { headers: { host: `${bucket}.localhost:${port}` } });
    assert.equal(elementText(missing.text, "Code"), "NoSuchKey");
    assert.equal(elementText(missing.text, "Key"), "absent");
  });

  it("the SDK in its default virtual-hosted style (bucket.localhost resolved to the server) round-trips an object", async () => {
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (options?.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
      else callback(null, "127.0.0.1", 4);
    }) as unknown as LookupFunction;
    const agent = new Agent({ lookup } as ConstructorParameters<typeof Agent>[0]);
    const port = new URL(server.url).port;
    const virtual = new S3Client({ endpoint: `http://localhost:${port}`, region: server.region, credentials: exampleCredentials, requestHandler: { httpAgent: agent } });
    try {
      const bucket = bucketName();
      await virtual.send(new CreateBucketCommand({ Bucket: bucket }));
      await virtual.send(new PutObjectCommand({ Bucket: bucket, Key: "a/b.txt", Body: "virtual" }));
      const got = await virtual.send(new GetObjectCommand({ Bucket: bucket, Key: "a/b.txt" }));
      assert.equal(await got.Body!.transformToString(), "virtual");
      const listed = await virtual.send(new ListBucketsCommand({}));
      assert.ok(listed.Buckets?.some((entry) => entry.Name === bucket));
    } finally {
      virtual.destroy();
      agent.destroy();
    }
  });

  it("Kinesis on the same port keeps working beside S3", async () => {
    const kinesis = kinesisClient(server);
    try {
      const listed = await kinesis.send(new ListStreamsCommand({}));
      assert.ok(Array.isArray(listed.StreamNames));
    } finally {
      kinesis.destroy();
    }
  });

  it("every answer carries x-amz-request-id and x-amz-id-2, distinct per request", async () => {
    const first = await rawS3(server, "GET", "/", { headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" } });
    const second = await rawS3(server, "GET", `/${bucketName("missing")}`);
    assert.equal(first.statusCode, 200);
    for (const answer of [first, second]) {
      assert.match(String(answer.headers["x-amz-request-id"]), /^[0-9A-F]{16}$/);
      assert.ok(String(answer.headers["x-amz-id-2"]).length > 40);
    }
    assert.notEqual(first.headers["x-amz-request-id"], second.headers["x-amz-request-id"]);
  });

  it("a path that does not percent-decode is InvalidURI (400)", async () => {
    const answer = await rawS3(server, "GET", "/bucket/%E6%97");
    assert.equal(answer.statusCode, 400);
    assert.equal(elementText(answer.text, "Code"), "InvalidURI");
  });
});
