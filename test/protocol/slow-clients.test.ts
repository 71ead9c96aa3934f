/**
 * Every phase a connection waits on its client has a deadline (src/server/connection-limits.ts),
 * checked through real sockets against a server with short deadlines: each kind of stalled
 * connection is closed within its deadline (and not long before it), the answers AWS's load
 * balancers give (408 for a request that stopped arriving), and the cap on connections keeps
 * /health answering while stalled connections fill it.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { connect as http2Connect, constants, type ClientHttp2Session } from "node:http2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHttpServer, type RunningServer } from "../../src/server/create-server.js";
import type { ConnectionLimits } from "../../src/server/connection-limits.js";
import { openFilesLimit, resolveConnectionLimits } from "../../src/server/connection-limits.js";
import { loadOrCreateSelfSigned } from "../../src/server/tls-self-signed.js";
import { systemClock } from "../../src/util/clock.js";
import { systemRandom } from "../../src/util/random.js";
import { silentLogger } from "../../src/util/logger.js";
import { startApp, requestBytesMaxDefault } from "../../src/server/app.js";
import { createMemoryEngine } from "../../src/storage/index.js";
import { defaultStreamsConfig } from "../../src/streams/index.js";
import { sleep, waitFor } from "../helpers/wait.js";

/** Short deadlines, each distinct so a close can be told apart by when it came. */
const limits: ConnectionLimits = {
  idleMs: 1_500,
  tlsHandshakeMs: 900,
  headersMs: 900,
  bodyIdleMs: 900,
  goawayGraceMs: 300,
  connectionsMax: 1_000,
};
/** A busy 2-core machine: a close may come this much after its deadline. */
const lateMsMax = 1_500;
/** ...and seem this much early at most: the client marks its start a little after the server accepted. */
const earlyMsMax = 250;

let server: RunningServer;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tributary-slow-clients-"));
  const tls = await loadOrCreateSelfSigned({ dataDir, host: "127.0.0.1", clock: systemClock, random: systemRandom, logger: silentLogger });
  server = await startHttpServer({
    config: { host: "127.0.0.1", port: 0, requestBytesMax: 1024 * 1024, tls, connections: limits },
    services: [],
    logger: silentLogger,
  });
});

after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Closed {
  /** Milliseconds from `since` to the socket's close. */
  afterMs: number;
  received: Buffer;
}

