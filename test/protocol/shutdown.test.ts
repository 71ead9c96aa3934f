/**
 * Graceful stop of the listener (startHttpServer's close): requests being served finish, idle
 * keep-alive connections and HTTP/2 sessions do not hold the stop, and a client that stalls
 * mid-body is cut after the drain bound. Uses a stub service so the request timing is ours.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect as connectHttp2 } from "node:http2";
import { connect } from "node:net";
import { startHttpServer, type RunningServer } from "../../src/server/create-server.js";
import { silentLogger } from "../../src/util/logger.js";
import type { AwsService } from "../../src/protocol/aws-service.js";
import { sleep } from "../helpers/wait.js";

/** Far below the listener's 65 s keep-alive timeout, far above what a stop should take here. */
const stopWithinMs = 5_000;

interface Stub {
  server: RunningServer;
  /** Resolves the pending `Slow` calls. */
  release(): void;
  /** Resolves once a `Slow` call has started. */
  slowStarted: Promise<void>;
}

async function startStub(drainMsMax = 60_000): Promise<Stub> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const slowStarted = new Promise<void>((resolve) => (started = resolve));
  const service: AwsService = {
    targetPrefix: "Stub_1",
    hasAction: (name) => name === "Fast" || name === "Slow",
    async invoke(action) {
      if (action === "Slow") {
        started();
        await gate;
      }
      return { action };
    },
  };
  const server = await startHttpServer({
    config: { host: "127.0.0.1", port: 0, requestBytesMax: 1024 * 1024, drainMsMax },
    services: [service],
    logger: silentLogger,
  });
  return { server, release, slowStarted };
}

function call(url: string, action: string, agent: Agent | false = false): Promise<{ statusCode: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        agent,
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Stub_1.${action}` },
      },
      (res) => {
        let body = "";
        res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
        res.on("end", () => resolve({ statusCode: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
}

/** Fails unless `promise` settles within `ms`: the stop must not wait on a client. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe("protocol > shutdown", () => {
  it("protocol > shutdown > a request being served finishes before the stop completes", async () => {
    const stub = await startStub();
    const slow = call(stub.server.url, "Slow");
    await stub.slowStarted;
    let stopped = false;
    const stopping = stub.server.close().then(() => (stopped = true));
    await sleep(50);
    assert.equal(stopped, false, "the stop must wait for the request being served");
    stub.release();
    assert.deepEqual(await slow, { statusCode: 200, body: '{"action":"Slow"}' });
    await within(stopping, stopWithinMs, "stop");
  });

  it("protocol > shutdown > an idle HTTP/1.1 keep-alive connection does not hold the stop", async () => {
    const stub = await startStub();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      assert.equal((await call(stub.server.url, "Fast", agent)).statusCode, 200);
      await within(stub.server.close(), stopWithinMs, "stop with an idle keep-alive connection");
    } finally {
      agent.destroy();
    }
  });

  it("protocol > shutdown > an open HTTP/2 session does not hold the stop", async () => {
    const stub = await startStub();
    const session = connectHttp2(stub.server.url);
    session.on("error", () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        const stream = session.request({ ":method": "POST", ":path": "/", "content-type": "application/x-amz-json-1.1", "x-amz-target": "Stub_1.Fast" });
        stream.on("response", (headers) => (headers[":status"] === 200 ? resolve() : reject(new Error(String(headers[":status"])))));
        stream.resume();
        stream.end("{}");
      });
      await within(stub.server.close(), stopWithinMs, "stop with an open HTTP/2 session");
    } finally {
      session.destroy();
    }
  });

  it("protocol > shutdown > a client stalled mid-body is cut after the drain bound", async () => {
    const stub = await startStub(200);
    const target = new URL(stub.server.url);
    const socket = connect(Number(target.port), target.hostname);
    socket.on("error", () => {});
    await new Promise<void>((resolve) => socket.on("connect", () => resolve()));
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Stub_1.Fast\r\nContent-Length: 100\r\n\r\n{");
    await sleep(50);
    await within(stub.server.close(), stopWithinMs, "stop with a stalled upload");
    await within(closed, stopWithinMs, "closing the stalled connection");
  });
});
