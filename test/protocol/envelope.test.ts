/**
 * What the RPC pipeline answers before any action runs, as kinesalite's connection tests record
 * AWS doing (test/connection.js): routing by X-Amz-Target, content types, empty and malformed
 * bodies, CORS, the health check, the body size cap; and the timestamp encodings of responses.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { cborCall, jsonCall, rawRequest, type RawResponse } from "../helpers/raw.js";
import { randomStreamName, startTestServer, type TestServer } from "../helpers/server.js";

const json = "application/x-amz-json-1.1";
const cbor = "application/x-amz-cbor-1.1";
const knownTarget = "Kinesis_20131202.DescribeStreamSummary";
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const accessDeniedXml =
  "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n";

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.stop();
});

/** Status, content type, body and request id of an `{__type}` envelope without a message. */
function assertEnvelope(response: RawResponse, contentType: string, type: string): void {
  assert.equal(response.statusCode, 400, response.raw.toString());
  assert.equal(response.headers["content-type"], contentType);
  assert.deepEqual(response.body, { __type: type });
  assert.equal(response.headers["content-length"], String(response.raw.length));
  assert.match(String(response.headers["x-amzn-requestid"]), uuidPattern);
}

/** A bare XML-ish body with no content type, as AWS sends before it knows the protocol. */
function assertXml(response: RawResponse, statusCode: number, text: string): void {
  assert.equal(response.statusCode, statusCode);
  assert.equal(response.headers["content-type"], undefined);
  assert.equal(response.raw.toString("utf8"), text);
  assert.match(String(response.headers["x-amzn-requestid"]), uuidPattern);
}

describe("protocol > routing", () => {
  it("protocol > routing > an unknown action is UnknownOperationException in JSON", async () => {
    const response = await rawRequest(server.url, "{}", { contentType: json, target: "Kinesis_20131202.ListStream" });
    assertEnvelope(response, json, "UnknownOperationException");
  });

  it("protocol > routing > an unknown action is UnknownOperationException in CBOR", async () => {
    const response = await cborCall(server.url, "NoSuchAction", {});
    assertEnvelope(response, cbor, "UnknownOperationException");
  });

  it("protocol > routing > an unknown service prefix is UnknownOperationException", async () => {
    const response = await rawRequest(server.url, "{}", { contentType: json, target: "Whatever.DescribeStreamSummary" });
    assertEnvelope(response, json, "UnknownOperationException");
  });

  it("protocol > routing > a missing target is UnknownOperationException in JSON and CBOR", async () => {
    assertEnvelope(await rawRequest(server.url, "{}", { contentType: json }), json, "UnknownOperationException");
    assertEnvelope(await rawRequest(server.url, Buffer.from([0xa0]), { contentType: cbor }), cbor, "UnknownOperationException");
  });

  it("protocol > routing > a target without an action is UnknownOperationException", async () => {
    assertEnvelope(await rawRequest(server.url, "{}", { contentType: json, target: "Kinesis_20131202." }), json, "UnknownOperationException");
    assertEnvelope(await rawRequest(server.url, "{}", { contentType: json, target: "Kinesis_20131202" }), json, "UnknownOperationException");
  });

  it("protocol > routing > a known action reaches the service in both formats", async () => {
    const name = randomStreamName("routing");
    for (const call of [jsonCall, cborCall]) {
      const response = await call(server.url, "DescribeStreamSummary", { StreamName: name });
      assert.equal(response.statusCode, 400);
      assert.deepEqual(response.body, {
        __type: "ResourceNotFoundException",
        message: `Stream ${name} under account ${server.accountId} not found.`,
      });
    }
  });
});

