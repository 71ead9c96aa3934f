/**
 * Hostile input against a real `tributary server` process: each request gets a clear AWS-shaped
 * answer, the server keeps serving afterwards, and nothing is written outside its data directory.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cborCall, jsonCall, rawRequest, type RawResponse } from "../helpers/raw.js";
import { startCliServer, type CliServer } from "../cli/cli-process.js";
import { requestBytesMaxDefault } from "../../src/server/app.js";

const json = "application/x-amz-json-1.1";
const cbor = "application/x-amz-cbor-1.1";
const requestBytesMax = requestBytesMaxDefault;
const nestingDepth = 100_000;
const accountId = "000000000000";
const namePattern = "[a-zA-Z0-9_.-]+";

let parentDir: string;
let dataDir: string;
let server: CliServer;
let filesBefore: string[];
const healthyStream = "hostile-healthy";

/** Every path under `root` except inside the data directory, sorted. */
function listOutsideData(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      out.push(relative(root, path) + (entry.isDirectory() ? "/" : ""));
      if (entry.isDirectory() && path !== dataDir) walk(path);
    }
  };
  walk(root);
  return out.sort();
}

/** A normal call that must still succeed after each hostile one. */
async function assertStillServing(): Promise<void> {
  const response = await jsonCall(server.url, "DescribeStreamSummary", { StreamName: healthyStream });
  assert.equal(response.statusCode, 200, `server stopped serving: ${response.raw.toString()}`);
  assert.equal(response.body.StreamDescriptionSummary.StreamName, healthyStream);
}

/** A SerializationException's text is under `Message`, as AWS sends it; every other error's under `message`. */
function assertError(response: RawResponse, statusCode: number, type: string, message?: string | RegExp): void {
  assert.equal(response.statusCode, statusCode, response.raw.toString());
  assert.equal(response.body.__type, type);
  const [key, otherKey] = type === "SerializationException" ? ["Message", "message"] : ["message", "Message"];
  assert.equal(response.body[otherKey], undefined);
  if (message === undefined) assert.equal(response.body[key], undefined);
  else if (typeof message === "string") assert.equal(response.body[key], message);
  else assert.match(response.body[key], message);
}

function patternError(name: string): string {
  return `1 validation error detected: Value '${name}' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}`;
}

before(async () => {
  parentDir = mkdtempSync(join(tmpdir(), "tributary-hostile-"));
  dataDir = join(parentDir, "data");
  server = await startCliServer({
    // Limits off: the test creates streams faster than CreateStream's 5 calls a second.
    args: ["--port", "0", "--create-stream-ms", "0", "--delete-stream-ms", "0", "--log-level", "warn", "--limits", "off"],
    dataDir,
  });
  filesBefore = listOutsideData(parentDir);
  const created = await jsonCall(server.url, "CreateStream", { StreamName: healthyStream, ShardCount: 1 });
  assert.equal(created.statusCode, 200, created.raw.toString());
});

after(async () => {
  const outcome = await server.stop();
  rmSync(parentDir, { recursive: true, force: true });
  assert.deepEqual(outcome, { code: 0, signal: null }, server.stderr());
});