/** Opens a raw socket; resolves when the server closes it, with what it sent (and fails the test after `waitMs`). */
function rawConnection(port: number, waitMs = 10_000): { socket: Socket; connected: Promise<void>; closed: Promise<Closed>; mark(): void } {
  const socket = netConnect(port, "127.0.0.1");
  let since = performance.now();
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  socket.on("error", () => {});
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  const closed = new Promise<Closed>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${waitMs} ms`)), waitMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve({ afterMs: performance.now() - since, received: Buffer.concat(chunks) });
    });
  });
  return {
    socket,
    connected,
    closed,
    mark: () => {
      since = performance.now();
    },
  };
}

function assertClosedAt(closed: Closed, deadlineMs: number, what: string): void {
  assert.ok(closed.afterMs >= deadlineMs - earlyMsMax, `${what}: closed after ${closed.afterMs.toFixed(0)} ms, before its ${deadlineMs} ms deadline`);
  assert.ok(closed.afterMs <= deadlineMs + lateMsMax, `${what}: closed after ${closed.afterMs.toFixed(0)} ms, deadline ${deadlineMs} ms`);
}


function h2Request(session: ClientHttp2Session, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ":method": "GET", ":path": path });
    stream.on("response", (headers) => resolve(Number(headers[":status"])));
    stream.on("error", reject);
    stream.resume();
  });
}

describe("protocol > slow clients", () => {
  it("protocol > slow clients > a silent connection is closed at idleMs", async () => {
    const connection = rawConnection(server.port);
    await connection.connected;
    connection.mark();
    const closed = await connection.closed;
    assertClosedAt(closed, limits.idleMs, "silent");
    assert.equal(closed.received.length, 0);
  });

  it("protocol > slow clients > half an HTTP/2 preface is closed at idleMs from the connection's start", async () => {
    const connection = rawConnection(server.port);
    await connection.connected;
    connection.mark();
    connection.socket.write("PRI * HTTP/2.0\r\n");
    await sleep(limits.idleMs / 2);
    connection.socket.write("\r\nSM"); // more of it, still not all: the deadline is the whole sniff's
    assertClosedAt(await connection.closed, limits.idleMs, "half a preface");
  });

  it("protocol > slow clients > slow headers (a byte at a time) get 408 and a close at headersMs", async () => {
    const connection = rawConnection(server.port);
    await connection.connected;
    connection.mark();
    connection.socket.write("POST / HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => connection.socket.writable && connection.socket.write("a"), 100);
    try {
      const closed = await connection.closed;
      assertClosedAt(closed, limits.headersMs, "slow headers");
      assert.match(closed.received.toString("latin1"), /^HTTP\/1\.1 408 Request Timeout\r\n/);
    } finally {
      clearInterval(drip);
    }
  });

  it("protocol > slow clients > a stalled HTTP/1.1 body gets 408 and a close at bodyIdleMs after its last byte; a slow moving one is served", async () => {
    const connection = rawConnection(server.port);
    await connection.connected;
    connection.socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100\r\n\r\n{");
    // Bytes keep coming for longer than bodyIdleMs in all: the deadline is on silence, not on the whole body.
    for (let i = 0; i < 4; i++) {
      await sleep(limits.bodyIdleMs / 3);
      connection.socket.write(" ");
    }
    connection.mark();
    const closed = await connection.closed;
    assertClosedAt(closed, limits.bodyIdleMs, "stalled body");
    const answer = closed.received.toString("latin1");
    assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(answer, /\r\nconnection: close\r\n/i);
  });

  it("protocol > slow clients > an idle keep-alive connection is closed at idleMs after its last answer, which announced it", async () => {
    const connection = rawConnection(server.port);
    await connection.connected;
    connection.socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    await waitFor("the /health answer", () => connection.socket.bytesRead > 0, 5_000);
    connection.mark();
    const closed = await connection.closed;
    assertClosedAt(closed, limits.idleMs, "idle keep-alive");
    const answer = closed.received.toString("latin1");
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(answer, new RegExp(`\\r\\nKeep-Alive: timeout=${Math.floor(limits.idleMs / 1000)}\\r\\n`, "i"));
  });

  it("protocol > slow clients > an idle HTTP/2 session gets GOAWAY and is closed at idleMs", async () => {
    const session = http2Connect(server.url);
    session.on("error", () => {});
    let goawayCode: number | undefined;
    session.on("goaway", (code) => (goawayCode = code));
    assert.equal(await h2Request(session, "/health"), 200);
    const since = performance.now();
    await new Promise<void>((resolve) => session.once("close", () => resolve()));
    assertClosedAt({ afterMs: performance.now() - since, received: Buffer.alloc(0) }, limits.idleMs, "idle HTTP/2 session");
    assert.equal(goawayCode, constants.NGHTTP2_NO_ERROR);
  });

  it("protocol > slow clients > a stalled HTTP/2 upload gets 408 on its stream at bodyIdleMs; the session's other streams carry on", async () => {
    const session = http2Connect(server.url);
    session.on("error", () => {});
    try {
      const upload = session.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1", "x-amz-target": "Kinesis_20131202.ListStreams" });
      upload.on("error", () => {});
      upload.write("{");
      const since = performance.now();
      const status = await new Promise<number>((resolve) => upload.on("response", (headers) => resolve(Number(headers[":status"]))));
      assertClosedAt({ afterMs: performance.now() - since, received: Buffer.alloc(0) }, limits.bodyIdleMs, "stalled HTTP/2 upload");
      assert.equal(status, 408);
      // The session is still good for other requests.
      assert.equal(await h2Request(session, "/health"), 200);
      assert.equal(session.closed || session.destroyed, false);
    } finally {
      session.destroy();
    }
  });

  it("protocol > slow clients > a TLS client that never finishes its handshake is closed at tlsHandshakeMs", async () => {
    const connection = rawConnection(server.port);
    await connection.connected;
    connection.mark();
    // A TLS record header announcing a 512-byte ClientHello, and then only part of it.
    connection.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]));
    assertClosedAt(await connection.closed, limits.tlsHandshakeMs, "unfinished TLS handshake");
  });

  it("protocol > slow clients > a TLS connection that finishes its handshake and then sends no request gets 408 at headersMs", async () => {
    // Node's header clock starts with the connection (before its first byte), so a silent HTTP/1.1
    // connection meets headersMs (<= idleMs) with Node's 408.
    const socket = tlsConnect({ host: "127.0.0.1", port: server.port, rejectUnauthorized: false, ALPNProtocols: ["http/1.1"] });
    socket.on("error", () => {});
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    await new Promise<void>((resolve) => socket.once("secureConnect", () => resolve()));
    const since = performance.now();
    // The server's FIN: a TLS client socket may stay half-open after it, so its 'end' is the sign.
    await new Promise<void>((resolve) => socket.once("end", () => resolve()));
    socket.destroy();
    assertClosedAt({ afterMs: performance.now() - since, received: Buffer.alloc(0) }, limits.headersMs, "silent after TLS");
    assert.match(Buffer.concat(chunks).toString("latin1"), /^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it("protocol > slow clients > every stalled connection is gone once its deadline has passed", async () => {
    await waitFor("no connection left open", () => server.connectionCount() === 0, limits.idleMs + lateMsMax);
  });
});

describe("protocol > slow clients > connection cap", () => {
  const connectionsMax = 20;
  let capped: RunningServer;

  before(async () => {
    // Long deadlines: here only the cap closes connections.
    capped = await startHttpServer({
      config: { host: "127.0.0.1", port: 0, requestBytesMax: 1024 * 1024, connections: { connectionsMax, idleMs: 60_000, headersMs: 60_000, bodyIdleMs: 60_000 } },
      services: [],
      logger: silentLogger,
    });
  });

  after(async () => {
    await capped?.close();
  });

  it("protocol > slow clients > connection cap > N + k stalled connections: the oldest are closed, /health answers on a fresh connection", async () => {
    const extra = 5;
    const stalled: ReturnType<typeof rawConnection>[] = [];
    for (let i = 0; i < connectionsMax + extra; i++) {
      const connection = rawConnection(capped.port, 30_000);
      await connection.connected;
      // A mix of the stalls: silent, half a preface, unfinished headers, unfinished bodies.
      if (i % 4 === 1) connection.socket.write("PRI * HTTP/2.0\r\n");
      if (i % 4 === 2) connection.socket.write("POST / HTTP/1.1\r\nHost: x\r\n");
      if (i % 4 === 3) connection.socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{");
      stalled.push(connection);
      await waitFor(`connection ${i} counted`, () => capped.connectionCount() === Math.min(i + 1, connectionsMax), 5_000);
    }
    // The first `extra` made room for the last ones, oldest first.
    await Promise.all(stalled.slice(0, extra).map((connection) => connection.closed));
    assert.equal(capped.connectionCount(), connectionsMax);
    for (const connection of stalled.slice(extra)) assert.equal(connection.socket.destroyed, false, "a newer connection was closed");

    const health = await fetch(`${capped.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: "ok" });
    await stalled[extra]!.closed; // the oldest left made room for it
    assert.ok(capped.connectionCount() <= connectionsMax);
    for (const connection of stalled) connection.socket.destroy();
  });

  it("protocol > slow clients > connection cap > the cap is fitted to the descriptor limit", () => {
    assert.equal(openFilesLimit("Max open files            512                  4096                 files     \n"), 512);
    assert.equal(openFilesLimit("Max open files            unlimited            unlimited            files     \n"), undefined);
    assert.equal(resolveConnectionLimits({ connectionsMax: 4096 }, 512).connectionsMax, 384);
    assert.equal(resolveConnectionLimits({ connectionsMax: 100 }, 512).connectionsMax, 100);
    assert.equal(resolveConnectionLimits(undefined, undefined).connectionsMax, 4096);
  });
});

describe("protocol > slow clients > through startApp", () => {
  it("protocol > slow clients > through startApp > AppConfig.connections reaches the listener", async () => {
    const app = await startApp({
      clock: systemClock,
      random: systemRandom,
      logger: silentLogger,
      storage: createMemoryEngine(systemRandom),
      config: { host: "127.0.0.1", port: 0, requestBytesMax: requestBytesMaxDefault, streams: defaultStreamsConfig, connections: { idleMs: 700 } },
    });
    try {
      const connection = rawConnection(app.port);
      await connection.connected;
      connection.mark();
      assertClosedAt(await connection.closed, 700, "silent, through startApp");
    } finally {
      await app.stop();
    }
  });
});
