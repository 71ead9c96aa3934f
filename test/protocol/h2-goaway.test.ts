/**
 * An HTTP/2 rapid-reset flood (CVE-2023-44487: HEADERS then RST_STREAM, over and over) makes
 * nghttp2 send GOAWAY, but Node leaves the socket open: the server closes the session itself
 * after goawayGraceMs, so the descriptor is released — long before the idle deadline. A client's
 * own GOAWAY lets the streams it has open finish first (the AWS SDK for JavaScript sends one as
 * soon as an event stream's answer arrives, then reads SubscribeToShard's events for minutes).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { connect as http2Connect } from "node:http2";
import { startHttpServer, type RunningServer } from "../../src/server/create-server.js";
import { silentLogger } from "../../src/util/logger.js";
import { EventStreamOutput } from "../../src/protocol/event-stream-output.js";
import { EventStreamDecoder, type DecodedMessage } from "../../src/protocol/eventstream.js";
import type { AwsService } from "../../src/protocol/aws-service.js";
import { sleep } from "../helpers/wait.js";

const goawayGraceMs = 300;
const targetPrefix = "Kinesis_20131202";
let server: RunningServer;

/** Releases the open "Hold" event stream: it then sends one event and ends. */
let release: () => void = () => {};
/** An event stream that sends its initial response, then one event once released. */
const holding: AwsService = {
  targetPrefix,
  hasAction: (name) => name === "Hold",
  async invoke() {
    const released = new Promise<void>((resolve) => (release = resolve));
    return new EventStreamOutput(async (sink) => {
      await sink.send("initial-response", {});
      await released;
      await sink.send("Released", { after: "goaway" });
    });
  },
};

before(async () => {
  server = await startHttpServer({
    // A long idle deadline: only the GOAWAY handling may close the flooding session in time.
    config: { host: "127.0.0.1", port: 0, requestBytesMax: 1024 * 1024, connections: { idleMs: 60_000, goawayGraceMs } },
    services: [holding],
    logger: silentLogger,
  });
});

after(async () => {
  await server?.close();
});

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}