describe("e2e > hostile input > malformed bodies", () => {
  it("e2e > hostile input > malformed JSON is SerializationException", async () => {
    for (const body of ['{"StreamName":', "{'StreamName':'a'}", '{"StreamName":"a",}', "\ud800", "{}{}"]) {
      const response = await rawRequest(server.url, body, { contentType: json, target: "Kinesis_20131202.CreateStream" });
      assertError(response, 400, "SerializationException");
    }
    await assertStillServing();
  });

  it("e2e > hostile input > malformed CBOR is SerializationException", async () => {
    const bodies = [Buffer.from([0xbf, 0x6a]), Buffer.from([0xff]), Buffer.from([0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])];
    for (const body of bodies) {
      const response = await rawRequest(server.url, body, { contentType: cbor, target: "Kinesis_20131202.CreateStream" });
      assertError(response, 400, "SerializationException");
    }
    await assertStillServing();
  });

  it(`e2e > hostile input > JSON nested ${nestingDepth} levels deep is refused without harm`, async () => {
    const deepArray = "[".repeat(nestingDepth) + "]".repeat(nestingDepth);
    const deepObject = '{"a":'.repeat(nestingDepth) + "1" + "}".repeat(nestingDepth);
    const target = "Kinesis_20131202.CreateStream";
    assertError(await rawRequest(server.url, deepArray, { contentType: json, target }), 400, "SerializationException");
    assertError(
      await rawRequest(server.url, `{"StreamName":${deepObject},"ShardCount":1}`, { contentType: json, target }),
      400,
      "SerializationException",
      "Start of structure or map found where not expected.",
    );
    assertError(
      await rawRequest(server.url, `{"StreamName":"deep","ShardCount":1,"Tags":{"k":${deepArray}}}`, { contentType: json, target }),
      400,
      "SerializationException",
      "Start of list found where not expected",
    );
    await assertStillServing();
  });

  it(`e2e > hostile input > CBOR nested ${nestingDepth} levels deep is refused without harm`, async () => {
    const deepArray = Buffer.concat([Buffer.alloc(nestingDepth, 0x81), Buffer.from([0x00])]);
    const deepMap = Buffer.concat([Buffer.alloc(nestingDepth * 3, 0), Buffer.from([0x00])]);
    for (let level = 0; level < nestingDepth; level++) deepMap.set([0xa1, 0x61, 0x61], level * 3); // {"a": …
    const streamNameKey = Buffer.from([0x6a, ...Buffer.from("StreamName")]);
    const underStreamName = Buffer.concat([Buffer.from([0xa1]), streamNameKey, deepMap]);
    const target = "Kinesis_20131202.CreateStream";
    assertError(await rawRequest(server.url, deepArray, { contentType: cbor, target }), 400, "SerializationException");
    // As in JSON: the first container where the shape has a string is the answer.
    assertError(await rawRequest(server.url, underStreamName, { contentType: cbor, target }), 400, "SerializationException", "Start of structure or map found where not expected.");
    await assertStillServing();
  });

  it("e2e > hostile input > invalid base64 in Data is SerializationException with AWS's wording", async () => {
    const cases: [string, string][] = [
      ["23456", "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"],
      ["=+/=", "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"],
      ["+/+=", "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"],
    ];
    for (const [data, message] of cases) {
      const response = await jsonCall(server.url, "PutRecord", { StreamName: healthyStream, PartitionKey: "pk", Data: data });
      assertError(response, 400, "SerializationException", message);
    }
    await assertStillServing();
  });

  it("e2e > hostile input > wrong member types are SerializationException", async () => {
    const cases: [unknown, string | RegExp][] = [
      [{ StreamName: 123, ShardCount: 1 }, /^class [\w.]+ can not be converted to an String$/],
      [{ StreamName: true, ShardCount: 1 }, "class java.lang.Boolean can not be converted to an String"],
      [{ StreamName: [], ShardCount: 1 }, "Start of list found where not expected"],
      [{ StreamName: {}, ShardCount: 1 }, "Start of structure or map found where not expected."],
      [{ StreamName: "typed", ShardCount: "1" }, "class java.lang.String can not be converted to an Integer"],
      [{ StreamName: "typed", ShardCount: true }, "class java.lang.Boolean can not be converted to an Integer"],
      [{ StreamName: "typed", ShardCount: 1, Tags: [] }, "Start of list found where not expected"],
    ];
    for (const [body, message] of cases) {
      assertError(await jsonCall(server.url, "CreateStream", body), 400, "SerializationException", message);
    }
    assertError(
      await cborCall(server.url, "CreateStream", { StreamName: Buffer.from("bytes"), ShardCount: 1 }),
      400,
      "SerializationException",
      /^class \S+ can not be converted to an String$/,
    );
    await assertStillServing();
  });

  it("e2e > hostile input > __proto__ and constructor members reach nothing", async () => {
    // Were the __proto__ member read, ShardCount 1 would make a one-shard PROVISIONED stream;
    // ignored, a bare StreamName makes an ON_DEMAND stream.
    const body = '{"__proto__":{"ShardCount":1,"polluted":true},"constructor":{"prototype":{"polluted":true}},"StreamName":"proto-check"}';
    const response = await rawRequest(server.url, body, { contentType: json, target: "Kinesis_20131202.CreateStream" });
    assert.equal(response.statusCode, 200, response.raw.toString());
    const described = await jsonCall(server.url, "DescribeStreamSummary", { StreamName: "proto-check" });
    assert.equal(described.body.StreamDescriptionSummary.StreamModeDetails.StreamMode, "ON_DEMAND");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    await assertStillServing();
  });
});

