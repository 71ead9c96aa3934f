/**
 * The envelope around every answer, as kinesalite's connection tests (test/connection.js) record
 * AWS: `x-amz-id-2` — base64 of 64 to 80 random bytes — beside `x-amzn-RequestId` on every answer
 * to an AWS call (successes, service and pipeline errors in JSON, CBOR and bare XML, the 413),
 * never on a CORS preflight; and the legacy `application/json` content type, answered in the old
 * Coral envelope whatever the target or signature. Through raw HTTP, and the SDK (which reads
 * `x-amz-id-2` as `$metadata.extendedRequestId`).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ListStreamsCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { kinesisClient, randomStreamName, startTestServer, type TestServer } from "../../helpers/server.js";
import { cborCall, jsonCall, rawRequest, type RawResponse } from "../../helpers/raw.js";
import { CredentialsDir, credentialsEntry } from "../../auth/sigv4-helpers.js";

const json = "application/x-amz-json-1.1";
const cbor = "application/x-amz-cbor-1.1";
const knownTarget = "Kinesis_20131202.ListStreams";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** kinesalite's assertBody: the request id is a UUID, `x-amz-id-2` decodes to 64–80 bytes, the length is exact. */
function assertIds(response: RawResponse, context: string): string {
  assert.match(String(response.headers["x-amzn-requestid"]), uuidPattern, context);
  const id2 = response.headers["x-amz-id-2"];
  assert.equal(typeof id2, "string", `${context}: x-amz-id-2 missing`);
  assert.match(id2 as string, /^[A-Za-z0-9+/]+=*$/, context);
  const bytes = Buffer.from(id2 as string, "base64").length;
  assert.ok(bytes >= 64 && bytes <= 80, `${context}: x-amz-id-2 holds ${bytes} bytes`);
  assert.equal(response.headers["content-length"], String(response.raw.length), context);
  return id2 as string;
}

const legacyUnknown = { Output: { __type: "com.amazon.coral.service#UnknownOperationException" }, Version: "1.0" };
const legacySerialization = { Output: { __type: "com.amazon.coral.service#SerializationException" }, Version: "1.0" };

function assertLegacy(response: RawResponse, statusCode: number, body: unknown, context: string): void {
  assert.equal(response.statusCode, statusCode, context);
  assert.equal(response.headers["content-type"], "application/json", context);
  assert.deepEqual(JSON.parse(response.raw.toString("utf8")), body, context);
  assert.equal(response.headers["x-amzn-errortype"], undefined, context);
  assertIds(response, context);
}

