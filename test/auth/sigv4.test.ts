/**
 * `--auth sigv4`: requests signed with keys from the credentials file work through the SDK (HTTP/2
 * and HTTP/1.1) and the CLI's signer; everything else gets AWS's authentication errors, exactly,
 * in the request's wire format. Raw cases are signed by the SDK's own signer at a fixed time
 * against a server whose clock stands at that time, so the expected canonical strings are literal.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListStreamsCommand, PutRecordCommand, PutRecordsCommand, CreateStreamCommand,
  DescribeStreamSummaryCommand, ListShardsCommand, RegisterStreamConsumerCommand,
} from "@aws-sdk/client-kinesis";
import { subscribe } from "../helpers/subscription.js";
import { kinesisClient, randomStreamName, startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { jsonCall, cborCall, rawRequest } from "../helpers/raw.js";
import { ManualClock } from "../../src/util/clock.js";
import { CredentialsDir, credentialsEntry, signedCall, type Format } from "./sigv4-helpers.js";

const alice: TestCredentials = { accessKeyId: "AKIAALICEEXAMPLE0001", secretAccessKey: "alice/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const session: TestCredentials = {
  accessKeyId: "ASIASESSIONEXAMPLE01",
  secretAccessKey: "session/secret/K7MDENG+bPxRfiCYEXAMPLEKEY",
  sessionToken: "FwoGZXIvYXdzEXAMPLEsessionTOKEN//////////wEaDEXAMPLE",
};
const fixedDate = new Date("2025-01-02T03:04:05Z");
const fixedStamp = "20250102T030405Z";

let credentials: CredentialsDir;
/** Real clock: the SDK signs with the time of the call. */
let live: TestServer;
/** Clock standing at fixedDate: raw requests signed at that time verify, and messages are literal. */
let fixed: TestServer;
let fixedClock: ManualClock;
const clients: KinesisClient[] = [];

function client(server: TestServer, as: TestCredentials, http1 = false): KinesisClient {
  const made = http1
    ? new KinesisClient({ endpoint: server.url, region: server.region, credentials: as, requestHandler: new NodeHttpHandler() })
    : kinesisClient(server, as);
  clients.push(made);
  return made;
}

before(async () => {
  credentials = new CredentialsDir();
  credentials.write([credentialsEntry("alice", alice), credentialsEntry("session", session)]);
  live = await startTestServer({ credentialsFile: credentials.path });
  fixedClock = new ManualClock(fixedDate.getTime());
  fixed = await startTestServer({ credentialsFile: credentials.path, clock: fixedClock });
});

after(async () => {
  for (const made of clients) made.destroy();
  await live?.stop();
  await fixed?.stop();
  credentials?.remove();
});

const listStreamsHash = createHash("sha256").update("{}").digest("hex");

/** The canonical request the SDK's signer builds for a ListStreams `{}` in JSON to `server`. */
function listStreamsCanonical(server: TestServer, payloadHash = listStreamsHash): string {
  const host = new URL(server.url).host;
  return [
    "POST",
    "/",
    "",
    "content-type:application/x-amz-json-1.1",
    `host:${host}`,
    `x-amz-date:${fixedStamp}`,
    "x-amz-target:Kinesis_20131202.ListStreams",
    "",
    "content-type;host;x-amz-date;x-amz-target",
    payloadHash,
  ].join("\n");
}

function mismatchMessage(canonical: string): string {
  const stringToSign = ["AWS4-HMAC-SHA256", fixedStamp, "20250102/us-east-1/kinesis/aws4_request", createHash("sha256").update(canonical).digest("hex")].join("\n");
  return (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. " +
    "Consult the service documentation for details.\n\n" +
    `The Canonical String for this request should have been\n'${canonical}'\n\n` +
    `The String-to-Sign should have been\n'${stringToSign}'\n`
  );
}

function assertError(response: { statusCode: number; body: any; headers: Record<string, unknown> }, format: Format, type: string, message: string): void {
  assert.equal(response.statusCode, 400);
  assert.equal(response.headers["content-type"], format === "json" ? "application/x-amz-json-1.1" : "application/x-amz-cbor-1.1");
  assert.deepEqual(response.body, { __type: type, message });
}

