/**
 * A streaming API's small bodies of declared length (src/server/streaming-request.ts,
 * `wholeBodyBytesMax`) are read whole by the server and handed over as a Buffer, under the same
 * body idle deadline as a streamed body: a body that keeps moving is served however slowly it
 * comes, one that stops is answered 408 and its connection closed (its HTTP/2 stream only), one
 * cut short gets nothing — and in none of those is the API asked. Larger bodies, and bodies of no
 * declared length, still arrive as streams.
 */
import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { connect as netConnect, type Socket } from "node:net";
import { services } from "../../src/server/services.js";
import { wholeBodyBytesMax } from "../../src/server/streaming-request.js";
import type { ServiceInstance, ServiceModule } from "../../src/protocol/service-module.js";
import type { StreamingApi, StreamedResponse } from "../../src/protocol/streaming-api.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { sleep } from "../helpers/wait.js";

const bodyIdleMs = 300;

/** What the API was handed, per request it answered. */
const seen: { kind: "buffer" | "stream"; sizeBytes: number }[] = [];

/** Claims /whole/: answers "<kind> <length> <sha256>" of the body it was handed. */
function wholeModule(): ServiceModule<unknown, unknown, ServiceInstance> {
  const api: StreamingApi = {
    claims: (head) => head.path.startsWith("/whole/") && head.headers["x-amz-target"] === undefined,
    async handle(_head, body): Promise<StreamedResponse> {
      let bytes: Buffer;
      if (Buffer.isBuffer(body)) bytes = body;
      else {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(chunk as Buffer);
        bytes = Buffer.concat(chunks);
      }
      const kind = Buffer.isBuffer(body) ? "buffer" : "stream";
      seen.push({ kind, sizeBytes: bytes.length });
      return { statusCode: 200, headers: { "content-type": "text/plain" }, body: Buffer.from(`${kind} ${bytes.length} ${sha256(bytes)}`) };
    },
  };
  return { name: "whole", create: () => ({ http: api, start: async () => {}, stop: async () => {} }) };
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** Sends a request head and then the body's pieces with `gapMs` between them over one socket; resolves with all the socket received when it closes or `waitMs` after the last piece. */
async function rawPut(server: TestServer, pieces: readonly Buffer[], declaredBytes: number, gapMs: number, waitMs: number): Promise<{ text: string; closed: boolean }> {
  const socket: Socket = netConnect(Number(new URL(server.url).port), "127.0.0.1");
  let text = "";
  let closed = false;
  socket.on("data", (chunk) => (text += chunk.toString("latin1")));
  const done = new Promise<void>((resolve) => socket.on("close", () => ((closed = true), resolve())));
  socket.on("error", () => undefined);
  socket.write(`PUT /whole/x HTTP/1.1\r\nHost: x\r\nContent-Length: ${declaredBytes}\r\n\r\n`);
  for (const [index, piece] of pieces.entries()) {
    if (index > 0) await sleep(gapMs);
    socket.write(piece);
  }
  await Promise.race([done, sleep(waitMs)]);
  socket.destroy();
  return { text, closed };
}

describe("server > whole small bodies", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ services: [wholeModule() as never, ...services], connections: { bodyIdleMs } });
  });
  after(() => server?.stop());
  beforeEach(() => {
    seen.length = 0;
  });

  it("server > whole small bodies > a declared body up to the bound arrives as one Buffer; a larger one, or one of no declared length, as a stream (HTTP/1.1)", async () => {
    for (const sizeBytes of [1, 1024, wholeBodyBytesMax, wholeBodyBytesMax + 1]) {
      const body = randomBytes(sizeBytes);
      const response = await fetch(`${server.url}/whole/x`, { method: "PUT", body });
      const expected = `${sizeBytes <= wholeBodyBytesMax ? "buffer" : "stream"} ${sizeBytes} ${sha256(body)}`;
      assert.equal(await response.text(), expected, `${sizeBytes} bytes`);
    }
    // Chunked transfer encoding: no length declared, so streamed whatever its size.
    const body = randomBytes(100);
    const response = await fetch(`${server.url}/whole/x`, {
      method: "PUT",
      body: new ReadableStream({ start: (controller) => (controller.enqueue(body), controller.close()) }),
      duplex: "half",
    } as RequestInit);
    assert.equal(await response.text(), `stream 100 ${sha256(body)}`);
  });

  it("server > whole small bodies > a body that keeps arriving is read whole however long it takes in all; the connection stays open", async () => {
    const body = randomBytes(4000);
    // Five pieces, each within the idle deadline of the last, the whole well past it.
    const pieces = [0, 800, 1600, 2400, 3200].map((at) => body.subarray(at, at + 800));
    const { text, closed } = await rawPut(server, pieces, body.length, bodyIdleMs / 2, bodyIdleMs);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.ok(text.endsWith(`buffer 4000 ${sha256(body)}`), text);
    assert.doesNotMatch(text, /connection: close/i);
    assert.equal(closed, false);
  });

  it("server > whole small bodies > a body that stops is answered 408 and its connection closed, without asking the api", async () => {
    const { text, closed } = await rawPut(server, [Buffer.from("only some")], 100, 0, 10 * bodyIdleMs);
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /x-amz-id-2: /i);
    assert.match(text, /connection: close/i);
    assert.equal(closed, true);
    assert.deepEqual(seen, []);
  });

  it("server > whole small bodies > a body cut short gets no answer, and the server goes on serving", async () => {
    const socket = netConnect(Number(new URL(server.url).port), "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("error", () => undefined);
    socket.write("PUT /whole/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(500));
    await sleep(50);
    socket.destroy();
    await sleep(bodyIdleMs + 100);
    assert.equal(text, "");
    assert.deepEqual(seen, []);
    const response = await fetch(`${server.url}/whole/x`, { method: "PUT", body: "after" });
    assert.equal(await response.text(), `buffer 5 ${sha256(Buffer.from("after"))}`);
  });

  describe("over HTTP/2", () => {
    let session: ClientHttp2Session;
    before(() => {
      session = http2Connect(server.url);
    });
    after(() => session?.close());

    async function put(headers: Record<string, string>, pieces: readonly Buffer[], end: boolean): Promise<{ status: number; text: string }> {
      const stream = session.request({ ":method": "PUT", ":path": "/whole/x", ...headers });
      for (const piece of pieces) stream.write(piece);
      if (end) stream.end();
      const status = await new Promise<number>((resolve) => stream.on("response", (answer) => resolve(Number(answer[":status"]))));
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      if (!end) stream.close();
      return { status, text: Buffer.concat(chunks).toString() };
    }

    it("server > whole small bodies > over HTTP/2 > a declared small body arrives as a Buffer; one without a length as a stream", async () => {
      const body = randomBytes(3000);
      assert.deepEqual(await put({ "content-length": String(body.length) }, [body.subarray(0, 1000), body.subarray(1000)], true), { status: 200, text: `buffer 3000 ${sha256(body)}` });
      assert.deepEqual(await put({}, [body], true), { status: 200, text: `stream 3000 ${sha256(body)}` });
    });

    it("server > whole small bodies > over HTTP/2 > a body that stops is answered 408 on its stream; the session serves on", async () => {
      const stalled = await put({ "content-length": "100" }, [Buffer.from("only some")], false);
      assert.equal(stalled.status, 408);
      assert.deepEqual(seen, []);
      assert.deepEqual(await put({ "content-length": "2" }, [Buffer.from("ok")], true), { status: 200, text: `buffer 2 ${sha256(Buffer.from("ok"))}` });
    });
  });
});
