/**
 * A service may answer requests as streams (src/protocol/streaming-api.ts, the shape S3 uses):
 * the server asks it whether it claims a request before reading any body, hands it the body as a
 * stream under the body idle deadline, and streams its answer with backpressure — over HTTP/1.1
 * and HTTP/2 alike — while everything it does not claim reaches the RPC pipeline as before.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request as httpRequest } from "node:http";
import { connect as http2Connect } from "node:http2";
import { connect as netConnect } from "node:net";
import { services } from "../../src/server/services.js";
import type { ServiceInstance, ServiceModule } from "../../src/protocol/service-module.js";
import type { StreamingApi, StreamedResponse } from "../../src/protocol/streaming-api.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { rawRequest } from "../helpers/raw.js";
import { sleep } from "../helpers/wait.js";

const chunkBytes = 64 * 1024;

/** Claims paths under /echo/: PUT answers the body's SHA-256 and length; GET /echo/<n> streams n bytes; HEAD says n. */
function echoModule(): ServiceModule<unknown, unknown, ServiceInstance> {
  const api: StreamingApi = {
    claims: (head) => head.path.startsWith("/echo/") && head.headers["x-amz-target"] === undefined,
    async handle(head, body): Promise<StreamedResponse> {
      if (head.method === "PUT") {
        const hash = createHash("sha256");
        let length = 0;
        for await (const chunk of body) {
          hash.update(chunk as Buffer);
          length += (chunk as Buffer).length;
        }
        return { statusCode: 200, headers: { "content-type": "text/plain" }, body: Buffer.from(`${length} ${hash.digest("hex")}`) };
      }
      if (head.method === "POST") {
        // Refuses without reading a byte of the body.
        return { statusCode: 400, headers: {}, body: Buffer.from("refused") };
      }
      if (head.path.startsWith("/echo/slow/")) {
        // Five chunks 100 ms apart: an answer that streams for longer than the body idle deadline.
        const chunkCount = 5;
        async function* slowly() {
          for (let index = 0; index < chunkCount; index++) {
            if (index > 0) await sleep(100);
            yield Buffer.alloc(chunkBytes, index);
          }
        }
        return { statusCode: 200, headers: { "content-length": String(chunkCount * chunkBytes) }, body: slowly() };
      }
      const sizeBytes = Number(head.path.slice("/echo/".length));
      if (head.method === "HEAD") return { statusCode: 200, headers: { "content-length": String(sizeBytes) }, body: Buffer.alloc(0) };
      async function* bytes() {
        for (let sent = 0; sent < sizeBytes; sent += chunkBytes) yield Buffer.alloc(Math.min(chunkBytes, sizeBytes - sent), sent / chunkBytes);
      }
      return { statusCode: 200, headers: { "content-length": String(sizeBytes) }, body: bytes() };
    },
  };
  return { name: "echo", create: () => ({ http: api, start: async () => {}, stop: async () => {} }) };
}

function expectedSha(sizeBytes: number): string {
  const hash = createHash("sha256");
  for (let sent = 0; sent < sizeBytes; sent += chunkBytes) hash.update(Buffer.alloc(Math.min(chunkBytes, sizeBytes - sent), sent / chunkBytes));
  return hash.digest("hex");
}

describe("server > streaming api", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ services: [echoModule() as never, ...services], connections: { bodyIdleMs: 300 } });
  });
  after(() => server?.stop());

  it("server > streaming api > an upload reaches the api as a stream and a download streams out with its length (HTTP/1.1)", async () => {
    const sizeBytes = 24 * 1024 * 1024 + 5;
    const put = await new Promise<string>((resolve, reject) => {
      const request = httpRequest(`${server.url}/echo/up`, { method: "PUT", headers: { "content-length": String(sizeBytes) } }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(Buffer.concat(chunks).toString()));
      });
      request.on("error", reject);
      for (let sent = 0; sent < sizeBytes; sent += chunkBytes) request.write(Buffer.alloc(Math.min(chunkBytes, sizeBytes - sent), sent / chunkBytes));
      request.end();
    });
    assert.equal(put, `${sizeBytes} ${expectedSha(sizeBytes)}`);
    const response = await fetch(`${server.url}/echo/${sizeBytes}`);
    assert.equal(response.headers.get("content-length"), String(sizeBytes));
    const body = Buffer.from(await response.arrayBuffer());
    assert.equal(createHash("sha256").update(body).digest("hex"), expectedSha(sizeBytes));
  });

  it("server > streaming api > HTTP/2 streams both ways too", async () => {
    const session = http2Connect(server.url);
    try {
      const sizeBytes = 3 * 1024 * 1024 + 1;
      const stream = session.request({ ":method": "GET", ":path": `/echo/${sizeBytes}` });
      const chunks: Buffer[] = [];
      const headers = await new Promise<Record<string, unknown>>((resolve) => stream.on("response", resolve));
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      assert.equal(headers["content-length"], String(sizeBytes));
      assert.equal(createHash("sha256").update(Buffer.concat(chunks)).digest("hex"), expectedSha(sizeBytes));
    } finally {
      session.close();
    }
  });

  it("server > streaming api > a HEAD answer carries the api's content-length and no body", async () => {
    const response = await fetch(`${server.url}/echo/12345`, { method: "HEAD" });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), "12345");
  });

  it("server > streaming api > a stalled upload is answered 408 and its connection closed", async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(Number(new URL(server.url).port), "127.0.0.1");
      let text = "";
      socket.on("data", (chunk) => (text += chunk.toString()));
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
      socket.write("PUT /echo/up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly some");
    });
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.match(answer, /x-amz-id-2: /i);
    assert.match(answer, /connection: close/i);
  });

  it("server > streaming api > an answer given without reading a large body closes the connection after it", async () => {
    const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
      const request = httpRequest(`${server.url}/echo/refuse`, { method: "POST", headers: { "content-length": String(1024 * 1024 * 1024) } }, (response) => {
        let body = "";
        response.on("data", (chunk) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, connection: response.headers.connection, body }));
      });
      request.on("error", reject);
      request.write(Buffer.alloc(1024));
    });
    assert.deepEqual(answer, { status: 400, connection: "close", body: "refused" });
  });

  it("server > streaming api > a download is not waiting on the client: at the connection cap a new connection does not evict it", async () => {
    const capped = await startTestServer({ services: [echoModule() as never, ...services], connections: { bodyIdleMs: 300, connectionsMax: 1 } });
    try {
      const download = new Promise<{ status: number; sizeBytes: number }>((resolve, reject) => {
        const request = httpRequest(`${capped.url}/echo/slow/x`, { agent: false }, (response) => {
          let sizeBytes = 0;
          response.on("data", (chunk: Buffer) => (sizeBytes += chunk.length));
          response.on("end", () => resolve({ status: response.statusCode!, sizeBytes }));
          response.on("error", reject);
        });
        request.on("error", reject);
        request.end();
      });
      // Past the idle deadline, mid-download: a second connection arrives at the cap of one.
      await sleep(350);
      const second = await fetch(`${capped.url}/health`).then((response) => response.status, () => "refused");
      assert.equal(second, "refused");
      assert.deepEqual(await download, { status: 200, sizeBytes: 5 * chunkBytes });
    } finally {
      await capped.stop();
    }
  });

  it("server > streaming api > requests it does not claim reach the RPC pipeline unchanged", async () => {
    const response = await rawRequest(server.url, "{}", { contentType: "application/x-amz-json-1.1", target: "Kinesis_20131202.ListStreams" });
    assert.equal(response.statusCode, 200);
    assert.ok(Array.isArray(response.body.StreamNames));
  });
});