describe("auth > sigv4 > SDK with the right credentials", () => {
  for (const http1 of [false, true]) {
    const transport = http1 ? "HTTP/1.1" : "HTTP/2";
    it(`auth > sigv4 > SDK > creates, writes and reads a stream over ${transport}`, async () => {
      const kinesis = client(live, alice, http1);
      const StreamName = randomStreamName("sigv4");
      await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
      const summary = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));
      assert.equal(summary.StreamDescriptionSummary?.StreamStatus, "ACTIVE");
      const put = await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("one") }));
      const batch = await kinesis.send(
        new PutRecordsCommand({ StreamName, Records: [{ PartitionKey: "a", Data: Buffer.from("two") }, { PartitionKey: "a", Data: Buffer.from("three") }] }),
      );
      assert.equal(batch.FailedRecordCount, 0);
      const shards = await kinesis.send(new ListShardsCommand({ StreamName }));
      assert.equal(shards.Shards?.[0]?.ShardId, put.ShardId);
      const iterator = await kinesis.send(new GetShardIteratorCommand({ StreamName, ShardId: put.ShardId!, ShardIteratorType: "TRIM_HORIZON" }));
      const records = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator! }));
      assert.deepEqual(records.Records?.map((record) => Buffer.from(record.Data!).toString()), ["one", "two", "three"]);
      const listed = await kinesis.send(new ListStreamsCommand({}));
      assert.ok(listed.StreamNames?.includes(StreamName));
    });
  }

  it("auth > sigv4 > SDK > SubscribeToShard over HTTP/2: signed by a known key it streams, by a wrong secret it is refused", async () => {
    const kinesis = client(live, alice);
    const StreamName = randomStreamName("sigv4-efo");
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    const StreamARN = `arn:aws:kinesis:${live.region}:${live.accountId}:stream/${StreamName}`;
    const consumer = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN, ConsumerName: "signed" }));
    const ConsumerARN = consumer.Consumer!.ConsumerARN!;
    const subscription = await subscribe(kinesis, ConsumerARN, "shardId-000000000000", { Type: "TRIM_HORIZON" });
    try {
      await kinesis.send(new PutRecordCommand({ StreamName, PartitionKey: "a", Data: Buffer.from("pushed") }));
      await subscription.until(() => subscription.data().includes("pushed"), "the record");
    } finally {
      await subscription.close();
    }
    const wrong = client(live, { ...alice, secretAccessKey: "not-the-secret" });
    await assert.rejects(subscribe(wrong, ConsumerARN, "shardId-000000000000", { Type: "LATEST" }), (error: any) => {
      assert.equal(error.name, "InvalidSignatureException");
      return true;
    });
  });

  it("auth > sigv4 > SDK > temporary credentials work with their session token", async () => {
    const listed = await client(live, session).send(new ListStreamsCommand({}));
    assert.ok(Array.isArray(listed.StreamNames));
  });

  for (const [name, as, type, message] of [
    ["a wrong secret", { ...alice, secretAccessKey: "not-the-secret" }, "InvalidSignatureException", /^The request signature we calculated does not match/],
    ["an unknown access key", { ...alice, accessKeyId: "AKIAUNKNOWNEXAMPLE01" }, "UnrecognizedClientException", /^The security token included in the request is invalid\.$/],
    ["a wrong session token", { ...session, sessionToken: "not-the-token" }, "UnrecognizedClientException", /^The security token included in the request is invalid\.$/],
    ["a session key without its token", { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }, "UnrecognizedClientException", /^The security token included in the request is invalid\.$/],
  ] as const) {
    it(`auth > sigv4 > SDK > ${name} is refused with ${type}`, async () => {
      await assert.rejects(client(live, as).send(new ListStreamsCommand({})), (error: any) => {
        assert.equal(error.name, type);
        assert.match(error.message, message);
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      });
    });
  }
});

