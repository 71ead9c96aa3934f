import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CreateBucketCommand, DeleteBucketCommand, GetBucketLocationCommand, HeadBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import type { TestServer } from "../helpers/server.js";
import { bucketName, elementText, rawS3, s3Client, startS3Server, rejection } from "./service-helpers.js";

describe("S3 service > buckets", () => {
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

  it("CreateBucket, HeadBucket, GetBucketLocation, ListBuckets and DeleteBucket round-trip", async () => {
    const name = bucketName();
    const created = await client.send(new CreateBucketCommand({ Bucket: name }));
    assert.equal(created.Location, `/${name}`);
    const head = await client.send(new HeadBucketCommand({ Bucket: name }));
    assert.equal(head.BucketRegion, "us-east-1");
    const location = await client.send(new GetBucketLocationCommand({ Bucket: name }));
    // S3 answers an empty LocationConstraint for us-east-1.
    assert.equal(location.LocationConstraint, undefined);
    const listed = await client.send(new ListBucketsCommand({}));
    const entry = listed.Buckets?.find((bucket) => bucket.Name === name);
    assert.ok(entry?.CreationDate instanceof Date);
    assert.match(listed.Owner?.ID ?? "", /^[0-9a-f]{64}$/);
    await client.send(new DeleteBucketCommand({ Bucket: name }));
    const gone = await rejection(client.send(new HeadBucketCommand({ Bucket: name })));
    assert.equal(gone.$metadata.httpStatusCode, 404);
  });

  it("GetBucketLocation's raw answer: an empty element with S3's namespace", async () => {
    const name = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: name }));
    const answer = await rawS3(server, "GET", `/${name}?location`);
    assert.equal(answer.statusCode, 200);
    assert.equal(answer.text, '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>');
    assert.equal(answer.headers["content-type"], "application/xml");
  });

  it("creating an own bucket again in us-east-1 answers 200, as S3 does there for legacy compatibility", async () => {
    const name = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: name }));
    const again = await client.send(new CreateBucketCommand({ Bucket: name }));
    assert.equal(again.$metadata.httpStatusCode, 200);
  });

  it("errors > invalid names are InvalidBucketName (400) with BucketName", async () => {
    for (const name of ["ab", "UpperCase", "has_underscore", "-leading", "trailing-", "two..dots", "192.168.5.4", "xn--prefix", "x".repeat(64), "name-s3alias"]) {
      const answer = await rawS3(server, "PUT", `/${name}`);
      assert.equal(answer.statusCode, 400, name);
      assert.equal(elementText(answer.text, "Code"), "InvalidBucketName", name);
      assert.equal(elementText(answer.text, "BucketName"), name, name);
    }
  });

  it("errors > a LocationConstraint other than the server's region is IllegalLocationConstraintException; us-east-1 by name is InvalidLocationConstraint", async () => {
    const other = await rejection(client.send(new CreateBucketCommand({ Bucket: bucketName(), CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })));
    assert.equal(other.name, "IllegalLocationConstraintException");
    assert.equal(other.message, "The eu-west-1 location constraint is incompatible for the region specific endpoint this request was sent to.");
    const body = '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>';
    const named = await rawS3(server, "PUT", `/${bucketName()}`, { body });
    assert.equal(named.statusCode, 400);
    assert.equal(elementText(named.text, "Code"), "InvalidLocationConstraint");
    const malformed = await rawS3(server, "PUT", `/${bucketName()}`, { body: "<CreateBucketConfiguration><Location" });
    assert.equal(malformed.statusCode, 400);
    assert.equal(elementText(malformed.text, "Code"), "MalformedXML");
  });

  it("errors > a DOCTYPE (an entity expansion) in a body is MalformedXML", async () => {
    const body = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><CreateBucketConfiguration><LocationConstraint>&b;</LocationConstraint></CreateBucketConfiguration>';
    const answer = await rawS3(server, "PUT", `/${bucketName()}`, { body });
    assert.equal(elementText(answer.text, "Code"), "MalformedXML");
  });

  it("errors > DeleteBucket of a bucket holding an object is BucketNotEmpty (409)", async () => {
    const name = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: name }));
    await client.send(new PutObjectCommand({ Bucket: name, Key: "k", Body: "x" }));
    const error = await rejection(client.send(new DeleteBucketCommand({ Bucket: name })));
    assert.equal(error.name, "BucketNotEmpty");
    assert.equal(error.$metadata.httpStatusCode, 409);
  });

  it("errors > NoSuchBucket's exact XML: Code, Message, BucketName, RequestId, HostId; the ids also as headers", async () => {
    const name = bucketName("missing");
    const answer = await rawS3(server, "DELETE", `/${name}`);
    assert.equal(answer.statusCode, 404);
    assert.equal(answer.headers["content-type"], "application/xml");
    const requestId = answer.headers["x-amz-request-id"];
    const hostId = answer.headers["x-amz-id-2"];
    assert.match(String(requestId), /^[0-9A-F]{16}$/);
    assert.match(String(hostId), /^[A-Za-z0-9+/]+=*$/);
    assert.equal(
      answer.text,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>${name}</BucketName><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`,
    );
  });

  it("errors > HeadBucket of a missing bucket is a 404 with no body", async () => {
    const answer = await rawS3(server, "HEAD", `/${bucketName("missing")}`);
    assert.equal(answer.statusCode, 404);
    assert.equal(answer.body.length, 0);
    assert.ok(answer.headers["x-amz-request-id"]);
  });

  it("errors > an unsupported subresource is 501 NotImplemented; an unknown method MethodNotAllowed (405)", async () => {
    const name = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: name }));
    const versioning = await rawS3(server, "GET", `/${name}?versioning`);
    assert.equal(versioning.statusCode, 501);
    assert.equal(elementText(versioning.text, "Code"), "NotImplemented");
    const patch = await rawS3(server, "PATCH", `/${name}/key`);
    assert.equal(patch.statusCode, 405);
    assert.equal(elementText(patch.text, "Code"), "MethodNotAllowed");
    assert.equal(elementText(patch.text, "Method"), "PATCH");
    assert.equal(elementText(patch.text, "ResourceType"), "OBJECT");
  });
});

describe("S3 service > buckets > in another region (eu-west-1)", () => {
  let server: TestServer;
  let client: S3Client;
  before(async () => {
    server = await startS3Server({ streams: { region: "eu-west-1" } });
    client = s3Client(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("CreateBucket takes the region's LocationConstraint; GetBucketLocation and HeadBucket name it", async () => {
    const name = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    assert.equal((await client.send(new GetBucketLocationCommand({ Bucket: name }))).LocationConstraint, "eu-west-1");
    assert.equal((await client.send(new HeadBucketCommand({ Bucket: name }))).BucketRegion, "eu-west-1");
  });

  it("errors > creating an own bucket again is BucketAlreadyOwnedByYou (409) outside us-east-1", async () => {
    const name = bucketName();
    await client.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    const error = await rejection(client.send(new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })));
    assert.equal(error.name, "BucketAlreadyOwnedByYou");
    assert.equal(error.$metadata.httpStatusCode, 409);
    assert.equal(error.message, "Your previous request to create the named bucket succeeded and you already own it.");
  });

  it("errors > no LocationConstraint (us-east-1) at a eu-west-1 endpoint is IllegalLocationConstraintException", async () => {
    const answer = await rawS3(server, "PUT", `/${bucketName()}`);
    assert.equal(answer.statusCode, 400);
    assert.equal(elementText(answer.text, "Code"), "IllegalLocationConstraintException");
    assert.equal(elementText(answer.text, "Message"), "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.");
  });
});
