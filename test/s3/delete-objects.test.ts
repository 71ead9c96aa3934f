/**
 * DeleteObjects: the <Delete> body's schema (pure), and through @aws-sdk/client-s3 and raw HTTP —
 * verbose and Quiet answers, absent keys deleted, up to 1,000 keys, the integrity header S3
 * requires, and MalformedXML.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CreateBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.js";
import { parseXml } from "../../src/s3/xml.js";
import { parseDeleteBody } from "../../src/s3/actions/delete-objects.js";
import { bucketName, rawS3, s3Client, startS3Server } from "./service-helpers.js";

const parse = (xml: string) => parseDeleteBody(parseXml(xml, ["Delete.Object"]));

describe("DeleteObjects", () => {
  it("parses S3's <Delete> schema and refuses anything else", () => {
    assert.deepEqual(parse("<Delete><Object><Key> spaced </Key></Object><Object><Key>0123</Key><VersionId>null</VersionId></Object></Delete>"), {
      quiet: false,
      objects: [{ Key: " spaced " }, { Key: "0123", VersionId: "null" }],
    });
    assert.equal(parse('<?xml version="1.0"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <Quiet>true</Quiet>\n  <Object><Key>a</Key></Object>\n</Delete>')?.quiet, true);
    for (const bad of [
      "<Delete></Delete>",
      "<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>",
      "<Delete><Object></Object></Delete>",
      "<Delete><Object><Key>a</Key></Object><Extra/></Delete>",
      "<Other><Object><Key>a</Key></Object></Other>",
      `<Delete>${"<Object><Key>k</Key></Object>".repeat(1001)}</Delete>`,
    ]) {
      assert.equal(parse(bad), undefined, bad.slice(0, 80));
    }
    assert.equal(parse(`<Delete>${"<Object><Key>k</Key></Object>".repeat(1000)}</Delete>`)?.objects.length, 1000);
  });

  describe("through the SDK", () => {
    let server: TestServer;
    let client: S3Client;
    const bucket = bucketName("delete");

    before(async () => {
      server = await startS3Server();
      client = s3Client(server);
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    after(async () => {
      client.destroy();
      await server.stop();
    });

    it("deletes the keys given, absent ones counting as deleted, in verbose and Quiet mode", async () => {
      for (const key of ["a", "b", "c/d"]) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
      const verbose = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "a" }, { Key: "missing" }] } }));
      assert.deepEqual(verbose.Deleted?.map((entry) => entry.Key), ["a", "missing"]);
      assert.equal(verbose.Errors, undefined);
      const quiet = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: "b" }, { Key: "c/d" }] } }));
      assert.equal(quiet.Deleted, undefined);
      assert.equal(quiet.Errors, undefined);
      const left = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      assert.equal(left.KeyCount, 0);
    });

    it("takes 1,000 keys and refuses 1,001 with MalformedXML", async () => {
      const keys = Array.from({ length: 1000 }, (_, index) => ({ Key: `k${index}` }));
      const done = await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
      assert.equal(done.Deleted?.length, 1000);
      await assert.rejects(client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [...keys, { Key: "one more" }] } })), (error: Error) => {
        assert.equal(error.name, "MalformedXML");
        return true;
      });
    });

    it("requires Content-MD5 or a checksum header, and checks it", async () => {
      const body = "<Delete><Object><Key>x</Key></Object></Delete>";
      const bare = await rawS3(server, "POST", `/${bucket}?delete`, { body });
      assert.equal(bare.statusCode, 400);
      assert.match(bare.text, /<Code>InvalidRequest<\/Code><Message>Missing required header for this request: Content-MD5 OR x-amz-checksum-\*<\/Message>/);
      const md5 = createHash("md5").update(body).digest("base64");
      const withMd5 = await rawS3(server, "POST", `/${bucket}?delete`, { body, headers: { "content-md5": md5 } });
      assert.equal(withMd5.statusCode, 200);
      assert.match(withMd5.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DeleteResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><Deleted><Key>x<\/Key><\/Deleted><\/DeleteResult>$/);
      const wrong = await rawS3(server, "POST", `/${bucket}?delete`, { body, headers: { "content-md5": createHash("md5").update("other").digest("base64") } });
      assert.equal(wrong.statusCode, 400);
      assert.match(wrong.text, /<Code>BadDigest<\/Code>/);
      const malformed = await rawS3(server, "POST", `/${bucket}?delete`, { body: "<Delete><Object>", headers: { "content-md5": createHash("md5").update("<Delete><Object>").digest("base64") } });
      assert.equal(malformed.statusCode, 400);
      assert.match(malformed.text, /<Code>MalformedXML<\/Code>/);
    });

    it("NoSuchBucket for a bucket that does not exist", async () => {
      await assert.rejects(client.send(new DeleteObjectsCommand({ Bucket: bucketName("gone"), Delete: { Objects: [{ Key: "a" }] } })), (error: Error) => {
        assert.equal(error.name, "NoSuchBucket");
        return true;
      });
    });
  });
});
