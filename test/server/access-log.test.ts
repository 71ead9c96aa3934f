/**
 * The access log (`--access-log`, docs/logging.md): one info line per request, over the RPC
 * pipeline, HTTP/2, S3's streamed path (small bodies read whole and large ones streamed), Lambda's
 * REST API and the server's own routes; never a payload or an object key; nothing when off.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:http2";
import { request } from "node:http";
import { startApp, requestBytesMaxDefault, type AppConfig, type RunningApp } from "../../src/server/app.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { createLogger, type LogLevel } from "../../src/util/logger.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { jsonCall } from "../helpers/raw.js";
import { sleep, waitFor } from "../helpers/wait.js";

interface AccessLine {
  requestId?: string;
  method: string;
  service?: string;
  action?: string;
  resource?: string;
  status?: number;
  errorType?: string;
  latencyMs: number;
  bytesIn: number;
  bytesOut?: number;
  protocol: "h1" | "h2";
  incomplete?: boolean;
}

/** A server whose log lines (JSON) land in `lines`. */
async function startLogged(config: Partial<AppConfig>, level: LogLevel = "info"): Promise<{ app: RunningApp; lines: string[]; access: () => AccessLine[] }> {
  const lines: string[] = [];
  const logger = createLogger(level, "json", { write: (line: string) => void lines.push(line) });
  const streams = { ...defaultStreamsConfig, createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, limits: "off" as const };
  const app = await startApp({
    clock: systemClock,
    random: systemRandom,
    logger,
    storage: createMemoryEngine(systemRandom),
    config: { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, streams, ...config },
  });
  const access = () => lines.map((line) => JSON.parse(line) as { msg: string; level: number; access?: AccessLine }).filter((entry) => entry.msg === "request" && entry.access !== undefined).map((entry) => entry.access!);
  return { app, lines, access };
}

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function http1(url: string, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, agent: false, headers: { ...headers, ...(body !== undefined && { "content-length": String(body.length) }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The access line of the request with this id, once written (lines are written when the response has gone out). */
async function lineOf(access: () => AccessLine[], requestId: string | string[] | undefined): Promise<AccessLine> {
  assert.equal(typeof requestId, "string", "the answer has a request id");
  await waitFor(`the access line of ${requestId}`, () => access().some((line) => line.requestId === requestId));
  return access().find((line) => line.requestId === requestId)!;
}

describe("server > access log > on", () => {
  let app: RunningApp;
  let lines: string[];
  let access: () => AccessLine[];
  before(async () => {
    ({ app, lines, access } = await startLogged({ accessLog: true }));
    assert.equal((await jsonCall(app.url, "CreateStream", { StreamName: "orders", ShardCount: 1 })).statusCode, 200);
  });
  after(() => app.stop());

  it("writes an RPC call's id, service, action, stream, status, latency, bytes and protocol, and never its data", async () => {
    const secretData = Buffer.from("card 4111-1111-1111-1111").toString("base64");
    const body = JSON.stringify({ StreamName: "orders", PartitionKey: "customer-42", Data: secretData });
    const response = await jsonCall(app.url, "PutRecord", JSON.parse(body));
    assert.equal(response.statusCode, 200);
    const line = await lineOf(access, response.headers["x-amzn-requestid"]);
    assert.deepEqual(
      { method: line.method, service: line.service, action: line.action, resource: line.resource, status: line.status, bytesIn: line.bytesIn, bytesOut: line.bytesOut, protocol: line.protocol },
      { method: "POST", service: "kinesis", action: "PutRecord", resource: "orders", status: 200, bytesIn: Buffer.byteLength(body), bytesOut: response.raw.length, protocol: "h1" },
    );
    assert.equal(typeof line.latencyMs, "number");
    assert.ok(line.latencyMs >= 0);
    assert.equal(line.errorType, undefined);
    const written = lines.join("");
    assert.ok(!written.includes(secretData) && !written.includes("customer-42"), "no payload and no partition key in the log");
  });

  it("writes an error answer's type", async () => {
    const response = await jsonCall(app.url, "DescribeStream", { StreamName: "missing" });
    assert.equal(response.statusCode, 400);
    const line = await lineOf(access, response.headers["x-amzn-requestid"]);
    assert.deepEqual([line.action, line.resource, line.status, line.errorType], ["DescribeStream", "missing", 400, "ResourceNotFoundException"]);
  });

  it("writes HTTP/2 requests as h2", async () => {
    const session = connect(app.url);
    try {
      const answer = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" });
        let headers: Record<string, unknown> = {};
        const chunks: Buffer[] = [];
        stream.on("response", (received) => (headers = received));
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => resolve({ headers, body: Buffer.concat(chunks) }));
        stream.on("error", reject);
        stream.end("{}");
      });
      const line = await lineOf(access, answer.headers["x-amzn-requestid"] as string);
      assert.deepEqual([line.protocol, line.action, line.status, line.bytesIn, line.resource], ["h2", "ListStreams", 200, 2, undefined]);
    } finally {
      session.close();
    }
  });

  it("writes S3 operations with their bucket, never the key, over the whole-body and the streamed paths", async () => {
    assert.equal((await http1(app.url, "PUT", "/logs-bucket")).status, 200);
    const small = Buffer.from("hello world");
    const put = await http1(app.url, "PUT", "/logs-bucket/private%2Fkey-name.txt", small);
    assert.equal(put.status, 200);
    const putLine = await lineOf(access, put.headers["x-amz-request-id"]);
    assert.deepEqual([putLine.service, putLine.action, putLine.resource, putLine.status, putLine.bytesIn], ["s3", "PutObject", "logs-bucket", 200, small.length]);

    // Past the whole-body bound (64 KiB): the body is streamed to S3 and counted as it passes.
    const large = Buffer.alloc(300 * 1024, 7);
    const putLarge = await http1(app.url, "PUT", "/logs-bucket/large.bin", large);
    assert.equal(putLarge.status, 200);
    assert.equal((await lineOf(access, putLarge.headers["x-amz-request-id"])).bytesIn, large.length);

    const get = await http1(app.url, "GET", "/logs-bucket/private%2Fkey-name.txt");
    assert.equal(get.body.toString(), "hello world");
    const getLine = await lineOf(access, get.headers["x-amz-request-id"]);
    assert.deepEqual([getLine.action, getLine.status, getLine.bytesOut, getLine.bytesIn], ["GetObject", 200, small.length, 0]);

    const missing = await http1(app.url, "GET", "/logs-bucket/absent");
    assert.equal(missing.status, 404);
    const missingLine = await lineOf(access, missing.headers["x-amz-request-id"]);
    assert.deepEqual([missingLine.action, missingLine.errorType], ["GetObject", "NoSuchKey"]);
    assert.ok(!lines.join("").includes("key-name"), "no object key in the log");
  });

  it("writes Lambda operations with the function they name", async () => {
    const response = await http1(app.url, "GET", "/2015-03-31/functions/no-such-function");
    assert.equal(response.status, 404);
    const line = await lineOf(access, response.headers["x-amzn-requestid"]);
    assert.deepEqual([line.service, line.action, line.resource, line.errorType], ["lambda", "GetFunction", "no-such-function", "ResourceNotFoundException"]);
  });

  it("writes the server's own routes under service tributary", async () => {
    const before = access().length;
    assert.equal((await http1(app.url, "GET", "/health")).status, 200);
    await waitFor("the /health line", () => access().slice(before).some((line) => line.action === "health"));
    const line = access().slice(before).find((candidate) => candidate.action === "health")!;
    assert.deepEqual([line.service, line.resource, line.status, line.method], ["tributary", "/health", 200, "GET"]);
  });
});

describe("server > access log > off", () => {
  for (const [name, config, level] of [
    ["with --access-log false", { accessLog: false }, "info"],
    ["when info lines are not logged (--log-level warn)", { accessLog: true }, "warn"],
  ] as const) {
    it(`writes no line ${name}`, async () => {
      const { app, lines } = await startLogged(config, level);
      try {
        assert.equal((await jsonCall(app.url, "ListStreams", {})).statusCode, 200);
        assert.equal((await http1(app.url, "GET", "/health")).status, 200);
        // Lines are written once the response has gone out: give them that turn.
        await sleep(50);
        assert.deepEqual(lines.filter((line) => line.includes('"access"')), []);
      } finally {
        await app.stop();
      }
    });
  }
});
