/**
 * The worked examples of the Amazon S3 API Reference ("Examples: Signature Calculations in AWS
 * Signature Version 4": GET Object with header auth, a presigned GET, and a chunked PUT Object),
 * an oracle written by AWS, independent of this code and of the SDKs, checked end to end through
 * authenticateS3 and payloadOf.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { authenticateS3, type S3AuthDeps } from "../../src/s3/auth/index.js";
import { ManualClock } from "../../src/util/clock.js";
import { readPayload } from "./auth-helpers.js";

const docKey = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const docPrincipal = { accountId: "111122223333", arn: "arn:aws:iam::111122223333:user/doc", accessKeyId: docKey.accessKeyId, policies: [] };
const docTimeMs = Date.UTC(2013, 4, 24, 0, 0, 0);

function docDeps(nowMs = docTimeMs): S3AuthDeps {
  return {
    region: "us-east-1",
    clock: new ManualClock(nowMs),
    auth: { mode: "sigv4", credentials: { lookup: async (id: string) => (id === docKey.accessKeyId ? { secretAccessKey: docKey.secretAccessKey, identity: docPrincipal } : undefined) } },
  };
}

describe("s3 auth > AWS's worked examples", () => {
  it("GET Object with the Authorization header", async () => {
    const auth = await authenticateS3(
      {
        method: "GET",
        path: "/test.txt",
        query: "",
        headers: {
          host: "examplebucket.s3.amazonaws.com",
          range: "bytes=0-9",
          "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
          "x-amz-date": "20130524T000000Z",
          authorization:
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        },
      },
      docDeps(),
    );
    assert.ok(auth.ok, auth.ok ? "" : `${auth.error.code}: ${auth.error.message}`);
    assert.equal(auth.principal, docPrincipal);
    assert.deepEqual(auth.payload, { kind: "sha256", expectedHex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" });
  });

  it("a presigned GET, valid for 86400 seconds and expired after", async () => {
    const head = {
      method: "GET",
      path: "/test.txt",
      query:
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
      headers: { host: "examplebucket.s3.amazonaws.com" },
    };
    const auth = await authenticateS3(head, docDeps(docTimeMs + 86_400_000));
    assert.ok(auth.ok, auth.ok ? "" : `${auth.error.code}: ${auth.error.message}`);
    assert.deepEqual(auth.payload, { kind: "unsigned" });
    const late = await authenticateS3(head, docDeps(docTimeMs + 86_401_000));
    assert.ok(!late.ok);
    assert.equal(late.error.code, "AccessDenied");
    assert.equal(late.error.message, "Request has expired");
    assert.equal(late.error.statusCode, 403);
    assert.deepEqual(late.error.fields, { "X-Amz-Expires": "86400", Expires: "2013-05-25T00:00:00Z", ServerTime: "2013-05-25T00:00:01Z" });
  });

  it("a chunked PUT Object (STREAMING-AWS4-HMAC-SHA256-PAYLOAD): 64 KiB + 1 KiB of 'a', every chunk signature checked", async () => {
    const signatures = [
      "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
    ];
    const sizes = [65536, 1024, 0];
    const body = Buffer.concat(sizes.map((size, index) => Buffer.concat([Buffer.from(`${size.toString(16)};chunk-signature=${signatures[index]}\r\n`), Buffer.alloc(size, "a"), Buffer.from("\r\n")])));
    assert.equal(body.length, 66824);
    const head = {
      method: "PUT",
      path: "/examplebucket/chunkObject.txt",
      query: "",
      headers: {
        host: "s3.amazonaws.com",
        "x-amz-date": "20130524T000000Z",
        "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "content-encoding": "aws-chunked",
        "x-amz-decoded-content-length": "66560",
        "content-length": "66824",
        authorization:
          "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
      },
    };
    const auth = await authenticateS3(head, docDeps());
    assert.ok(auth.ok, auth.ok ? "" : `${auth.error.code}: ${auth.error.message}`);
    assert.equal(auth.payload.kind, "streaming-signed");
    const read = await readPayload(head, [body], auth.payload);
    assert.ok(read.ok, read.ok ? "" : `${read.error.code}: ${read.error.message}`);
    assert.deepEqual(read.data, Buffer.alloc(66560, "a"));
    assert.equal(read.summary.sizeBytes, 66560);

    // The second chunk's data changed by one byte: its signature no longer holds.
    const tampered = Buffer.from(body);
    tampered[body.indexOf("\r\n400;") + 100] = "b".charCodeAt(0);
    const bad = await readPayload(head, [tampered], auth.payload);
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, "SignatureDoesNotMatch");
    assert.equal(bad.error.statusCode, 403);
    assert.equal(bad.error.fields.SignatureProvided, signatures[1]);
    assert.match(bad.error.fields.StringToSign!, /^AWS4-HMAC-SHA256-PAYLOAD\n20130524T000000Z\n20130524\/us-east-1\/s3\/aws4_request\nad80c730/);
    assert.equal(bad.error.fields.AWSAccessKeyId, docKey.accessKeyId);
    assert.match(bad.error.fields.CanonicalRequest!, /^PUT\n\/examplebucket\/chunkObject.txt\n/);
  });
});