describe("e2e > hostile input > sizes and stalls", () => {
  it("e2e > hostile input > a body over the 14 MiB cap is 413 and the server keeps serving", async () => {
    const body = Buffer.alloc(requestBytesMax + 1, 0x20);
    const response = await rawRequest(server.url, body, { contentType: json, target: "Kinesis_20131202.PutRecord" });
    assertError(response, 413, "SerializationException", `Request body exceeds the maximum size of ${requestBytesMax} bytes.`);
    await assertStillServing();
  });

  it("e2e > hostile input > a huge declared Content-Length is refused before the body arrives", async () => {
    const socket = await openSocket(server.url);
    try {
      socket.write(requestHead(100 * 1024 * 1024 * 1024));
      const answer = await readUntilClosed(socket);
      assert.match(answer, /^HTTP\/1\.1 413 /);
      assert.ok(answer.includes(`"Message":"Request body exceeds the maximum size of ${requestBytesMax} bytes."`), answer);
    } finally {
      socket.destroy();
    }
    await assertStillServing();
  });

  it("e2e > hostile input > a client that stalls mid-body does not block others, nor does aborting", async () => {
    const stalled = await openSocket(server.url);
    try {
      stalled.write(requestHead(1024 * 1024));
      stalled.write('{"StreamName":"stalled","Data":"');
      await assertStillServing();
      const concurrent = await cborCall(server.url, "DescribeStreamSummary", { StreamName: healthyStream });
      assert.equal(concurrent.statusCode, 200);
    } finally {
      stalled.destroy();
    }
    await assertStillServing();
  });

  it("e2e > hostile input > garbage instead of HTTP gets the connection closed, not a crash", async () => {
    const socket = await openSocket(server.url);
    socket.write("\u0000\u0001\u0002 NOT HTTP \r\n\r\n");
    const answer = await readUntilClosed(socket);
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    await assertStillServing();
  });
});

describe("e2e > hostile input > stream names", () => {
  const invalidNames = ["a/b", "a%2Fb", "../../etc/passwd", "a\u0000b", "ストリーム", "stream\\name", "a b", "a\nb"];

  for (const name of invalidNames) {
    it(`e2e > hostile input > stream names > ${JSON.stringify(name)} is a ValidationException in JSON and CBOR`, async () => {
      const overJson = await jsonCall(server.url, "CreateStream", { StreamName: name, ShardCount: 1 });
      assertError(overJson, 400, "ValidationException", patternError(name));
      const overCbor = await cborCall(server.url, "PutRecord", { StreamName: name, PartitionKey: "pk", Data: Buffer.from("x") });
      assertError(overCbor, 400, "ValidationException", patternError(name));
    });
  }

  it("e2e > hostile input > stream names > an empty name breaks both the pattern and the length", async () => {
    const response = await jsonCall(server.url, "CreateStream", { StreamName: "", ShardCount: 1 });
    assertError(
      response,
      400,
      "ValidationException",
      "2 validation errors detected: " +
        `Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${namePattern}; ` +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  });

  it("e2e > hostile input > stream names > 129 characters is a ValidationException", async () => {
    const name = "a".repeat(129);
    const response = await jsonCall(server.url, "CreateStream", { StreamName: name, ShardCount: 1 });
    assertError(
      response,
      400,
      "ValidationException",
      `1 validation error detected: Value '${name}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    await assertStillServing();
  });

  it("e2e > hostile input > stream names > '.', '..' and 128 characters are valid names and stay inside the data directory", async () => {
    for (const name of [".", "..", "...", "a".repeat(128)]) {
      const created = await jsonCall(server.url, "CreateStream", { StreamName: name, ShardCount: 1 });
      assert.equal(created.statusCode, 200, created.raw.toString());
      const described = await jsonCall(server.url, "DescribeStreamSummary", { StreamName: name });
      assert.equal(described.body.StreamDescriptionSummary.StreamName, name);
      assert.equal(described.body.StreamDescriptionSummary.StreamARN, `arn:aws:kinesis:us-east-1:${accountId}:stream/${name}`);
      const put = await jsonCall(server.url, "PutRecord", { StreamName: name, PartitionKey: "pk", Data: Buffer.from("inside").toString("base64") });
      assert.equal(put.statusCode, 200, put.raw.toString());
    }
    await assertStillServing();
  });

  it("e2e > hostile input > nothing was written outside the data directory", () => {
    assert.deepEqual(listOutsideData(parentDir), filesBefore);
    assert.deepEqual(filesBefore, ["data/"]);
  });
});

function openSocket(url: string): Promise<Socket> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(target.port), target.hostname, () => resolve(socket));
    socket.on("error", reject);
  });
}

function requestHead(contentLength: number): string {
  return [
    "POST / HTTP/1.1",
    "Host: 127.0.0.1",
    `Content-Type: ${json}`,
    "X-Amz-Target: Kinesis_20131202.PutRecord",
    `Content-Length: ${contentLength}`,
    "",
    "",
  ].join("\r\n");
}

function readUntilClosed(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms; got: ${text}`)), timeoutMs);
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
    socket.on("error", () => {});
  });
}