describe("auth > sigv4 > raw requests, exact errors", () => {
  for (const format of ["json", "cbor"] as const) {
    it(`auth > sigv4 > raw > ${format} > a correctly signed call succeeds`, async () => {
      const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, format });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body.HasMoreStreams, false);
    });

    it(`auth > sigv4 > raw > ${format} > no signature is MissingAuthenticationTokenException`, async () => {
      const call = format === "json" ? jsonCall : cborCall;
      assertError(await call(fixed.url, "ListStreams", {}), format, "MissingAuthenticationTokenException", "Missing Authentication Token");
    });

    it(`auth > sigv4 > raw > ${format} > a stale date is "Signature expired"`, async () => {
      const signingDate = new Date(fixedDate.getTime() - 5 * 60_000 - 1000);
      const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate, format });
      assertError(response, format, "InvalidSignatureException", "Signature expired: 20250102T025904Z is now earlier than 20250102T025905Z (20250102T030405Z - 5 min.)");
    });

    it(`auth > sigv4 > raw > ${format} > a date past the skew window is "Signature not yet current"`, async () => {
      const signingDate = new Date(fixedDate.getTime() + 5 * 60_000 + 1000);
      const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate, format });
      assertError(response, format, "InvalidSignatureException", "Signature not yet current: 20250102T030906Z is still later than 20250102T030905Z (20250102T030405Z + 5 min.)");
    });

    it(`auth > sigv4 > raw > ${format} > an unknown access key is UnrecognizedClientException`, async () => {
      const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: { ...alice, accessKeyId: "AKIANOBODYEXAMPLE001" }, signingDate: fixedDate, format });
      assertError(response, format, "UnrecognizedClientException", "The security token included in the request is invalid.");
    });
  }

  it("auth > sigv4 > raw > a signature at the edge of the skew window still verifies", async () => {
    for (const offsetMs of [-5 * 60_000, 5 * 60_000]) {
      const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: new Date(fixedDate.getTime() + offsetMs) });
      assert.equal(response.statusCode, 200, JSON.stringify(response.body));
    }
  });

  it("auth > sigv4 > raw > a wrong secret is InvalidSignatureException with the canonical request and string to sign", async () => {
    const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: { ...alice, secretAccessKey: "wrong" }, signingDate: fixedDate });
    assertError(response, "json", "InvalidSignatureException", mismatchMessage(listStreamsCanonical(fixed)));
    assert.ok(!response.raw.toString().includes(alice.secretAccessKey));
  });

  it("auth > sigv4 > raw > a body changed after signing is InvalidSignatureException naming the received body's hash", async () => {
    const tampered = Buffer.from('{"Limit":1}');
    const response = await signedCall(fixed.url, "ListStreams", {}, {
      credentials: alice,
      signingDate: fixedDate,
      alter: (request) => {
        request.body = tampered;
      },
    });
    assertError(response, "json", "InvalidSignatureException", mismatchMessage(listStreamsCanonical(fixed, createHash("sha256").update(tampered).digest("hex"))));
  });

  it("auth > sigv4 > raw > an X-Amz-Content-Sha256 claiming another body does not stand in for the body's hash", async () => {
    const response = await signedCall(fixed.url, "ListStreams", {}, {
      credentials: alice,
      signingDate: fixedDate,
      alter: (request) => {
        request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD";
        request.body = Buffer.from('{"Limit":1}');
      },
    });
    assert.equal(response.body.__type, "InvalidSignatureException");
  });

  it("auth > sigv4 > raw > a signed header changed after signing is InvalidSignatureException", async () => {
    const response = await signedCall(fixed.url, "ListStreams", {}, {
      credentials: alice,
      signingDate: fixedDate,
      alter: (request) => {
        request.headers["x-amz-target"] = "Kinesis_20131202.DescribeLimits";
      },
    });
    assert.equal(response.body.__type, "InvalidSignatureException");
    assert.match(response.body.message, /\nx-amz-target:Kinesis_20131202\.DescribeLimits\n/);
  });

  it("auth > sigv4 > raw > the wrong region or service in the scope is InvalidSignatureException", async () => {
    const region = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, region: "eu-west-1" });
    assertError(region, "json", "InvalidSignatureException", "Credential should be scoped to a valid region, not 'eu-west-1'. ");
    const service = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, service: "dynamodb" });
    assertError(service, "json", "InvalidSignatureException", "Credential should be scoped to correct service: 'kinesis'. ");
  });

  it("auth > sigv4 > raw > a signature without host among the signed headers is InvalidSignatureException", async () => {
    // The type AWS answers Kinesis clients (aws-sdk-js-v3#3796) and dynalite recorded from AWS.
    const response = await signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, unsignableHeaders: ["host"] });
    assertError(response, "json", "InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it("auth > sigv4 > raw > session token: right token works, a wrong one is UnrecognizedClientException and never echoed", async () => {
    const ok = await signedCall(fixed.url, "ListStreams", {}, { credentials: session, signingDate: fixedDate });
    assert.equal(ok.statusCode, 200);
    const wrong = await signedCall(fixed.url, "ListStreams", {}, { credentials: { ...session, sessionToken: "forged-token" }, signingDate: fixedDate });
    assertError(wrong, "json", "UnrecognizedClientException", "The security token included in the request is invalid.");
    // A wrong secret with the right token: the mismatch message shows the canonical request, token blanked.
    const mismatch = await signedCall(fixed.url, "ListStreams", {}, { credentials: { ...session, secretAccessKey: "wrong" }, signingDate: fixedDate });
    assert.equal(mismatch.body.__type, "InvalidSignatureException");
    assert.match(mismatch.body.message, /\nx-amz-security-token:<redacted>\n/);
    assert.ok(!mismatch.raw.toString().includes(session.sessionToken!));
  });

  it("auth > sigv4 > raw > incomplete Authorization headers list every missing part (kinesalite's AWS texts)", async () => {
    const send = (authorization: string, headers: Record<string, string> = {}) =>
      rawRequest(fixed.url, "{}", {
        target: "Kinesis_20131202.ListStreams",
        contentType: "application/x-amz-json-1.1",
        headers: { authorization, ...headers },
      });
    assertError(
      await send("X"),
      "json",
      "IncompleteSignatureException",
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        "Authorization=X",
    );
    for (const header of ["AWS4- Signature=b Credential=a", "AWS4- Signature=b,Credential=a", "AWS4- Signature=b, Credential=a"]) {
      assertError(await send(header, { date: "a" }), "json", "IncompleteSignatureException", `Authorization header requires 'SignedHeaders' parameter. Authorization=${header}`);
    }
    const signature = "a".repeat(64);
    assertError(
      await send(`AWS4-HMAC-SHA256 Credential=AKIAALICEEXAMPLE0001/20250102/us-east-1/kinesis/aws4_request, Signature=${signature}`, { "x-amz-date": fixedStamp }),
      "json",
      "IncompleteSignatureException",
      "Authorization header requires 'SignedHeaders' parameter. " +
        "Authorization=AWS4-HMAC-SHA256 Credential=AKIAALICEEXAMPLE0001/20250102/us-east-1/kinesis/aws4_request, Signature=aaaaaaaa...",
    );
    assertError(
      await send("AWS4-HMAC-SHA256 Credential=AKIAALICEEXAMPLE0001/20250102/us-east-1/kinesis, SignedHeaders=host, Signature=ab", { "x-amz-date": fixedStamp }),
      "json",
      "IncompleteSignatureException",
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAALICEEXAMPLE0001/20250102/us-east-1/kinesis'",
    );
    assertError(
      await send("AWS4-HMAC-SHA256 Credential=AKIAALICEEXAMPLE0001/20250102/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=ab", { "x-amz-date": "2025-01-02" }),
      "json",
      "IncompleteSignatureException",
      "Date must be in ISO-8601 'basic format'. Got '2025-01-02'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  it("auth > sigv4 > raw > both a header and a query signature is InvalidSignatureException; query parts are listed when missing", async () => {
    const both = await rawRequest(fixed.url, "{}", {
      path: "/?X-Amz-Algorithm",
      target: "Kinesis_20131202.ListStreams",
      contentType: "application/x-amz-json-1.1",
      headers: { authorization: "X" },
    });
    assertError(both, "json", "InvalidSignatureException", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
    const incomplete = await rawRequest(fixed.url, "{}", {
      path: "/?X-Amz-Algorithm=a&X-Amz-Credential=b&X-Amz-Signature=c&X-Amz-Date=d",
      target: "Kinesis_20131202.ListStreams",
      contentType: "application/x-amz-json-1.1",
    });
    assertError(incomplete, "json", "IncompleteSignatureException", "AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
    const noAlgorithm = await rawRequest(fixed.url, "{}", {
      path: "/?X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-SignedHeaders=c&X-Amz-Date=d",
      target: "Kinesis_20131202.ListStreams",
      contentType: "application/x-amz-json-1.1",
    });
    assertError(noAlgorithm, "json", "MissingAuthenticationTokenException", "Missing Authentication Token");
  });

  it("auth > sigv4 > raw > a presigned URL works until it expires, and binds the body", async () => {
    const presigned = (presignSeconds: number, alter?: (request: { body: Buffer }) => void) =>
      signedCall(fixed.url, "ListStreams", {}, { credentials: alice, signingDate: fixedDate, presignSeconds, ...(alter && { alter }) });
    const ok = await presigned(60);
    assert.equal(ok.statusCode, 200, JSON.stringify(ok.body));
    const tampered = await presigned(60, (request) => {
      request.body = Buffer.from('{"Limit":1}');
    });
    assert.equal(tampered.body.__type, "InvalidSignatureException");
    fixedClock.advance(61_000);
    try {
      const expired = await presigned(60);
      assertError(expired, "json", "InvalidSignatureException", "Signature expired: 20250102T030405Z is now earlier than 20250102T030406Z (20250102T030506Z - 60 sec.)");
    } finally {
      fixedClock.set(fixedDate.getTime());
    }
  });

  it("auth > sigv4 > raw > a presigned URL with a session token needs the right token", async () => {
    const ok = await signedCall(fixed.url, "ListStreams", {}, { credentials: session, signingDate: fixedDate, presignSeconds: 60 });
    assert.equal(ok.statusCode, 200, JSON.stringify(ok.body));
    const forged = await signedCall(fixed.url, "ListStreams", {}, { credentials: { ...session, sessionToken: "forged" }, signingDate: fixedDate, presignSeconds: 60 });
    assertError(forged, "json", "UnrecognizedClientException", "The security token included in the request is invalid.");
  });
});

describe("auth > sigv4 > where authentication sits in the pipeline", () => {
  it("auth > sigv4 > order > an unknown target and an empty body answer before authentication, as AWS does", async () => {
    const unknown = await rawRequest(fixed.url, "{}", { target: "Kinesis_20131202.NoSuchAction", contentType: "application/x-amz-json-1.1" });
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(unknown.body, { __type: "UnknownOperationException" });
    const empty = await rawRequest(fixed.url, "", { target: "Kinesis_20131202.ListStreams", contentType: "application/x-amz-json-1.1" });
    assert.deepEqual(empty.body, { __type: "SerializationException" });
    const garbage = await rawRequest(fixed.url, "hello", { target: "Kinesis_20131202.ListStreams", contentType: "application/x-amz-json-1.1" });
    assert.deepEqual(garbage.body, { __type: "SerializationException" });
  });

  it("auth > sigv4 > order > authentication comes before the body's shape is checked", async () => {
    assertError(await jsonCall(fixed.url, "CreateStream", { StreamName: 42 }), "json", "MissingAuthenticationTokenException", "Missing Authentication Token");
    const signed = await signedCall(fixed.url, "CreateStream", { StreamName: 42 }, { credentials: alice, signingDate: fixedDate });
    assert.equal(signed.body.__type, "SerializationException");
  });

  it("auth > sigv4 > order > a request that is no RPC call gets MissingAuthenticationToken unsigned, AccessDenied signed (XML, 403)", async () => {
    const missing = "<MissingAuthenticationTokenException>\n  <Message>Missing Authentication Token</Message>\n</MissingAuthenticationTokenException>\n";
    const denied = "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n";
    for (const method of ["GET", "PUT"]) {
      const unsigned = await rawRequest(fixed.url, "", { method });
      assert.equal(unsigned.statusCode, 403);
      assert.equal(unsigned.body, missing);
      const signed = await rawRequest(fixed.url, "", { method, headers: { authorization: "AWS4-HMAC-SHA256 Credential=x" } });
      assert.equal(signed.statusCode, 403);
      assert.equal(signed.body, denied);
    }
    const noContentType = await rawRequest(fixed.url, "{}", {});
    assert.equal(noContentType.body, missing);
  });

  it("auth > sigv4 > order > /health and CORS preflights stay open", async () => {
    const health = await rawRequest(fixed.url, "", { method: "GET", path: "/health" });
    assert.equal(health.statusCode, 200);
    assert.equal(health.body.status, "ok");
    const preflight = await rawRequest(fixed.url, "", { method: "OPTIONS", headers: { origin: "https://example.com", "access-control-request-method": "POST" } });
    assert.equal(preflight.statusCode, 200);
    assert.equal(preflight.headers["access-control-allow-methods"], "POST");
  });

  it("auth > sigv4 > order > the fault injection admin endpoint is not served", async () => {
    const response = await rawRequest(fixed.url, "", { method: "GET", path: "/_tributary/faults" });
    assert.equal(response.statusCode, 403);
    assert.match(response.body, /MissingAuthenticationTokenException/);
  });

  it("auth > sigv4 > order > SubscribeToShard goes through the same authentication", async () => {
    const body = { ConsumerARN: "arn:aws:kinesis:us-east-1:000000000000:stream/x/consumer/y:1", ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } };
    assertError(await jsonCall(fixed.url, "SubscribeToShard", body), "json", "MissingAuthenticationTokenException", "Missing Authentication Token");
    const wrong = await signedCall(fixed.url, "SubscribeToShard", body, { credentials: { ...alice, secretAccessKey: "wrong" }, signingDate: fixedDate });
    assert.equal(wrong.body.__type, "InvalidSignatureException");
    const right = await signedCall(fixed.url, "SubscribeToShard", body, { credentials: alice, signingDate: fixedDate });
    assert.equal(right.body.__type, "ResourceNotFoundException");
  });
});