describe("protocol > content type", () => {
  it("protocol > content type > a body with no content type and no target is 403 AccessDeniedException XML", async () => {
    assertXml(await rawRequest(server.url, "{}", {}), 403, accessDeniedXml);
  });

  it("protocol > content type > a body in another content type with a known target is 404 UnknownOperationException XML", async () => {
    const response = await rawRequest(server.url, "{}", { contentType: "application/x-amz-json-1.0", target: knownTarget });
    assertXml(response, 404, "<UnknownOperationException/>\n");
  });

  it("protocol > content type > a body with no content type and a known target is 404 UnknownOperationException XML", async () => {
    assertXml(await rawRequest(server.url, "{}", { target: knownTarget }), 404, "<UnknownOperationException/>\n");
  });

  it("protocol > content type > parameters and spacing around the media type are ignored", async () => {
    const response = await rawRequest(server.url, "{}", { contentType: `  ${json}  ; charset=utf-8`, target: "Kinesis_20131202.Nope" });
    assertEnvelope(response, json, "UnknownOperationException");
  });

  it("protocol > content type > GET, PUT and DELETE are 403 AccessDeniedException XML", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const response = await rawRequest(server.url, "", { method, contentType: json, target: knownTarget });
      assertXml(response, 403, accessDeniedXml);
    }
  });
});

describe("protocol > empty body", () => {
  it("protocol > empty body > JSON with a known target is SerializationException", async () => {
    assertEnvelope(await rawRequest(server.url, "", { contentType: json, target: knownTarget }), json, "SerializationException");
  });

  it("protocol > empty body > JSON with an unknown target is UnknownOperationException", async () => {
    assertEnvelope(await rawRequest(server.url, "", { contentType: json, target: "Kinesis_20131202.Nope" }), json, "UnknownOperationException");
  });

  it("protocol > empty body > CBOR with a known target is SerializationException", async () => {
    assertEnvelope(await rawRequest(server.url, "", { contentType: cbor, target: knownTarget }), cbor, "SerializationException");
  });

  it("protocol > empty body > no content type answers in CBOR, as AWS does", async () => {
    assertEnvelope(await rawRequest(server.url, "", {}), cbor, "UnknownOperationException");
    assertEnvelope(await rawRequest(server.url, "", { target: knownTarget }), cbor, "SerializationException");
    assertEnvelope(await rawRequest(server.url, "", { contentType: "application/x-amz-json-1.0" }), cbor, "UnknownOperationException");
  });
});

describe("protocol > malformed body", () => {
  it("protocol > malformed body > malformed JSON is SerializationException, before the target is checked", async () => {
    for (const target of [knownTarget, "Kinesis_20131202.Nope"]) {
      for (const body of ["hello", "{", '{"StreamName":', "{}}", "\u0000"]) {
        assertEnvelope(await rawRequest(server.url, body, { contentType: json, target }), json, "SerializationException");
      }
    }
  });

  it("protocol > malformed body > malformed CBOR is SerializationException", async () => {
    const bodies = [
      Buffer.from([0xbf, 0x61]), // indefinite map cut inside a key
      Buffer.from([0xa1, 0x61, 0x61]), // map with a key and no value
      Buffer.from([0x1c]), // reserved additional information
      Buffer.from([0xa0, 0xa0]), // two top-level items
      Buffer.from([0x7a, 0xff, 0xff, 0xff, 0xff]), // text string claiming 4 GiB
    ];
    for (const body of bodies) {
      const response = await rawRequest(server.url, body, { contentType: cbor, target: knownTarget });
      assertEnvelope(response, cbor, "SerializationException");
    }
  });

  it("protocol > malformed body > a JSON array, string, number, boolean or null body is SerializationException", async () => {
    for (const body of ["[]", '[{"StreamName":"a"}]', '"text"', "42", "true", "null"]) {
      assertEnvelope(await rawRequest(server.url, body, { contentType: json, target: knownTarget }), json, "SerializationException");
    }
  });

  it("protocol > malformed body > a CBOR array, string or number body is SerializationException", async () => {
    for (const body of [Buffer.from([0x80]), Buffer.from([0x61, 0x61]), Buffer.from([0x18, 0x2a]), Buffer.from([0xf6])]) {
      assertEnvelope(await rawRequest(server.url, body, { contentType: cbor, target: knownTarget }), cbor, "SerializationException");
    }
  });
});

