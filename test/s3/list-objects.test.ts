/**
 * ListObjects (v1) and ListObjectsV2 through @aws-sdk/client-s3 (default configuration, path
 * style) and raw HTTP for the exact XML: pagination with the SDK's paginator, delimiters and
 * common prefixes, start-after, markers, url encoding, fetch-owner and S3's argument errors.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, paginateListObjectsV2 } from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.js";
import { bucketName, rawS3, s3Client, startS3Server } from "./service-helpers.js";

const keys = ["a.txt", "dir/1", "dir/2", "dir/sub/3", "dir2/x", "e", "photos/2006/jan/a b+c.jpg", "photos/2007/c.jpg", "z"];

describe("ListObjects and ListObjectsV2", () => {
  let server: TestServer;
  let client: S3Client;
  const bucket = bucketName("list");

  before(async () => {
    server = await startS3Server();
    client = s3Client(server);
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `body of ${key}` }));
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("ListObjectsV2 lists every key with its size, ETag and storage class", async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    assert.deepEqual(listed.Contents?.map((object) => object.Key), keys);
    assert.equal(listed.KeyCount, keys.length);
    assert.equal(listed.MaxKeys, 1000);
    assert.equal(listed.IsTruncated, false);
    assert.equal(listed.NextContinuationToken, undefined);
    const first = listed.Contents![0]!;
    assert.equal(first.Size, Buffer.byteLength("body of a.txt"));
    assert.match(first.ETag!, /^"[0-9a-f]{32}"$/);
    assert.equal(first.StorageClass, "STANDARD");
    assert.ok(first.LastModified instanceof Date);
    assert.equal(first.Owner, undefined);
  });

  it("the paginator walks pages of max-keys with continuation tokens", async () => {
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client, pageSize: 2 }, { Bucket: bucket })) {
      pages++;
      seen.push(...(page.Contents ?? []).map((object) => object.Key!));
      assert.ok((page.KeyCount ?? 0) <= 2);
    }
    assert.deepEqual(seen, keys);
    assert.equal(pages, Math.ceil(keys.length / 2));
  });

  it("a delimiter rolls keys up into CommonPrefixes, counted in KeyCount and max-keys", async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
    assert.deepEqual(listed.Contents?.map((object) => object.Key), ["a.txt", "e", "z"]);
    assert.deepEqual(listed.CommonPrefixes?.map((prefix) => prefix.Prefix), ["dir/", "dir2/", "photos/"]);
    assert.equal(listed.KeyCount, 6);
    assert.equal(listed.Delimiter, "/");
    const paged: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: token }));
      paged.push(...(page.Contents ?? []).map((object) => object.Key!), ...(page.CommonPrefixes ?? []).map((prefix) => prefix.Prefix!));
      token = page.NextContinuationToken;
      assert.equal(page.IsTruncated, token !== undefined);
    } while (token !== undefined);
    assert.deepEqual(paged.sort(), ["a.txt", "dir/", "dir2/", "e", "photos/", "z"].sort());
  });

  it("prefix with delimiter lists one level", async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "dir/", Delimiter: "/" }));
    assert.deepEqual(listed.Contents?.map((object) => object.Key), ["dir/1", "dir/2"]);
    assert.deepEqual(listed.CommonPrefixes?.map((prefix) => prefix.Prefix), ["dir/sub/"]);
    assert.equal(listed.Prefix, "dir/");
  });

  it("start-after starts after the key and is echoed", async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: "dir2/x" }));
    assert.deepEqual(listed.Contents?.map((object) => object.Key), ["e", "photos/2006/jan/a b+c.jpg", "photos/2007/c.jpg", "z"]);
    assert.equal(listed.StartAfter, "dir2/x");
  });

  it("fetch-owner adds each object's Owner", async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, FetchOwner: true, MaxKeys: 1 }));
    assert.match(listed.Contents![0]!.Owner!.ID!, /^[0-9a-f]{64}$/);
  });

  it("ListObjects v1 pages by Marker; NextMarker only with a delimiter", async () => {
    const first = await client.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
    assert.equal(first.IsTruncated, true);
    assert.equal(first.NextMarker, undefined);
    assert.equal(first.Marker, "");
    assert.match(first.Contents![0]!.Owner!.ID!, /^[0-9a-f]{64}$/);
    const second = await client.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3, Marker: first.Contents![2]!.Key }));
    assert.deepEqual(second.Contents?.map((object) => object.Key), keys.slice(3, 6));
    const withDelimiter = await client.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 2 }));
    assert.deepEqual(withDelimiter.Contents?.map((object) => object.Key), ["a.txt"]);
    assert.deepEqual(withDelimiter.CommonPrefixes?.map((prefix) => prefix.Prefix), ["dir/"]);
    assert.equal(withDelimiter.NextMarker, "dir/");
    const next = await client.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, Marker: withDelimiter.NextMarker }));
    assert.deepEqual(next.CommonPrefixes?.map((prefix) => prefix.Prefix), ["dir2/"]);
    assert.deepEqual(next.Contents?.map((object) => object.Key), ["e"]);
  });

  it("answers S3's XML, elements in S3's order", async () => {
    const answer = await rawS3(server, "GET", `/${bucket}?list-type=2&prefix=dir&delimiter=/&max-keys=1`);
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.headers["content-type"], "application/xml");
    const token = /<NextContinuationToken>([^<]+)</.exec(answer.text)![1];
    assert.equal(
      answer.text,
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>${bucket}</Name><Prefix>dir</Prefix><NextContinuationToken>${token}</NextContinuationToken><KeyCount>1</KeyCount>` +
        "<MaxKeys>1</MaxKeys><Delimiter>/</Delimiter><IsTruncated>true</IsTruncated><CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes></ListBucketResult>",
    );
  });

  it("encoding-type=url encodes keys, prefixes and the delimiter as S3 does", async () => {
    const answer = await rawS3(server, "GET", `/${bucket}?list-type=2&prefix=photos/2006/&encoding-type=url`);
    assert.match(answer.text, /<Prefix>photos\/2006\/<\/Prefix>/);
    assert.match(answer.text, /<EncodingType>url<\/EncodingType>/);
    assert.match(answer.text, /<Key>photos\/2006\/jan\/a\+b%2Bc\.jpg<\/Key>/);
    // The SDK hands encoded keys back as they came (decoding is the caller's).
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "photos/2006/", EncodingType: "url" }));
    assert.equal(listed.EncodingType, "url");
    assert.deepEqual(listed.Contents?.map((object) => object.Key), ["photos/2006/jan/a+b%2Bc.jpg"]);
  });

  it("max-keys over 1000 is echoed and capped; S3's argument errors", async () => {
    const big = await rawS3(server, "GET", `/${bucket}?list-type=2&max-keys=5000`);
    assert.match(big.text, /<MaxKeys>5000<\/MaxKeys>/);
    const cases: [string, string, string][] = [
      ["max-keys=abc", "InvalidArgument", "Provided max-keys not an integer or within integer range"],
      ["max-keys=-1", "InvalidArgument", "Argument maxKeys must be an integer between 0 and 2147483647"],
      ["continuation-token=bm90LWEtdG9rZW4=", "InvalidArgument", "The continuation token provided is incorrect"],
      ["encoding-type=base64", "InvalidArgument", "Invalid Encoding Method specified in Request"],
      ["marker=a", "InvalidArgument", "Marker unsupported with REST.GET.BUCKET in list-type=2"],
    ];
    for (const [query, code, message] of cases) {
      const answer = await rawS3(server, "GET", `/${bucket}?list-type=2&${query}`);
      assert.equal(answer.statusCode, 400, query);
      assert.match(answer.text, new RegExp(`<Code>${code}</Code><Message>${message}</Message>`), query);
    }
    const v1 = await rawS3(server, "GET", `/${bucket}?start-after=a`);
    assert.match(v1.text, /<Message>startAfter only supported in REST.GET.BUCKET with list-type=2<\/Message>/);
  });

  it("NoSuchBucket for a bucket that does not exist", async () => {
    await assert.rejects(client.send(new ListObjectsV2Command({ Bucket: bucketName("missing") })), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(error.name, "NoSuchBucket");
      assert.equal(error.$metadata?.httpStatusCode, 404);
      return true;
    });
  });
});
