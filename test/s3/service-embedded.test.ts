import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, PutObjectCommand, PutObjectTaggingCommand, GetObjectTaggingCommand, S3Client } from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.js";
import { bucketName, s3Client, startS3Server } from "./service-helpers.js";

describe("S3 service > on the embedded engine", () => {
  let dataDir: string;
  let server: TestServer;
  let client: S3Client;
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "tributary-s3-embedded-"));
    server = await startS3Server({ dataDir });
    client = s3Client(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("objects stream in and out, by range, copied and tagged", async () => {
    const bucket = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    const body = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let index = 0; index < body.length; index++) body[index] = (index * 31) % 253;
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "big/object.bin", Body: body, Metadata: { m: "1" } }));
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "big/object.bin" }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
    assert.equal(got.ETag, put.ETag);
    const ranged = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "big/object.bin", Range: "bytes=1048570-2097160" }));
    assert.ok(Buffer.from(await ranged.Body!.transformToByteArray()).equals(body.subarray(1048570, 2097161)));
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy.bin", CopySource: `${bucket}/big/object.bin` }));
    await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "copy.bin", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
    assert.deepEqual((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "copy.bin" }))).TagSet, [{ Key: "k", Value: "v" }]);
    const copy = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "copy.bin" }));
    assert.ok(Buffer.from(await copy.Body!.transformToByteArray()).equals(body));
    assert.deepEqual(copy.Metadata, { m: "1" });
  });
});