describe("wire envelope", () => {
  let server: TestServer;
  let client: KinesisClient;
  before(async () => {
    server = await startTestServer({ requestBytesMax: 64 * 1024 });
    client = kinesisClient(server);
  });
  after(async () => {
    client.destroy();
    await server.stop();
  });

  it("wire envelope > x-amz-id-2 > on successes and service errors, in JSON and CBOR", async () => {
    const seen = new Set<string>();
    for (const call of [jsonCall, cborCall]) {
      const listed = await call(server.url, "ListStreams", {});
      assert.equal(listed.statusCode, 200);
      seen.add(assertIds(listed, `${call.name} success`));
      const missing = await call(server.url, "DescribeStreamSummary", { StreamName: randomStreamName("envelope") });
      assert.equal(missing.body.__type, "ResourceNotFoundException");
      seen.add(assertIds(missing, `${call.name} service error`));
      const typed = await call(server.url, "CreateStream", { StreamName: 23 });
      assert.equal(typed.body.__type, "SerializationException");
      seen.add(assertIds(typed, `${call.name} SerializationException`));
    }
    // Random per answer.
    assert.equal(seen.size, 6);
  });

  it("wire envelope > x-amz-id-2 > on the pipeline's own answers: empty, malformed, unknown target, bare XML 403 and 404", async () => {
    const cases: [string, Promise<RawResponse>, number][] = [
      ["empty JSON body", rawRequest(server.url, "", { contentType: json, target: knownTarget }), 400],
      ["empty body, no content type", rawRequest(server.url, "", {}), 400],
      ["malformed JSON", rawRequest(server.url, "hello", { contentType: json, target: knownTarget }), 400],
      ["malformed CBOR", rawRequest(server.url, Buffer.from([0xbf]), { contentType: cbor, target: knownTarget }), 400],
      ["unknown target", rawRequest(server.url, "{}", { contentType: json, target: "Kinesis_20131202.Nope" }), 400],
      ["GET (403 XML)", rawRequest(server.url, "", { method: "GET" }), 403],
      ["no content type, no target (403 XML)", rawRequest(server.url, "{}", {}), 403],
      ["unknown content type (404 XML)", rawRequest(server.url, "{}", { contentType: "application/x-amz-json-1.0", target: knownTarget }), 404],
    ];
    for (const [context, pending, statusCode] of cases) {
      const response = await pending;
      assert.equal(response.statusCode, statusCode, context);
      assertIds(response, context);
    }
  });

  it("wire envelope > x-amz-id-2 > on the server's 413", async () => {
    const response = await rawRequest(server.url, Buffer.alloc(64 * 1024 + 1, 0x20), { contentType: json, target: knownTarget });
    assert.equal(response.statusCode, 413);
    assertIds(response, "413");
  });

  it("wire envelope > x-amz-id-2 > never on a CORS preflight (nor /health, which is no AWS answer)", async () => {
    const preflight = await rawRequest(server.url, "", { method: "OPTIONS", headers: { origin: "https://example.com", "access-control-request-headers": "a, b" } });
    assert.equal(preflight.statusCode, 200);
    assert.match(String(preflight.headers["x-amzn-requestid"]), uuidPattern);
    assert.equal(preflight.headers["x-amz-id-2"], undefined);
    const health = await rawRequest(server.url, "", { method: "GET", path: "/health" });
    assert.equal(health.statusCode, 200);
    assert.equal(health.headers["x-amz-id-2"], undefined);
    // A request with Origin gets the CORS headers and the ids.
    const cors = await rawRequest(server.url, "{}", { contentType: json, target: knownTarget, headers: { origin: "https://example.com" } });
    assert.equal(cors.headers["access-control-allow-origin"], "*");
    assertIds(cors, "CORS request");
  });

  it("wire envelope > x-amz-id-2 > the SDK reads it as $metadata.extendedRequestId", async () => {
    const output = await client.send(new ListStreamsCommand({}));
    assert.ok(output.$metadata.extendedRequestId !== undefined, "no extendedRequestId");
    const bytes = Buffer.from(output.$metadata.extendedRequestId!, "base64").length;
    assert.ok(bytes >= 64 && bytes <= 80, `${bytes} bytes`);
    assert.match(output.$metadata.requestId ?? "", uuidPattern);
  });

  it("wire envelope > application/json > a JSON object is 404 UnknownOperationException in the Coral envelope, whatever the target", async () => {
    for (const target of [knownTarget, "Kinesis_20131202.Nope", "Whatever.ListStreams", undefined]) {
      for (const body of ["{}", '{"StreamName":"x"}']) {
        const response = await rawRequest(server.url, body, { contentType: "application/json", ...(target !== undefined && { target }) });
        assertLegacy(response, 404, legacyUnknown, `${target} ${body}`);
      }
    }
    // Byte for byte as AWS writes it.
    const response = await rawRequest(server.url, "{}", { contentType: "application/json", target: knownTarget });
    assert.equal(response.raw.toString("utf8"), '{"Output":{"__type":"com.amazon.coral.service#UnknownOperationException"},"Version":"1.0"}');
  });

  it("wire envelope > application/json > a body that is not a JSON object is 400 SerializationException in the Coral envelope, padding and parameters ignored", async () => {
    for (const contentType of ["application/json", "     application/json     ;", "application/json; charset=utf-8"]) {
      for (const body of ["hello", "true", "null", "{"]) {
        const response = await rawRequest(server.url, body, { contentType, target: knownTarget });
        assertLegacy(response, 400, legacySerialization, `${JSON.stringify(contentType)} ${body}`);
      }
    }
  });

  it("wire envelope > application/json > an empty body answers first, in CBOR, as for any content type", async () => {
    const known = await rawRequest(server.url, "", { contentType: "application/json", target: knownTarget });
    assert.equal(known.statusCode, 400);
    assert.equal(known.headers["content-type"], cbor);
    assert.deepEqual(known.body, { __type: "SerializationException" });
    const unknown = await rawRequest(server.url, "", { contentType: "application/json" });
    assert.equal(unknown.headers["content-type"], cbor);
    assert.deepEqual(unknown.body, { __type: "UnknownOperationException" });
  });
});

describe("wire envelope > --auth sigv4", () => {
  let server: TestServer;
  let credentials: CredentialsDir;
  before(async () => {
    credentials = new CredentialsDir();
    credentials.write([credentialsEntry("alice", { accessKeyId: "AKIDENVELOPE", secretAccessKey: "envelope-secret" })]);
    server = await startTestServer({ credentialsFile: credentials.path });
  });
  after(async () => {
    await server.stop();
    credentials.remove();
  });

  it("wire envelope > sigv4 > application/json answers before the signature is looked at; MissingAuthenticationToken carries the ids", async () => {
    assertLegacy(await rawRequest(server.url, "{}", { contentType: "application/json", target: knownTarget }), 404, legacyUnknown, "unsigned object");
    assertLegacy(await rawRequest(server.url, "hello", { contentType: "application/json", target: knownTarget }), 400, legacySerialization, "unsigned garbage");
    const unsigned = await rawRequest(server.url, "{}", { contentType: json, target: knownTarget });
    assert.deepEqual(unsigned.body, { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
    assertIds(unsigned, "MissingAuthenticationToken");
    const xml = await rawRequest(server.url, "", { method: "GET" });
    assert.equal(xml.statusCode, 403);
    assertIds(xml, "MissingAuthenticationToken XML");
  });
});
