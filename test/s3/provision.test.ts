/**
 * The "buckets" section of the init document (docs/testing.md): created before the server
 * listens, in the configured account and region; kept with their objects across a restart and
 * after a reset re-applies the file; a bad name or another account's bucket stops the start.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadBucketCommand, ListBucketsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { startServer, StartError } from "../../src/index.js";
import { s3Client } from "./service-helpers.js";

const asServer = (server: { url: string; region: string; accountId: string }) => ({ url: server.url, region: server.region, accountId: server.accountId, stop: async () => {} });

describe("s3 > provisioning", () => {
  it("s3 > provisioning > buckets exist when the server is ready, and a restart keeps them with their objects", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-s3-init-"));
    try {
      const init = { buckets: [{ Bucket: "reference-data" }, { Bucket: "landing.zone-1" }] };
      let server = await startServer({ storage: "embedded", dataDir, fsync: "never", init });
      let client = s3Client(asServer(server));
      const listed = await client.send(new ListBucketsCommand({}));
      assert.deepEqual(listed.Buckets?.map((bucket) => bucket.Name), ["landing.zone-1", "reference-data"]);
      await client.send(new PutObjectCommand({ Bucket: "reference-data", Key: "k", Body: "kept" }));
      await server.close();
      server = await startServer({ storage: "embedded", dataDir, fsync: "never", init });
      client = s3Client(asServer(server));
      const object = await client.send(new GetObjectCommand({ Bucket: "reference-data", Key: "k" }));
      assert.equal(await object.Body?.transformToString(), "kept");
      await server.reset();
      await client.send(new HeadBucketCommand({ Bucket: "reference-data" }));
      await server.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("s3 > provisioning > an invalid bucket name stops the start with S3's error, named by entry", async () => {
    await assert.rejects(
      startServer({ init: { buckets: [{ Bucket: "ok-bucket" }, { Bucket: "Not_Valid" }] } as never }),
      (error: Error) => error instanceof StartError && error.message === "init: buckets[1] (CreateBucket): InvalidBucketName: The specified bucket is not valid.",
    );
    await assert.rejects(
      startServer({ init: { buckets: [{ Name: "x" }] } as never }),
      (error: Error) => error instanceof StartError && error.message === 'init: buckets[0] (CreateBucket): "Bucket" must be a bucket name (a string)',
    );
  });
});