describe("protocol > cors", () => {
  it("protocol > cors > a preflight echoes the requested headers and method", async () => {
    const response = await rawRequest(server.url, "", {
      method: "OPTIONS",
      headers: { origin: "http://app.example", "access-control-request-headers": "a, b, c", "access-control-request-method": "d" },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["access-control-allow-origin"], "*");
    assert.equal(response.headers["access-control-allow-headers"], "a, b, c");
    assert.equal(response.headers["access-control-allow-methods"], "d");
    assert.equal(response.headers["access-control-max-age"], "172800");
    assert.equal(response.headers["content-length"], "0");
    assert.equal(response.headers["content-type"], undefined);
    assert.match(String(response.headers["x-amzn-requestid"]), uuidPattern);
    assert.equal(response.raw.length, 0);
  });

  it("protocol > cors > a preflight without requested headers sends none", async () => {
    const response = await rawRequest(server.url, "", { method: "OPTIONS", headers: { origin: "http://app.example" } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["access-control-allow-origin"], "*");
    assert.equal(response.headers["access-control-allow-headers"], undefined);
    assert.equal(response.headers["access-control-allow-methods"], undefined);
  });

  it("protocol > cors > OPTIONS without Origin is not a preflight: 403 AccessDeniedException XML", async () => {
    assertXml(await rawRequest(server.url, "", { method: "OPTIONS" }), 403, accessDeniedXml);
  });

  it("protocol > cors > a POST with Origin gets CORS headers on success and on error", async () => {
    const name = randomStreamName("cors");
    const headers = { origin: "http://app.example" };
    const created = await rawRequest(server.url, JSON.stringify({ StreamName: name, ShardCount: 1 }), {
      contentType: json,
      target: "Kinesis_20131202.CreateStream",
      headers,
    });
    const failed = await rawRequest(server.url, "{}", { contentType: json, target: "Kinesis_20131202.Nope", headers });
    for (const response of [created, failed]) {
      assert.equal(response.headers["access-control-allow-origin"], "*");
      assert.equal(
        response.headers["access-control-expose-headers"],
        "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date",
      );
    }
    assert.equal(created.statusCode, 200);
    assertEnvelope(failed, json, "UnknownOperationException");
  });

  it("protocol > cors > a POST without Origin gets no CORS headers", async () => {
    const response = await rawRequest(server.url, "{}", { contentType: json, target: "Kinesis_20131202.Nope" });
    assert.equal(response.headers["access-control-allow-origin"], undefined);
  });
});

describe("protocol > health", () => {
  it("protocol > health > GET /health is 200 JSON with status ok", async () => {
    const response = await rawRequest(server.url, "", { method: "GET", path: "/health" });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers["content-type"], "application/json");
    assert.equal(response.body.status, "ok");
    assert.equal(typeof response.body.storage, "string");
  });
});

describe("protocol > body size cap", () => {
  const requestBytesMax = 1024;
  let small: TestServer;

  before(async () => {
    small = await startTestServer({ requestBytesMax });
  });

  after(async () => {
    await small.stop();
  });

  const tooLargeMessage = `Request body exceeds the maximum size of ${requestBytesMax} bytes.`;

  it("protocol > body size cap > a body over the cap by Content-Length is 413, and the server keeps serving", async () => {
    const body = JSON.stringify({ StreamName: "a".repeat(requestBytesMax) });
    const response = await rawRequest(small.url, body, { contentType: json, target: "Kinesis_20131202.CreateStream" });
    assert.equal(response.statusCode, 413);
    assert.deepEqual(response.body, { __type: "SerializationException", Message: tooLargeMessage });
    const after = await jsonCall(small.url, "CreateStream", { StreamName: randomStreamName("cap"), ShardCount: 1 });
    assert.equal(after.statusCode, 200);
  });

  it("protocol > body size cap > a refused body is drained, so the same keep-alive connection serves the next request", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await keepAliveCall(small.url, agent, "x".repeat(requestBytesMax * 4));
      assert.equal(refused.statusCode, 413);
      assert.equal(refused.reusedSocket, false);
      const next = await keepAliveCall(small.url, agent, JSON.stringify({ StreamName: randomStreamName("drained"), ShardCount: 1 }));
      assert.equal(next.statusCode, 200);
      assert.equal(next.reusedSocket, true);
    } finally {
      agent.destroy();
    }
  });

  it("protocol > body size cap > a chunked body that grows over the cap is 413 in CBOR when sent as CBOR", async () => {
    const response = await chunkedRequest(small.url, [Buffer.alloc(600, 0x61), Buffer.alloc(600, 0x61)], cbor);
    assert.equal(response.statusCode, 413);
    assert.equal(response.contentType, cbor);
    const after = await cborCall(small.url, "CreateStream", { StreamName: randomStreamName("cap"), ShardCount: 1 });
    assert.equal(after.statusCode, 200);
  });

  it("protocol > body size cap > a body of exactly the cap is read and answered normally", async () => {
    const padding = requestBytesMax - JSON.stringify({ StreamName: "" }).length;
    const body = JSON.stringify({ StreamName: "a".repeat(padding) });
    assert.equal(body.length, requestBytesMax);
    const response = await rawRequest(small.url, body, { contentType: json, target: knownTarget });
    assert.equal(response.statusCode, 400);
    assert.equal(response.body.__type, "ValidationException");
  });
});

