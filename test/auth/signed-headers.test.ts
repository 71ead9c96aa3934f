/**
 * `--auth sigv4`: the headers that choose what a request does must be signed. A request signed
 * over `host;x-amz-date` only could otherwise be replayed with another X-Amz-Target (a signed
 * DescribeStreamSummary turned into a DeleteStream). Content-Type, X-Amz-Target and every
 * x-amz-* header the request carries must be among the signed headers, in both signature forms;
 * the SDKs sign them all, so real clients keep working (HTTP/2 and HTTP/1.1).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { randomStreamName, startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { rawRequest, type RawResponse } from "../helpers/raw.js";
import { ManualClock } from "../../src/util/clock.js";
import { CredentialsDir, contentTypes, credentialsEntry, encodeBody, sdkSigner, signedCall } from "./sigv4-helpers.js";

const alice: TestCredentials = { accessKeyId: "AKIAALICEEXAMPLE0001", secretAccessKey: "alice/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const session: TestCredentials = { ...alice, accessKeyId: "ASIASESSIONEXAMPLE01", sessionToken: "FwoGZXIvYXdzEXAMPLEsessionTOKENwEaDEXAMPLE" };
const fixedDate = new Date("2025-01-02T03:04:05Z");

let credentials: CredentialsDir;
let fixed: TestServer;
let live: TestServer;
let streamName: string;

function assertMustBeSigned(response: RawResponse, quotedName: string): void {
  assert.equal(response.statusCode, 400, response.raw.toString());
  assert.deepEqual(response.body, { __type: "InvalidSignatureException", message: `${quotedName} must be a 'SignedHeader' in the AWS Authorization.` });
}

async function streamStatus(name: string): Promise<number> {
  const response = await signedCall(fixed.url, "DescribeStreamSummary", { StreamName: name }, { credentials: alice, signingDate: fixedDate });
  return response.statusCode;
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("alice", alice), credentialsEntry("session", session)]);
  fixed = await startTestServer({ credentialsFile: credentials.path, clock: new ManualClock(fixedDate.getTime()) });
  live = await startTestServer({ credentialsFile: credentials.path });
  streamName = randomStreamName("signed-headers");
  const created = await signedCall(fixed.url, "CreateStream", { StreamName: streamName, ShardCount: 1 }, { credentials: alice, signingDate: fixedDate });
  assert.equal(created.statusCode, 200, created.raw.toString());
});

after(async () => {
  await fixed?.stop();
  await live?.stop();
  credentials?.remove();
});

describe("auth > sigv4 > signed headers", () => {
  it("auth > sigv4 > signed headers > the re-target attack: signed over host;x-amz-date, X-Amz-Target changed to DeleteStream, is refused and the stream survives", async () => {
    const response = await signedCall(fixed.url, "DescribeStreamSummary", { StreamName: streamName }, {
      credentials: alice,
      signingDate: fixedDate,
      unsignableHeaders: ["content-type", "x-amz-target"],
      alter: (request) => {
        assert.match(request.headers.authorization!, /SignedHeaders=host;x-amz-date,/);
        request.headers["x-amz-target"] = "Kinesis_20131202.DeleteStream";
      },
    });
    assertMustBeSigned(response, "'Content-Type'");
    assert.equal(await streamStatus(streamName), 200, "the stream is still there");
  });

  it("auth > sigv4 > signed headers > X-Amz-Target unsigned (content-type signed) is refused, in JSON and CBOR", async () => {
    for (const format of ["json", "cbor"] as const) {
      const response = await signedCall(fixed.url, "DeleteStream", { StreamName: streamName }, { credentials: alice, signingDate: fixedDate, format, unsignableHeaders: ["x-amz-target"] });
      assert.equal(response.headers["content-type"], contentTypes[format]);
      assertMustBeSigned(response, "'X-Amz-Target'");
    }
    assert.equal(await streamStatus(streamName), 200, "the stream is still there");
  });

  it("auth > sigv4 > signed headers > any other x-amz-* header present must be signed: the session token, the date, one the client made up", async () => {
    assertMustBeSigned(
      await signedCall(fixed.url, "ListStreams", {}, { credentials: session, signingDate: fixedDate, unsignableHeaders: ["x-amz-security-token"] }),
      "'x-amz-security-token'",
    );
    assertMustBeSigned(await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, unsignableHeaders: ["x-amz-date"] }), "'x-amz-date'");
    const added = await signedCall(fixed.url, "ListStreams", {}, {
      credentials: alice,
      signingDate: fixedDate,
      alter: (request) => {
        request.headers["X-Amz-Extra"] = "added after signing";
      },
    });
    assertMustBeSigned(added, "'x-amz-extra'");
    // The same header signed is fine: the rule is about what is signed, not which headers exist.
    const signedExtra = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate });
    assert.equal(signedExtra.statusCode, 200, signedExtra.raw.toString());
  });

  it("auth > sigv4 > signed headers > Host is checked first, then Content-Type, then X-Amz-Target", async () => {
    const all = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, unsignableHeaders: ["host", "content-type", "x-amz-target"] });
    assertMustBeSigned(all, "'Host' or ':authority'");
    const two = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, unsignableHeaders: ["content-type", "x-amz-target"] });
    assertMustBeSigned(two, "'Content-Type'");
  });

  it("auth > sigv4 > signed headers > a presigned URL with an unsigned X-Amz-Target header cannot be re-targeted", async () => {
    const target = new URL(fixed.url);
    const payload = encodeBody("json", { StreamName: streamName });
    const presigned = await sdkSigner(alice).presign(
      {
        method: "POST",
        protocol: "http:",
        hostname: target.hostname,
        port: Number(target.port),
        path: "/",
        query: {},
        headers: { host: target.host, "content-type": contentTypes.json, "x-amz-target": "Kinesis_20131202.DescribeStreamSummary" },
        body: payload,
      },
      { signingDate: fixedDate, expiresIn: 300, unsignableHeaders: new Set(["x-amz-target"]), unhoistableHeaders: new Set(["x-amz-target"]) },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString().replace(/\+/g, "%20");
    assert.match(query, /X-Amz-SignedHeaders=content-type%3Bhost&/);
    const headers = { ...(presigned.headers as Record<string, string>), "x-amz-target": "Kinesis_20131202.DeleteStream" };
    const response = await rawRequest(fixed.url, payload, { path: `/?${query}`, headers });
    assertMustBeSigned(response, "'X-Amz-Target'");
    assert.equal(await streamStatus(streamName), 200, "the stream is still there");
    // Signed properly, the same presigned call works.
    const honest = await signedCall(fixed.url, "DescribeStreamSummary", { StreamName: streamName }, { credentials: alice, signingDate: fixedDate, presignSeconds: 300 });
    assert.equal(honest.statusCode, 200, honest.raw.toString());
  });

  for (const http1 of [false, true]) {
    it(`auth > sigv4 > signed headers > the SDK signs what is required: calls work over ${http1 ? "HTTP/1.1" : "HTTP/2"}, with a session token too`, async () => {
      for (const as of [alice, session]) {
        const kinesis = new KinesisClient({
          endpoint: live.url,
          region: live.region,
          credentials: as,
          ...(http1 && { requestHandler: new NodeHttpHandler() }),
        });
        try {
          const name = randomStreamName("sdk-signed");
          await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
          const put = await kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: "k", Data: Buffer.from("x") }));
          assert.ok(put.SequenceNumber);
          const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
          assert.equal(summary.StreamDescriptionSummary?.StreamName, name);
        } finally {
          kinesis.destroy();
        }
      }
    });
  }
});
