/**
 * Virtual-hosted addressing (Amazon S3 User Guide, VirtualHosting.html): the bucket in the Host,
 * `bucket.localhost:<port>` and `bucket.s3.localhost:<port>`, through @aws-sdk/client-s3 with
 * forcePathStyle false (its default) and through raw HTTP with a Host header. Objects written one
 * way read back the other way, since both name the same bucket.
 *
 * The SDK resolves every `*.localhost` to 127.0.0.1 through its agent's `lookup` (the machine's
 * resolver need not know such names), which also records the host names it was asked for: proof
 * the requests went virtual-hosted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { LookupFunction } from "node:net";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { exampleS3Credentials, md5Hex } from "../helpers/s3-scenario.js";

let server: TestServer;
let port: number;
const lookedUp: string[] = [];
const clients: S3Client[] = [];

const localhostLookup: LookupFunction = (hostname, options, callback) => {
  lookedUp.push(hostname);
  assert.ok(hostname === "localhost" || hostname.endsWith(".localhost"), `only *.localhost is looked up, not ${hostname}`);
  if (options.all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

/** An SDK client for a virtual-hosting endpoint: http://localhost:<port> or http://s3.localhost:<port>. */
function virtualClient(endpointHost: string): S3Client {
  const agent = new http.Agent({ keepAlive: true, lookup: localhostLookup } as http.AgentOptions);
  const client = new S3Client({
    endpoint: `http://${endpointHost}:${port}`,
    region: server.region,
    credentials: exampleS3Credentials,
    forcePathStyle: false,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: agent }),
  });
  clients.push(client);
  return client;
}

const pathClient = (): S3Client => {
  const client = new S3Client({ endpoint: server.url, region: server.region, credentials: exampleS3Credentials, forcePathStyle: true, maxAttempts: 1 });
  clients.push(client);
  return client;
};

/** A raw, unsigned request to 127.0.0.1 with the Host header given. */
function rawRequest(method: string, path: string, host: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, method, path, headers: { host, ...(body && { "content-length": String(body.length) }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(body);
  });
}

before(async () => {
  server = await startTestServer();
  port = Number(new URL(server.url).port);
});

after(async () => {
  for (const client of clients) client.destroy();
  await server?.stop();
});

describe("e2e > s3 > virtual-hosted addressing", () => {
  for (const endpointHost of ["localhost", "s3.localhost"]) {
    it(`e2e > s3 > virtual host > the SDK through ${endpointHost}: bucket.${endpointHost}:<port> for create, put, get, head, list, delete`, async () => {
      const bucket = `vhost-${endpointHost.replace(".", "-")}-${process.pid}`;
      const client = virtualClient(endpointHost);
      lookedUp.length = 0;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      assert.ok(lookedUp.includes(`${bucket}.${endpointHost}`), `the SDK went to ${bucket}.${endpointHost}; it looked up ${lookedUp.join(", ")}`);
      const body = Buffer.from(`virtually hosted through ${endpointHost}`);
      const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "dir/file.txt", Body: body, ContentType: "text/plain", Metadata: { via: "vhost" } }));
      assert.equal(put.ETag, `"${md5Hex(body)}"`);
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/file.txt" }));
      assert.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);
      assert.deepEqual(got.Metadata, { via: "vhost" });
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "dir/file.txt" }));
      assert.equal(head.ContentLength, body.length);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "dir/" }));
      assert.deepEqual(listed.Contents?.map((object) => object.Key), ["dir/file.txt"]);
      assert.equal(listed.Name, bucket);

      // The same bucket path-style: one bucket, two addresses.
      const viaPath = await pathClient().send(new GetObjectCommand({ Bucket: bucket, Key: "dir/file.txt" }));
      assert.deepEqual(Buffer.from(await viaPath.Body!.transformToByteArray()), body);

      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: "dir/file.txt" }));
      await client.send(new DeleteBucketCommand({ Bucket: bucket }));
      assert.ok(lookedUp.every((name) => name === `${bucket}.${endpointHost}`), `every call was virtual-hosted: ${[...new Set(lookedUp)].join(", ")}`);
    });
  }

  it("e2e > s3 > virtual host > ListBuckets through s3.localhost names the buckets (s3.localhost is the service, not a bucket)", async () => {
    const bucket = `vhost-list-${process.pid}`;
    await pathClient().send(new CreateBucketCommand({ Bucket: bucket }));
    const listed = await virtualClient("s3.localhost").send(new ListBucketsCommand({}));
    assert.ok(listed.Buckets?.some((entry) => entry.Name === bucket), `ListBuckets through s3.localhost names ${bucket}`);
    await pathClient().send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  it("e2e > s3 > virtual host > raw HTTP with Host bucket.localhost:<port> and bucket.s3.localhost:<port>", async () => {
    const bucket = `vhost-raw-${process.pid}`;
    const client = pathClient();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "a b/c.txt", Body: "raw read" }));
    for (const host of [`${bucket}.localhost:${port}`, `${bucket}.s3.localhost:${port}`, `${bucket}.localhost`]) {
      const object = await rawRequest("GET", "/a%20b/c.txt", host);
      assert.equal(object.status, 200, `GET /a%20b/c.txt with Host ${host}: ${object.body.toString()}`);
      assert.equal(object.body.toString(), "raw read");
      assert.ok(object.headers["x-amz-request-id"], "x-amz-request-id on the answer");
      const listing = await rawRequest("GET", "/?list-type=2", host);
      assert.equal(listing.status, 200, `ListObjectsV2 with Host ${host}: ${listing.body.toString()}`);
      assert.match(listing.body.toString(), new RegExp(`<Name>${bucket}</Name>`));
      assert.match(listing.body.toString(), /<Key>a b\/c\.txt<\/Key>/);
      const missing = await rawRequest("GET", "/absent", host);
      assert.equal(missing.status, 404);
      assert.match(missing.body.toString(), /<Code>NoSuchKey<\/Code>/);
    }
    const put = await rawRequest("PUT", "/raw-put.txt", `${bucket}.s3.localhost:${port}`, Buffer.from("put by host"));
    assert.equal(put.status, 200, `PUT with a virtual Host: ${put.body.toString()}`);
    const read = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "raw-put.txt" }));
    assert.equal(await read.Body!.transformToString(), "put by host");
    const noBucket = await rawRequest("GET", "/k", `vhost-absent-${process.pid}.localhost:${port}`);
    assert.equal(noBucket.status, 404);
    assert.match(noBucket.body.toString(), /<Code>NoSuchBucket<\/Code>/);
  });
});