describe("protocol > HTTP/2 GOAWAY", () => {
  it("protocol > HTTP/2 GOAWAY > a rapid-reset flood gets GOAWAY and its socket is closed within the grace period", async () => {
    const socket = netConnect(server.port, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    let goawayCode: number | undefined;
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 9 && pending.length >= 9 + pending.readUIntBE(0, 3)) {
        const length = pending.readUIntBE(0, 3);
        if (pending[3] === 0x7) goawayCode ??= pending.readUInt32BE(9 + 4);
        pending = pending.subarray(9 + length);
      }
    });
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now())));
    socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    socket.write(frame(0x4, 0, 0, Buffer.alloc(0))); // SETTINGS
    // HPACK: :method POST, :scheme http, :path / (static table), :authority "a" (literal, name index 1).
    const headerBlock = Buffer.from([0x83, 0x86, 0x84, 0x01, 0x01, 0x61]);
    const cancel = Buffer.alloc(4);
    cancel.writeUInt32BE(0x8); // CANCEL
    const flood: Buffer[] = [];
    for (let i = 0; i < 5_000; i++) {
      const streamId = 1 + 2 * i;
      flood.push(frame(0x1, 0x4, streamId, headerBlock), frame(0x3, 0, streamId, cancel)); // HEADERS (END_HEADERS), RST_STREAM
    }
    socket.write(Buffer.concat(flood));
    const sentMs = performance.now();
    // The attacker keeps the connection busy with PINGs: no idle timer would ever end it.
    const pings = setInterval(() => socket.writable && socket.write(frame(0x6, 0, 0, Buffer.alloc(8))), 50);
    try {
      const closedMs = await Promise.race([closed, sleep(10_000).then(() => assert.fail("the flooding connection is still open after 10 s"))]);
      assert.notEqual(goawayCode, undefined, "no GOAWAY was sent");
      assert.ok(closedMs - sentMs < goawayGraceMs + 3_000, `closed ${(closedMs - sentMs).toFixed(0)} ms after the flood`);
    } finally {
      clearInterval(pings);
      socket.destroy();
    }
    const until = performance.now() + 2_000;
    while (server.connectionCount() > 0 && performance.now() < until) await sleep(20);
    assert.equal(server.connectionCount(), 0, "the server still counts the connection");
  });

  it("protocol > HTTP/2 GOAWAY > a client that sends GOAWAY and keeps its socket open is closed after the grace period", async () => {
    const session = http2Connect(server.url);
    session.on("error", () => {});
    await new Promise<void>((resolve) => session.once("connect", () => resolve()));
    try {
      assert.equal(server.connectionCount(), 1);
      // GOAWAY from the client side; the client keeps its socket open.
      session.goaway();
      const sentMs = performance.now();
      while (server.connectionCount() > 0 && performance.now() - sentMs < 10_000) await sleep(20);
      const closedAfterMs = performance.now() - sentMs;
      assert.equal(server.connectionCount(), 0, "still open after 10 s");
      assert.ok(closedAfterMs >= goawayGraceMs - 50, `closed ${closedAfterMs.toFixed(0)} ms after GOAWAY, before the grace period`);
      assert.ok(closedAfterMs < goawayGraceMs + 3_000, `closed ${closedAfterMs.toFixed(0)} ms after GOAWAY`);
    } finally {
      session.destroy();
    }
  });

  it("protocol > HTTP/2 GOAWAY > a client's GOAWAY lets its open event stream go on past the grace period, then closes the session", async () => {
    const session = http2Connect(server.url);
    session.on("error", () => {});
    try {
      const stream = session.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1", "x-amz-target": `${targetPrefix}.Hold` });
      const decoder = new EventStreamDecoder();
      const messages: DecodedMessage[] = [];
      stream.on("data", (chunk: Buffer) => messages.push(...decoder.push(chunk)));
      const ended = new Promise<void>((resolve, reject) => {
        stream.on("end", resolve);
        stream.on("error", reject);
        stream.on("aborted", () => reject(new Error("the event stream was aborted")));
      });
      stream.end("{}");
      await new Promise<void>((resolve) => stream.once("response", () => resolve()));
      // As the SDK does once an event stream's answer arrives: GOAWAY, and no further streams.
      session.close();
      // The stream outlives the grace period by far: what a client's GOAWAY must not cut short.
      await sleep(goawayGraceMs * 3);
      assert.equal(stream.closed, false, "the event stream was closed after the client's GOAWAY");
      release();
      await ended;
      assert.deepEqual(messages.map((message) => message.headers[":event-type"]), ["initial-response", "Released"]);
      const endedMs = performance.now();
      while (server.connectionCount() > 0 && performance.now() - endedMs < 10_000) await sleep(20);
      assert.equal(server.connectionCount(), 0, "the connection is still open 10 s after its last stream ended");
    } finally {
      session.destroy();
    }
  });

  it("protocol > HTTP/2 GOAWAY > a session that resets a few streams and completes many stays open", async () => {
    const session = http2Connect(server.url);
    session.on("error", () => {});
    try {
      for (let i = 0; i < 50; i++) {
        const status = await new Promise<number>((resolve, reject) => {
          const stream = session.request({ ":method": "GET", ":path": "/health" });
          stream.on("response", (headers) => resolve(Number(headers[":status"])));
          stream.on("error", reject);
          stream.resume();
        });
        assert.equal(status, 200);
        if (i % 5 === 0) session.request({ ":method": "POST", ":path": "/" }).close(0x8);
      }
      await sleep(goawayGraceMs * 2);
      assert.equal(session.closed || session.destroyed, false);
    } finally {
      session.destroy();
    }
  });
});
