/**
 * A service is one folder plus one registration (issue 14): test/fixtures/example-service is a
 * tiny service shaped as one under src/ would be, and the app runs it when listed beside the
 * built-in services — recognised by its X-Amz-Target prefix and its REST path prefix, through the
 * whole pipeline (shape check, SigV4 under --auth sigv4, authorization by its declared IAM action,
 * its call rate, fault injection), with its admin route, its part of /health, started in list
 * order and stopped in reverse.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { services } from "../../src/server/services.js";
import { ManualClock } from "../../src/util/clock.js";
import { startTestServer, type TestCredentials, type TestServer } from "../helpers/server.js";
import { rawRequest, type RawResponse } from "../helpers/raw.js";
import { CredentialsDir, allowAll, sdkSigner } from "../auth/sigv4-helpers.js";
import { exampleServiceModule, exampleSigningName, exampleTargetPrefix } from "../fixtures/example-service/index.js";

const jsonType = "application/x-amz-json-1.1";

function putThing(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  return rawRequest(server.url, JSON.stringify(body), { contentType: jsonType, target: `${exampleTargetPrefix}.PutThing`, headers });
}

const errorOf = (response: RawResponse) => [response.statusCode, response.body] as const;

describe("server > example service > --auth none", () => {
  const events: string[] = [];
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
  let server: TestServer;
  before(async () => {
    // The one registration: the app's list with the example services added.
    server = await startTestServer({ clock, services: [...services, exampleServiceModule("example", events), exampleServiceModule("second", events)] });
  });
  after(() => server?.stop());

  it("server > example service > its JSON action runs through its X-Amz-Target prefix", async () => {
    const response = await putThing(server, { Name: "alpha", Size: 3 });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.body, { ThingARN: "arn:aws:example:us-east-1:000000000000:thing/alpha" });
    assert.equal(response.headers["content-type"], jsonType);
    assert.match(String(response.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
  });

  it("server > example service > its shape is checked: types, then constraints, in AWS's words", async () => {
    clock.advance(1000);
    assert.deepEqual(errorOf(await putThing(server, { Name: "b", Size: "big" })), [
      400,
      { __type: "SerializationException", Message: "class java.lang.String can not be converted to an Integer" },
    ]);
    assert.deepEqual(errorOf(await putThing(server, { Name: "UPPER", Size: 11 })), [
      400,
      {
        __type: "ValidationException",
        message:
          "2 validation errors detected: Value 'UPPER' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
          "Value '11' at 'size' failed to satisfy constraint: Member must have value less than or equal to 10",
      },
    ]);
    const unknown = await rawRequest(server.url, "{}", { contentType: jsonType, target: `${exampleTargetPrefix}.DropThing` });
    assert.deepEqual(errorOf(unknown), [400, { __type: "UnknownOperationException" }]);
  });

  it("server > example service > its call rate (2 a second) throttles the third call in a second and takes nothing from a refused one", async () => {
    clock.advance(1000);
    assert.equal((await putThing(server, { Name: "rate" })).statusCode, 200);
    // A call refused by the shape check is not charged.
    assert.equal((await putThing(server, {})).statusCode, 400);
    assert.equal((await putThing(server, { Name: "rate" })).statusCode, 200);
    assert.deepEqual(errorOf(await putThing(server, { Name: "rate" })), [400, { __type: "ThrottlingException", message: "Rate exceeded" }]);
    clock.advance(1000);
    assert.equal((await putThing(server, { Name: "rate" })).statusCode, 200);
  });

  it("server > example service > its admin route installs faults, which the pipeline applies before the rate", async () => {
    clock.advance(1000);
    const admin = (method: string, body = "") => rawRequest(server.url, body, { method, path: "/_tributary/example/faults", contentType: "application/json" });
    assert.deepEqual((await admin("PUT", JSON.stringify({ failNext: 3 }))).body, { failNext: 3 });
    for (let call = 0; call < 3; call++) {
      assert.deepEqual(errorOf(await putThing(server, { Name: "faulted" })), [503, { __type: "ServiceUnavailableException", message: "Injected." }]);
    }
    assert.deepEqual((await admin("GET")).body, { failNext: 0 });
    // The faulted calls took nothing from the rate: two calls in this second still pass.
    assert.equal((await putThing(server, { Name: "faulted" })).statusCode, 200);
    assert.equal((await putThing(server, { Name: "faulted" })).statusCode, 200);
  });

  it("server > example service > its REST route is recognised by path prefix", async () => {
    const found = await rawRequest(server.url, "", { method: "GET", path: "/example/things/alpha" });
    assert.equal(found.statusCode, 200);
    assert.deepEqual(found.body, { Name: "alpha", Size: 3 });
    assert.match(String(found.headers["x-amzn-requestid"]), /^[0-9a-f-]{36}$/);
    const missing = await rawRequest(server.url, "", { method: "GET", path: "/example/things/nothing" });
    assert.deepEqual(errorOf(missing), [404, { __type: "ResourceNotFoundException", message: "Thing nothing not found." }]);
    // A path outside the prefix is not the example's: the object store on the port takes it (a bucket that does not exist).
    const other = await rawRequest(server.url, "", { method: "GET", path: "/elsewhere/things/alpha" });
    assert.equal(other.statusCode, 404);
    assert.match(String(other.body), /<Code>NoSuchBucket<\/Code>/);
  });

  it("server > example service > /health carries each service's part under its name", async () => {
    const health = await fetch(`${server.url}/health`).then((response) => response.json());
    assert.deepEqual(health, { status: "ok", storage: "memory", firehose: { deliveryStreams: 0 }, example: { things: 3 }, second: { things: 0 } });
  });

  it("server > example service > services start in list order, a reset rebuilds them, and a stop ends them in reverse", async () => {
    assert.deepEqual(events, ["example:start", "second:start"]);
    const reset = await rawRequest(server.url, "", { method: "POST", path: "/_tributary/reset" });
    assert.equal(reset.statusCode, 200);
    assert.deepEqual(events, ["example:start", "second:start", "second:stop", "example:stop", "example:start", "second:start"]);
    const gone = await rawRequest(server.url, "", { method: "GET", path: "/example/things/alpha" });
    assert.equal(gone.statusCode, 404, "a reset drops the service's state with the rest");
    await server.stop();
    assert.deepEqual(events.slice(6), ["second:stop", "example:stop"]);
  });
});

describe("server > example service > --auth sigv4", () => {
  const owner: TestCredentials = { accessKeyId: "AKIAEXAMPLEOWNER0001", secretAccessKey: "owner/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
  const reader: TestCredentials = { accessKeyId: "AKIAEXAMPLEREADER001", secretAccessKey: "reader/secret/K7MDENG+bPxRfiCYEXAMPLEKEY" };
  const readerArn = "arn:aws:iam::000000000000:user/reader";
  let credentials: CredentialsDir;
  let server: TestServer;
  before(async () => {
    credentials = new CredentialsDir();
    credentials.write([
      { ...owner, accountId: "000000000000", principalArn: "arn:aws:iam::000000000000:user/owner", policies: [allowAll] },
      {
        ...reader,
        accountId: "000000000000",
        principalArn: readerArn,
        policies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "example:PutThing", Resource: "arn:aws:example:*:000000000000:thing/mine" }] }],
      },
    ]);
    server = await startTestServer({ credentialsFile: credentials.path, services: [...services, exampleServiceModule("example")] });
  });
  after(async () => {
    await server?.stop();
    credentials?.remove();
  });

  async function signed(as: TestCredentials, body: unknown, service = exampleSigningName): Promise<RawResponse> {
    const target = new URL(server.url);
    const payload = Buffer.from(JSON.stringify(body));
    const request = await sdkSigner(as, server.region, service).sign({
      method: "POST",
      protocol: "http:",
      hostname: target.hostname,
      port: Number(target.port),
      path: "/",
      query: {},
      headers: { host: target.host, "content-type": jsonType, "x-amz-target": `${exampleTargetPrefix}.PutThing` },
      body: payload,
    });
    return rawRequest(server.url, payload, { headers: request.headers as Record<string, string> });
  }

  it("server > example service > --auth sigv4 > an unsigned call is refused before its shape is read", async () => {
    assert.deepEqual(errorOf(await putThing(server, { Name: 7 })), [400, { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" }]);
  });

  it("server > example service > --auth sigv4 > the credential scope must name the service's signing name", async () => {
    const response = await signed(owner, { Name: "mine" }, "kinesis");
    assert.equal(response.statusCode, 400);
    assert.equal((response.body as { __type: string }).__type, "InvalidSignatureException");
    assert.match((response.body as { message: string }).message, /Credential should be scoped to correct service: 'example'/);
  });

  it("server > example service > --auth sigv4 > callers are authorized by the action's declared IAM action and resource", async () => {
    assert.equal((await signed(owner, { Name: "theirs" })).statusCode, 200);
    assert.equal((await signed(reader, { Name: "mine" })).statusCode, 200);
    assert.deepEqual(errorOf(await signed(reader, { Name: "theirs" })), [
      400,
      { __type: "AccessDeniedException", message: `User: ${readerArn} is not authorized to perform: example:PutThing on resource: arn:aws:example:us-east-1:000000000000:thing/theirs` },
    ]);
  });

  it("server > example service > --auth sigv4 > its REST route is authenticated too, and its unauthenticated admin route is not served", async () => {
    const rest = await rawRequest(server.url, "", { method: "GET", path: "/example/things/mine" });
    assert.deepEqual(errorOf(rest), [400, { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" }]);
    const admin = await rawRequest(server.url, "", { method: "GET", path: "/_tributary/example/faults" });
    assert.equal(admin.statusCode, 403);
    assert.match(String(admin.body), /^<MissingAuthenticationTokenException>/);
  });
});