describe("protocol > timestamps", () => {
  it("protocol > timestamps > JSON sends epoch seconds with milliseconds as fraction, CBOR tag 1 over epoch milliseconds", async () => {
    const name = randomStreamName("time");
    const before = Date.now();
    const created = await jsonCall(server.url, "CreateStream", { StreamName: name, ShardCount: 1 });
    assert.equal(created.statusCode, 200);
    const overJson = await jsonCall(server.url, "DescribeStreamSummary", { StreamName: name });
    const overCbor = await cborCall(server.url, "DescribeStreamSummary", { StreamName: name });
    const afterMs = Date.now();

    const seconds = overJson.body.StreamDescriptionSummary.StreamCreationTimestamp;
    assert.equal(typeof seconds, "number");
    assert.match(overJson.raw.toString("utf8"), /"StreamCreationTimestamp":\d{10}(\.\d{1,3})?[,}]/);
    const tagged = overCbor.body.StreamDescriptionSummary.StreamCreationTimestamp;
    assert.ok(tagged && typeof tagged === "object" && "tag1" in tagged, `expected a tag-1 value, got ${JSON.stringify(tagged)}`);
    const milliseconds = tagged.tag1;
    assert.ok(Number.isInteger(milliseconds), `expected integer epoch milliseconds, got ${milliseconds}`);

    assert.equal(Math.round(seconds * 1000), milliseconds);
    assert.ok(milliseconds >= before - 1000 && milliseconds <= afterMs + 1000, `${milliseconds} is not within a second of now`);
  });
});

/** A CreateStream POST over a keep-alive agent, reporting whether it reused a socket. */
function keepAliveCall(url: string, agent: Agent, body: string): Promise<{ statusCode: number; reusedSocket: boolean }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        path: "/",
        agent,
        headers: { "content-type": json, "x-amz-target": "Kinesis_20131202.CreateStream", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, reusedSocket: req.reusedSocket }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A POST with Transfer-Encoding: chunked (no Content-Length), one write per chunk. */
function chunkedRequest(url: string, chunks: Buffer[], contentType: string): Promise<{ statusCode: number; contentType: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        path: "/",
        agent: false,
        headers: { "content-type": contentType, "x-amz-target": "Kinesis_20131202.CreateStream", "transfer-encoding": "chunked" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, contentType: String(res.headers["content-type"]) }));
      },
    );
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}
