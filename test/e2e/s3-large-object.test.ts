/**
 * A 5 GiB object — S3's largest single PUT — goes through the server in and out with bounded
 * memory (issue 15): streamed from the socket into its blob and back, never held whole. The server
 * runs as its own process (the CLI, embedded engine, default fsync) so its peak resident memory
 * (VmHWM) is its own; the page cache is not counted there.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { startCliServer, type CliServer } from "../cli/cli-process.js";

const objectBytes = 5 * 1024 * 1024 * 1024;
const chunkBytes = 1024 * 1024;
/** Far below the object: what a streamed path needs (buffers, the runtime), not the object. */
const peakResidentBytesMax = 400 * 1024 * 1024;

/** The object's bytes, 1 MiB at a time: a fixed pseudo-random block varied by the chunk's index. */
function* chunks(): Generator<Buffer> {
  const block = createHash("sha512").update("seed").digest();
  const base = Buffer.alloc(chunkBytes);
  for (let at = 0; at < chunkBytes; at += block.length) block.copy(base, at);
  for (let index = 0; index * chunkBytes < objectBytes; index++) {
    const chunk = Buffer.from(base);
    chunk.writeUInt32BE(index, 0);
    chunk.writeUInt32BE(index, chunkBytes - 4);
    yield chunk;
  }
}

function peakResidentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /VmHWM:\s+(\d+) kB/.exec(status);
  assert.ok(kib, "the server's /proc status has VmHWM");
  return Number(kib[1]) * 1024;
}

function send(url: string, method: string, path: string, headers: Record<string, string>, body?: () => Generator<Buffer>): Promise<{ status: number; headers: Record<string, unknown>; sha256: string; sizeBytes: number }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, headers }, (response) => {
      const hash = createHash("sha256");
      let sizeBytes = 0;
      response.on("data", (chunk: Buffer) => {
        hash.update(chunk);
        sizeBytes += chunk.length;
      });
      response.on("end", () => resolve({ status: response.statusCode!, headers: response.headers, sha256: hash.digest("hex"), sizeBytes }));
      response.on("error", reject);
    });
    req.on("error", reject);
    if (body === undefined) {
      req.end();
      return;
    }
    const source = body();
    const pump = () => {
      for (;;) {
        const next = source.next();
        if (next.done) {
          req.end();
          return;
        }
        if (!req.write(next.value)) {
          req.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
}

describe("e2e > s3 > a 5 GiB object", () => {
  let server: CliServer;
  before(async () => {
    server = await startCliServer({ args: ["--port", "0", "--log-level", "warn"] });
  });
  after(() => server?.stop());

  it("e2e > s3 > a 5 GiB object > goes in and comes out byte-exact with the server's memory bounded", { timeout: 15 * 60_000 }, async (t) => {
    const expected = createHash("sha256");
    const md5 = createHash("md5");
    for (const chunk of chunks()) {
      expected.update(chunk);
      md5.update(chunk);
    }
    const sha256 = expected.digest("hex");
    const created = await send(server.url, "PUT", "/big-objects", {});
    assert.equal(created.status, 200);
    const put = await send(server.url, "PUT", "/big-objects/five-gib.bin", { "content-length": String(objectBytes), "content-type": "application/octet-stream" }, chunks);
    assert.equal(put.status, 200);
    assert.equal(put.headers.etag, `"${md5.digest("hex")}"`);
    const head = await send(server.url, "HEAD", "/big-objects/five-gib.bin", {});
    assert.equal(head.headers["content-length"], String(objectBytes));
    const got = await send(server.url, "GET", "/big-objects/five-gib.bin", {});
    assert.equal(got.status, 200);
    assert.equal(got.sizeBytes, objectBytes);
    assert.equal(got.sha256, sha256);
    const peak = peakResidentBytes(server.child.pid!);
    t.diagnostic(`server peak resident memory ${(peak / 2 ** 20).toFixed(0)} MiB`);
    assert.ok(peak < peakResidentBytesMax, `the server's peak resident memory was ${(peak / 2 ** 20).toFixed(0)} MiB for a ${objectBytes / 2 ** 30} GiB object`);
    const removed = await send(server.url, "DELETE", "/big-objects/five-gib.bin", {});
    assert.equal(removed.status, 204);
  });
});
