import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectTaggingCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutObjectCommand,
  PutObjectTaggingCommand, S3Client,
} from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.js";
import { bucketName, elementText, rawS3, s3Client, startS3Server, rejection } from "./service-helpers.js";

describe("S3 service > CopyObject", () => {
  let server: TestServer;
  let client: S3Client;
  let bucket: string;
  let other: string;
  before(async () => {
    server = await startS3Server();
    client = s3Client(server);
    bucket = bucketName();
    other = bucketName("other");
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new CreateBucketCommand({ Bucket: other }));
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("copies bytes, ETag, headers, metadata and tags (directive COPY) across buckets, keys with odd characters included", async () => {
    const put = await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: "src dir/ünï+code.txt", Body: "copied bytes", ContentType: "text/plain", Metadata: { a: "1" }, Tagging: "t=1&u=2" }),
    );
    const copied = await client.send(new CopyObjectCommand({ Bucket: other, Key: "dst/copy.txt", CopySource: `${bucket}/${encodeURIComponent("src dir/ünï+code.txt")}` }));
    assert.equal(copied.CopyObjectResult?.ETag, put.ETag);
    assert.ok(copied.CopyObjectResult?.LastModified instanceof Date);
    const got = await client.send(new GetObjectCommand({ Bucket: other, Key: "dst/copy.txt" }));
    assert.equal(await got.Body!.transformToString(), "copied bytes");
    assert.equal(got.ContentType, "text/plain");
    assert.deepEqual(got.Metadata, { a: "1" });
    assert.equal(got.TagCount, 2);
  });

  it("REPLACE takes the request's headers and metadata; x-amz-tagging-directive REPLACE the request's tags", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "meta", Body: "m", ContentType: "text/plain", Metadata: { old: "yes" }, Tagging: "a=b" }));
    await client.send(
      new CopyObjectCommand({ Bucket: bucket, Key: "meta-copy", CopySource: `${bucket}/meta`, MetadataDirective: "REPLACE", ContentType: "application/json", Metadata: { fresh: "yes" }, TaggingDirective: "REPLACE", Tagging: "c=d&e=f" }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "meta-copy" }));
    assert.equal(head.ContentType, "application/json");
    assert.deepEqual(head.Metadata, { fresh: "yes" });
    const tags = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "meta-copy" }));
    assert.deepEqual(tags.TagSet, [{ Key: "c", Value: "d" }, { Key: "e", Value: "f" }]);
  });

  it("copying an object onto itself: InvalidRequest without REPLACE, allowed with it", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "self", Body: "s" }));
    const error = await rejection(client.send(new CopyObjectCommand({ Bucket: bucket, Key: "self", CopySource: `${bucket}/self` })));
    assert.equal(error.name, "InvalidRequest");
    assert.match(error.message, /copy an object to itself without changing the object's metadata/);
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: "self", CopySource: `${bucket}/self`, MetadataDirective: "REPLACE", Metadata: { touched: "1" } }));
    assert.deepEqual((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "self" }))).Metadata, { touched: "1" });
  });

  it("a copy outlives its source: the source deleted, the copy's bytes remain", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "ephemeral", Body: "still here" }));
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: "survivor", CopySource: `/${bucket}/ephemeral` }));
    await rawS3(server, "DELETE", `/${bucket}/ephemeral`);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "survivor" }));
    assert.equal(await got.Body!.transformToString(), "still here");
  });

  it("copy-source conditions fail with 412 naming the x-amz-copy-source header", async () => {
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "guarded", Body: "g" }));
    const error = await rejection(client.send(new CopyObjectCommand({ Bucket: bucket, Key: "g2", CopySource: `${bucket}/guarded`, CopySourceIfMatch: '"nope"' })));
    assert.equal(error.name, "PreconditionFailed");
    assert.equal(error.$metadata.httpStatusCode, 412);
    const noneMatch = await rawS3(server, "PUT", `/${bucket}/g2`, { headers: { "x-amz-copy-source": `/${bucket}/guarded`, "x-amz-copy-source-if-none-match": put.ETag! }, body: "" });
    assert.equal(noneMatch.statusCode, 412);
    assert.equal(elementText(noneMatch.text, "Condition"), "x-amz-copy-source-If-None-Match");
    await client.send(new CopyObjectCommand({ Bucket: bucket, Key: "g3", CopySource: `${bucket}/guarded`, CopySourceIfMatch: put.ETag }));
  });

  it("errors > a missing source is NoSuchKey / NoSuchBucket; a copy source without a key is InvalidArgument", async () => {
    const key = await rejection(client.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucket}/absent` })));
    assert.equal(key.name, "NoSuchKey");
    const missingBucket = await rejection(client.send(new CopyObjectCommand({ Bucket: bucket, Key: "x", CopySource: `${bucketName("missing")}/k` })));
    assert.equal(missingBucket.name, "NoSuchBucket");
    const malformed = await rawS3(server, "PUT", `/${bucket}/x`, { headers: { "x-amz-copy-source": bucket }, body: "" });
    assert.equal(malformed.statusCode, 400);
    assert.equal(elementText(malformed.text, "Code"), "InvalidArgument");
    assert.equal(elementText(malformed.text, "ArgumentName"), "x-amz-copy-source");
    const directive = await rawS3(server, "PUT", `/${bucket}/x`, { headers: { "x-amz-copy-source": `${bucket}/guarded`, "x-amz-metadata-directive": "MERGE" }, body: "" });
    assert.equal(elementText(directive.text, "Code"), "InvalidArgument");
  });

  it("CopyObjectResult's raw XML: S3's namespace, ETag and LastModified with milliseconds", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "rawsrc", Body: "r" }));
    const answer = await rawS3(server, "PUT", `/${bucket}/rawdst`, { headers: { "x-amz-copy-source": `/${bucket}/rawsrc` }, body: "" });
    assert.equal(answer.statusCode, 200);
    assert.match(answer.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<CopyObjectResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><ETag>&quot;[0-9a-f]{32}&quot;<\/ETag><LastModified>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/LastModified>/);
  });
});

describe("S3 service > object tagging", () => {
  let server: TestServer;
  let client: S3Client;
  let bucket: string;
  before(async () => {
    server = await startS3Server();
    client = s3Client(server);
    bucket = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("x-amz-tagging on PUT, GetObjectTagging, PutObjectTagging, DeleteObjectTagging, x-amz-tagging-count", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "tagged", Body: "t", Tagging: "project=tributary&empty=" }));
    const first = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }));
    assert.deepEqual(first.TagSet, [{ Key: "project", Value: "tributary" }, { Key: "empty", Value: "" }]);
    const before = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "tagged" }));
    assert.equal(before.TagCount, 2);
    await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: [{ Key: "a b+c", Value: "x=y/z@w:1.0_-" }] } }));
    const second = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }));
    assert.deepEqual(second.TagSet, [{ Key: "a b+c", Value: "x=y/z@w:1.0_-" }]);
    // Tagging leaves the object's bytes, ETag and Last-Modified as they were.
    const after = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "tagged" }));
    assert.equal(after.ETag, before.ETag);
    assert.equal(after.LastModified?.getTime(), before.LastModified?.getTime());
    const deleted = await client.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    assert.deepEqual((await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }))).TagSet ?? [], []);
    assert.equal((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "tagged" }))).TagCount, undefined);
  });

  it("GetObjectTagging's raw answer for an untagged object: an empty TagSet", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "plain", Body: "p" }));
    const answer = await rawS3(server, "GET", `/${bucket}/plain?tagging`);
    assert.equal(answer.text, '<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet></TagSet></Tagging>');
  });

  it("limits > 10 tags pass; 11 are BadRequest (400) on PUT and on PutObjectTagging", async () => {
    const ten = Array.from({ length: 10 }, (_, index) => ({ Key: `k${index}`, Value: `v${index}` }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "ten", Body: "x", Tagging: ten.map((tag) => `${tag.Key}=${tag.Value}`).join("&") }));
    const eleven = [...ten, { Key: "k10", Value: "v10" }];
    const onPut = await rejection(client.send(new PutObjectCommand({ Bucket: bucket, Key: "eleven", Body: "x", Tagging: eleven.map((tag) => `${tag.Key}=${tag.Value}`).join("&") })));
    assert.equal(onPut.name, "BadRequest");
    assert.equal(onPut.message, "Object tags cannot be greater than 10");
    assert.equal(onPut.$metadata.httpStatusCode, 400);
    const onTagging = await rejection(client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "ten", Tagging: { TagSet: eleven } })));
    assert.equal(onTagging.name, "BadRequest");
  });

  it("limits > a key of 128 characters and a value of 256 pass; one more is InvalidTag; a repeated key is InvalidTag", async () => {
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "limits", Body: "x" }));
    await client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "limits", Tagging: { TagSet: [{ Key: "k".repeat(128), Value: "v".repeat(256) }] } }));
    const longKey = await rejection(client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "limits", Tagging: { TagSet: [{ Key: "k".repeat(129), Value: "v" }] } })));
    assert.equal(longKey.name, "InvalidTag");
    assert.equal(longKey.message, "The TagKey you have provided is too long, max 128");
    const longValue = await rejection(client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "limits", Tagging: { TagSet: [{ Key: "k", Value: "v".repeat(257) }] } })));
    assert.equal(longValue.name, "InvalidTag");
    assert.equal(longValue.message, "The TagValue you have provided is too long, max 256");
    const repeated = await rejection(client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "limits", Tagging: { TagSet: [{ Key: "k", Value: "1" }, { Key: "k", Value: "2" }] } })));
    assert.equal(repeated.name, "InvalidTag");
    const onPut = await rejection(client.send(new PutObjectCommand({ Bucket: bucket, Key: "long", Body: "x", Tagging: `${"k".repeat(129)}=v` })));
    assert.equal(onPut.name, "InvalidTag");
  });

  it("errors > tagging a missing key is NoSuchKey; a malformed Tagging body is MalformedXML", async () => {
    const missing = await rejection(client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "absent" })));
    assert.equal(missing.name, "NoSuchKey");
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "malformed", Body: "x" }));
    const answer = await rawS3(server, "PUT", `/${bucket}/malformed?tagging`, { body: "<Tagging><TagSet><Tag><Key>k</Key>" });
    assert.equal(answer.statusCode, 400);
    assert.equal(elementText(answer.text, "Code"), "MalformedXML");
  });
});

describe("S3 service > object tagging > characters", () => {
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

  it("a tag with a character outside S3's set (letters, digits, spaces, + - = . _ : / @) is InvalidTag", async () => {
    const bucket = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const error = await rejection(client.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "k", Tagging: { TagSet: [{ Key: "a&b", Value: "v" }] } })));
    assert.equal(error.name, "InvalidTag");
    assert.equal(error.message, "The TagKey you have provided is invalid");
  });
});
