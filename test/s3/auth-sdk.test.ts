/**
 * S3 authentication against what @aws-sdk/client-s3 really sends (its default configuration:
 * CRC32 checksums, aws-chunked unsigned trailers for streams), captured raw and replayed through
 * authenticateS3 and payloadOf; presigned URLs from @aws-sdk/s3-request-presigner; then each part
 * of a signed request tampered with, checking S3's exact error for it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, PutObjectTaggingCommand, S3Client, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { anonymousPrincipal } from "../../src/auth/principal.js";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import { authenticateS3, spacedHexBytes, type S3AuthDeps } from "../../src/s3/auth/index.js";
import { ManualClock } from "../../src/util/clock.js";
import {
  alice, captureSdkRequests, headOf, noneDeps, readPayload, region, replay, sha256Hex, sigv4Deps, testKey, type CapturedRequest,
} from "./auth-helpers.js";

const keys = ["plain.txt", "a b/c~d+e=f&g.txt", "ünïcödé/日本語 ☃", "!'()*[]{}$@,;:", "a/./b/../c//d", "%41%2F"];

function withHeaders(request: CapturedRequest, change: (headers: Record<string, string | string[] | undefined>) => void): CapturedRequest {
  const headers = { ...request.head.headers };
  change(headers);
  return { ...request, head: { ...request.head, headers } };
}

function withHead(request: CapturedRequest, head: Partial<RequestHead>): CapturedRequest {
  return { ...request, head: { ...request.head, ...head } };
}

async function expectError(request: CapturedRequest, code: string, statusCode: number, message?: string, deps?: S3AuthDeps) {
  const outcome = await replay(request, deps);
  assert.ok(!outcome.ok, `expected ${code}, got success`);
  assert.equal(outcome.error.code, code, outcome.error.message);
  assert.equal(outcome.error.statusCode, statusCode);
  if (message !== undefined) assert.equal(outcome.error.message, message);
  return outcome.error;
}

const signatureMismatchMessage = "The request signature we calculated does not match the signature you provided. Check your key and signing method.";

describe("s3 auth > requests as @aws-sdk/client-s3 sends them", () => {
  let requests: CapturedRequest[] = [];
  const streamed = Buffer.concat([Buffer.alloc(70_000, 1), Buffer.alloc(9_000, 2), Buffer.alloc(100, 3)]);

  before(async () => {
    requests = await captureSdkRequests(async (client) => {
      for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: "bucket", Key, Body: Buffer.from(`body of ${Key}`) }));
      await client.send(new PutObjectCommand({ Bucket: "bucket", Key: "streamed", Body: Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000, 79_000), streamed.subarray(79_000)]), ContentLength: streamed.length }));
      await client.send(new UploadPartCommand({ Bucket: "bucket", Key: "k", UploadId: "u+/=", PartNumber: 3, Body: Buffer.from("part") }));
      await client.send(new DeleteObjectsCommand({ Bucket: "bucket", Delete: { Objects: [{ Key: "x" }, { Key: "y z" }] } }));
      await client.send(new GetObjectCommand({ Bucket: "bucket", Key: "a b", Range: "bytes=0-9", ResponseContentType: "text/plain; charset=utf-8" })).catch(() => undefined);
      await client.send(new HeadObjectCommand({ Bucket: "bucket", Key: "a b" })).catch(() => undefined);
      await client.send(new ListObjectsV2Command({ Bucket: "bucket", Prefix: "a b/ü", Delimiter: "/", StartAfter: "a+b", ContinuationToken: "tok+/=en", MaxKeys: 5 })).catch(() => undefined);
      await client.send(new CreateMultipartUploadCommand({ Bucket: "bucket", Key: "mp", ChecksumAlgorithm: "CRC32" })).catch(() => undefined);
      await client.send(new CompleteMultipartUploadCommand({ Bucket: "bucket", Key: "mp", UploadId: "u", MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"e"' }] } })).catch(() => undefined);
      await client.send(new PutObjectTaggingCommand({ Bucket: "bucket", Key: "a b", Tagging: { TagSet: [{ Key: "k", Value: "v w" }] } })).catch(() => undefined);
      await client.send(new CopyObjectCommand({ Bucket: "bucket", Key: "copy", CopySource: "bucket/a b+c", MetadataDirective: "REPLACE", Metadata: { note: "hi there" } })).catch(() => undefined);
    });
  });

  it("every request authenticates as the key's principal, and every body reads back as sent", async () => {
    assert.ok(requests.length >= keys.length + 10, `${requests.length} requests captured`);
    for (const request of requests) {
      const outcome = await replay(request);
      const name = `${request.head.method} ${request.head.path}?${request.head.query}`;
      assert.ok(outcome.ok, `${name}: ${outcome.ok ? "" : `${outcome.error.code} ${outcome.error.message}`}`);
      const auth = await authenticateS3(request.head, sigv4Deps(request.receivedMs));
      assert.ok(auth.ok && auth.principal === alice, name);
    }
  });

  it("keys of any characters are signed over the path as sent, which S3 does not normalise", async () => {
    for (const key of keys) {
      const request = requests.find((candidate) => candidate.body.toString() === `body of ${key}`);
      assert.ok(request, key);
      const outcome = await replay(request);
      assert.ok(outcome.ok, key);
      assert.equal(outcome.data.toString(), `body of ${key}`);
      assert.equal(outcome.payload?.kind, "sha256", "over plain HTTP the SDK signs the body's SHA-256");
    }
  });

  it("a streamed body comes as aws-chunked with an unsigned CRC32 trailer, decoded and checked", async () => {
    const request = requests.find((candidate) => candidate.head.path === "/bucket/streamed")!;
    assert.equal(request.head.headers["x-amz-content-sha256"], "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
    assert.equal(request.head.headers["x-amz-trailer"], "x-amz-checksum-crc32");
    const outcome = await replay(request);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.data, streamed);
    assert.equal(outcome.summary.sizeBytes, streamed.length);
    assert.match(outcome.summary.checksums.CRC32!, /^[A-Za-z0-9+/]{6}==$/);
  });

  describe("tampered", () => {
    let put: CapturedRequest;
    before(() => {
      put = requests.find((candidate) => candidate.head.path === "/bucket/plain.txt")!;
    });

    it("a signed header changed: SignatureDoesNotMatch with every element S3 sends", async () => {
      const error = await expectError(withHeaders(put, (headers) => (headers["content-type"] = "text/plain")), "SignatureDoesNotMatch", 403, signatureMismatchMessage);
      assert.deepEqual(Object.keys(error.fields), ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"]);
      assert.equal(error.fields.AWSAccessKeyId, testKey.accessKeyId);
      assert.match(error.fields.StringToSign!, /^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
      assert.equal(error.fields.SignatureProvided, /Signature=([0-9a-f]{64})/.exec(put.head.headers.authorization as string)![1]);
      assert.equal(error.fields.StringToSignBytes, spacedHexBytes(error.fields.StringToSign!));
      assert.match(error.fields.StringToSignBytes!, /^41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a /);
      assert.match(error.fields.CanonicalRequest!, /^PUT\n\/bucket\/plain\.txt\nx-id=PutObject\n.*content-type:text\/plain\n/s);
      assert.equal(error.fields.CanonicalRequestBytes, spacedHexBytes(error.fields.CanonicalRequest!));
    });

    it("the method, the path or the query changed: SignatureDoesNotMatch", async () => {
      await expectError(withHead(put, { method: "POST" }), "SignatureDoesNotMatch", 403);
      await expectError(withHead(put, { path: "/bucket/other.txt" }), "SignatureDoesNotMatch", 403);
      await expectError(withHead(put, { query: "x-id=PutObject&acl=" }), "SignatureDoesNotMatch", 403);
    });

    it("a secret that does not match: SignatureDoesNotMatch", async () => {
      const deps: S3AuthDeps = {
        ...sigv4Deps(put.receivedMs),
        auth: { mode: "sigv4", credentials: { lookup: async () => ({ secretAccessKey: "not the secret", identity: alice }) } },
      };
      await expectError(put, "SignatureDoesNotMatch", 403, signatureMismatchMessage, deps);
    });

    it("the body changed: XAmzContentSHA256Mismatch naming both hashes", async () => {
      const body = Buffer.from(put.body);
      body[0] = body[0]! ^ 1;
      const error = await expectError({ ...put, body }, "XAmzContentSHA256Mismatch", 400, "The provided 'x-amz-content-sha256' header does not match what was computed.");
      assert.deepEqual(error.fields, { ClientComputedContentSHA256: put.head.headers["x-amz-content-sha256"], S3ComputedContentSHA256: sha256Hex(body) });
    });

    it("a body shorter than its Content-Length: IncompleteBody with both counts", async () => {
      const error = await expectError({ ...put, body: put.body.subarray(0, 3) }, "IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header");
      assert.deepEqual(error.fields, { NumberBytesExpected: String(put.body.length), NumberBytesProvided: "3" });
    });

    it("an access key the server does not know: InvalidAccessKeyId", async () => {
      const request = withHeaders(put, (headers) => (headers.authorization = (headers.authorization as string).replace(testKey.accessKeyId, "AKIDUNKNOWN")));
      const error = await expectError(request, "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.");
      assert.deepEqual(error.fields, { AWSAccessKeyId: "AKIDUNKNOWN" });
    });

    it("another region, service or terminator in the scope: AuthorizationHeaderMalformed", async () => {
      const scoped = (from: string, to: string) => withHeaders(put, (headers) => (headers.authorization = (headers.authorization as string).replace(from, to)));
      const regionError = await expectError(scoped("/us-east-1/", "/eu-west-1/"), "AuthorizationHeaderMalformed", 400, "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
      assert.deepEqual(regionError.fields, { Region: region });
      await expectError(scoped("/s3/", "/kinesis/"), "AuthorizationHeaderMalformed", 400, 'The authorization header is malformed; incorrect service "kinesis". This endpoint belongs to "s3".');
      await expectError(scoped("/aws4_request", "/aws5_request"), "AuthorizationHeaderMalformed", 400, 'The authorization header is malformed; incorrect terminal "aws5_request". This endpoint uses "aws4_request".');
      const date = (put.head.headers["x-amz-date"] as string).slice(0, 8);
      await expectError(scoped(`/${date}/`, "/20200101/"), "AuthorizationHeaderMalformed", 400, `Invalid credential date "20200101". This date is not the same as X-Amz-Date: "${date}".`);
    });

    it("a signing time more than 15 minutes from the server's: RequestTimeTooSkewed", async () => {
      const ok = await replay(put, sigv4Deps(put.receivedMs + 14 * 60_000));
      assert.ok(ok.ok);
      const nowMs = put.receivedMs - 16 * 60_000;
      const error = await expectError(put, "RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.", sigv4Deps(nowMs));
      assert.deepEqual(error.fields, {
        RequestTime: put.head.headers["x-amz-date"],
        ServerTime: new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace(".000Z", "Z"),
        MaxAllowedSkewMilliseconds: "900000",
      });
    });

    it("no signature at all: AccessDenied", async () => {
      await expectError(withHeaders(put, (headers) => delete headers.authorization), "AccessDenied", 403, "Access Denied");
    });

    it("a malformed or unsupported Authorization header", async () => {
      const authorization = put.head.headers.authorization as string;
      await expectError(withHeaders(put, (headers) => (headers.authorization = "AWS AKIDEXAMPLE:c2lnbmF0dXJl")), "InvalidRequest", 400, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
      await expectError(
        withHeaders(put, (headers) => (headers.authorization = authorization.replace(/, Signature=[0-9a-f]+/, ""))),
        "AuthorizationHeaderMalformed",
        400,
        "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.",
      );
      await expectError(
        withHeaders(put, (headers) => (headers.authorization = authorization.replace("/aws4_request", ""))),
        "AuthorizationHeaderMalformed",
        400,
        'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      );
      const both = withHead(put, { query: put.head.query + "&X-Amz-Algorithm=AWS4-HMAC-SHA256" });
      const error = await expectError(both, "InvalidArgument", 400);
      assert.deepEqual(error.fields, { ArgumentName: "Authorization" });
      await expectError(withHeaders(put, (headers) => delete headers["x-amz-date"]), "AccessDenied", 403, "AWS authentication requires a valid Date or x-amz-date header");
    });

    it("x-amz-content-sha256 missing or not a hash S3 knows", async () => {
      await expectError(withHeaders(put, (headers) => delete headers["x-amz-content-sha256"]), "InvalidRequest", 400, "Missing required header for this request: x-amz-content-sha256");
      const error = await expectError(withHeaders(put, (headers) => (headers["x-amz-content-sha256"] = "invalid")), "InvalidArgument", 400);
      assert.match(error.message, /^x-amz-content-sha256 must be UNSIGNED-PAYLOAD, .* or a valid sha256 value\.$/);
      assert.deepEqual(error.fields, { ArgumentName: "x-amz-content-sha256", ArgumentValue: "invalid" });
      const sigv4a = await expectError(
        withHeaders(put, (headers) => (headers["x-amz-content-sha256"] = "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")),
        "NotImplemented",
        501,
        "A header you provided implies functionality that is not implemented",
      );
      assert.deepEqual(sigv4a.fields, { Header: "x-amz-content-sha256" });
    });

    it("an x-amz-* header added after signing: AccessDenied naming it", async () => {
      const error = await expectError(withHeaders(put, (headers) => (headers["x-amz-meta-extra"] = "1")), "AccessDenied", 403, "There were headers present in the request which were not signed");
      assert.deepEqual(error.fields, { HeadersNotSigned: "x-amz-meta-extra" });
    });
  });
});

describe("s3 auth > session tokens", () => {
  const token = "FwoGZXIvYXdzEXAMPLETOKEN+/=";
  const deps = (nowMs: number, sessionToken?: string): S3AuthDeps => ({
    region,
    clock: new ManualClock(nowMs),
    auth: { mode: "sigv4", credentials: { lookup: async (id: string) => (id === testKey.accessKeyId ? { secretAccessKey: testKey.secretAccessKey, identity: alice, ...(sessionToken !== undefined && { sessionToken }) } : undefined) } },
  });

  it("a key with a token needs that token; a wrong one is InvalidToken, none is InvalidAccessKeyId", async () => {
    const [withToken] = await captureSdkRequests((client) => client.send(new GetObjectCommand({ Bucket: "b", Key: "k" })).catch(() => undefined), { credentials: { ...testKey, sessionToken: token } });
    const [without] = await captureSdkRequests((client) => client.send(new GetObjectCommand({ Bucket: "b", Key: "k" })).catch(() => undefined));
    assert.ok((await replay(withToken!, deps(withToken!.receivedMs, token))).ok);
    await expectError(withToken!, "InvalidToken", 400, "The provided token is malformed or otherwise invalid.", deps(withToken!.receivedMs, "another token"));
    await expectError(withToken!, "InvalidToken", 400, undefined, deps(withToken!.receivedMs));
    await expectError(without!, "InvalidAccessKeyId", 403, undefined, deps(without!.receivedMs, token));
  });
});

describe("s3 auth > presigned URLs (@aws-sdk/s3-request-presigner)", () => {
  const client = new S3Client({ endpoint: "http://127.0.0.1:4567", region, forcePathStyle: true, credentials: testKey });
  after(() => client.destroy());

  async function presigned(command: GetObjectCommand | PutObjectCommand, expiresIn: number): Promise<{ head: RequestHead; signedMs: number }> {
    const signedMs = Date.now();
    const url = new URL(await getSignedUrl(client, command, { expiresIn }));
    return { head: headOf(command instanceof PutObjectCommand ? "PUT" : "GET", url.pathname + url.search, { host: url.host }), signedMs };
  }

  it("a presigned GET and PUT authenticate, with an unsigned payload", async () => {
    const get = await presigned(new GetObjectCommand({ Bucket: "bucket", Key: "a b/ü+c.txt" }), 3600);
    const auth = await authenticateS3(get.head, sigv4Deps(get.signedMs));
    assert.ok(auth.ok, auth.ok ? "" : `${auth.error.code} ${auth.error.message}`);
    assert.deepEqual(auth.payload, { kind: "unsigned" });
    const put = await presigned(new PutObjectCommand({ Bucket: "bucket", Key: "up load.bin" }), 600);
    const putAuth = await authenticateS3(put.head, sigv4Deps(put.signedMs));
    assert.ok(putAuth.ok, putAuth.ok ? "" : `${putAuth.error.code} ${putAuth.error.message}`);
    const body = Buffer.from("uploaded with curl");
    const read = await readPayload({ ...put.head, headers: { ...put.head.headers, "content-length": String(body.length) } }, [body], putAuth.payload);
    assert.ok(read.ok);
    assert.deepEqual(read.data, body);
  });

  it("expired, not yet valid, over a week, incomplete or tampered URLs get S3's errors", async () => {
    const get = await presigned(new GetObjectCommand({ Bucket: "bucket", Key: "k" }), 60);
    const fail = async (head: RequestHead, nowMs: number) => {
      const auth = await authenticateS3(head, sigv4Deps(nowMs));
      assert.ok(!auth.ok);
      return auth.error;
    };
    const expired = await fail(get.head, get.signedMs + 62_000);
    assert.equal(expired.code, "AccessDenied");
    assert.equal(expired.message, "Request has expired");
    assert.deepEqual(Object.keys(expired.fields), ["X-Amz-Expires", "Expires", "ServerTime"]);
    assert.equal(expired.fields["X-Amz-Expires"], "60");
    const early = await fail(get.head, get.signedMs - 16 * 60_000);
    assert.equal(early.code, "AccessDenied");
    assert.equal(early.message, "Request is not valid yet");
    const week = await fail({ ...get.head, query: get.head.query.replace("X-Amz-Expires=60", "X-Amz-Expires=604801") }, get.signedMs);
    assert.equal(week.code, "AuthorizationQueryParametersError");
    assert.equal(week.message, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds");
    const missing = await fail({ ...get.head, query: get.head.query.replace(/&?X-Amz-Signature=[0-9a-f]+/, "") }, get.signedMs);
    assert.equal(missing.code, "AuthorizationQueryParametersError");
    assert.equal(missing.statusCode, 400);
    assert.match(missing.message, /^Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters\.$/);
    const regionError = await fail({ ...get.head, query: get.head.query.replace("us-east-1", "eu-west-1") }, get.signedMs);
    assert.equal(regionError.message, "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
    assert.deepEqual(regionError.fields, { Region: region });
    const tampered = await fail({ ...get.head, query: get.head.query + "&response-content-type=text%2Fhtml" }, get.signedMs);
    assert.equal(tampered.code, "SignatureDoesNotMatch");
    assert.doesNotMatch(tampered.fields.CanonicalRequest!, /X-Amz-Signature/);
    assert.match(tampered.fields.CanonicalRequest!, /&response-content-type=text%2Fhtml&/);
    const unsignedHeader = await fail({ ...get.head, headers: { ...get.head.headers, "x-amz-meta-a": "b" } }, get.signedMs);
    assert.equal(unsignedHeader.code, "AccessDenied");
    assert.deepEqual(unsignedHeader.fields, { HeadersNotSigned: "x-amz-meta-a" });
  });
});

describe("s3 auth > --auth none", () => {
  it("every request is the account's anonymous principal; bodies are still decoded and checked", async () => {
    const streamed = Buffer.alloc(20_000, 7);
    const requests = await captureSdkRequests(async (client) => {
      await client.send(new PutObjectCommand({ Bucket: "b", Key: "k", Body: Buffer.from("hello") }));
      await client.send(new PutObjectCommand({ Bucket: "b", Key: "s", Body: Readable.from([streamed]), ContentLength: streamed.length }));
    });
    for (const request of requests) {
      const auth = await authenticateS3(request.head, noneDeps());
      assert.ok(auth.ok);
      assert.equal(auth.principal, anonymousPrincipal("000000000000"));
      const read = await readPayload(request.head, [request.body], auth.payload);
      assert.ok(read.ok);
    }
    const stale = await authenticateS3(requests[0]!.head, noneDeps(requests[0]!.receivedMs + 3_600_000));
    assert.ok(stale.ok, "no clock check without signing");
    const anonymous = await authenticateS3({ method: "PUT", path: "/b/k", query: "", headers: { host: "x" } }, noneDeps());
    assert.ok(anonymous.ok);
    assert.deepEqual(anonymous.payload, { kind: "unsigned" });
    const invalid = await authenticateS3({ method: "PUT", path: "/b/k", query: "", headers: { host: "x", "x-amz-content-sha256": "nope" } }, noneDeps());
    assert.ok(!invalid.ok);
    assert.equal(invalid.error.code, "InvalidArgument");
    const body = Buffer.from(requests[0]!.body);
    body[0] = 0;
    const mismatch = await readPayload(requests[0]!.head, [body], (await authenticateS3(requests[0]!.head, noneDeps())).ok ? { kind: "sha256", expectedHex: requests[0]!.head.headers["x-amz-content-sha256"] as string } : { kind: "unsigned" });
    assert.ok(!mismatch.ok);
    assert.equal(mismatch.error.code, "XAmzContentSHA256Mismatch");
  });
});
