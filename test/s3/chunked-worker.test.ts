/**
 * Large bodies are hashed on a worker thread (src/s3/body/hash-pool.ts): every verdict — the
 * digests, BadDigest, XAmzContentSHA256Mismatch, a checksum mismatch, a bad chunk signature, a
 * short body — is exactly the one the main thread gives for the same bytes; a worker that dies
 * fails the request with InternalError, nothing is stored, and the pool starts a fresh worker.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import { authenticateS3, type PayloadSigning } from "../../src/s3/auth/index.js";
import { payloadOf, workerHashingBytesMinDefault } from "../../src/s3/body/index.js";
import { crashHashWorkersForTest, hashPoolStats, HashWorkerError, stopHashWorkers } from "../../src/s3/body/hash-pool.js";
import { checksumAlgorithms, checksumBase64, checksumHeaderName, type ChecksumAlgorithm } from "../../src/s3/checksums/index.js";
import { S3Error } from "../../src/s3/s3-error.js";
import { basicIso, handSignedChunkedPut, iterate, randomSplits, seededRandom, sigv4Deps } from "./auth-helpers.js";
import { bucketName, rawS3, startS3Server } from "./service-helpers.js";

after(() => stopHashWorkers());

type Outcome = { ok: true; data: Buffer; summary: unknown } | { ok: false; data: Buffer; error: { code: string; message: string; statusCode: number; fields: unknown } };

/** Reads a payload to the end on one path: what it yielded, and its summary or its S3Error (as plain data, to compare). */
async function read(head: RequestHead, pieces: readonly Buffer[], signing: PayloadSigning, onWorker: boolean, computeChecksums?: ChecksumAlgorithm[]): Promise<Outcome> {
  const payload = payloadOf(head, iterate(pieces), signing, { workerHashingBytesMin: onWorker ? 0 : Number.POSITIVE_INFINITY, ...(computeChecksums && { computeChecksums }) });
  const out: Buffer[] = [];
  try {
    for await (const data of payload.bytes) out.push(Buffer.from(data));
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    return { ok: false, data: Buffer.concat(out), error: { code: error.code, message: error.message, statusCode: error.statusCode, fields: error.fields } };
  }
  return { ok: true, data: Buffer.concat(out), summary: payload.summary() };
}

/** Both paths on the same bytes: the same outcome, byte for byte; the worker path did use a worker. */
async function samePaths(head: RequestHead, pieces: readonly Buffer[], signing: PayloadSigning, computeChecksums?: ChecksumAlgorithm[]): Promise<Outcome> {
  const main = await read(head, pieces, signing, false, computeChecksums);
  const before = hashPoolStats().sessionsStarted;
  const worker = await read(head, pieces, signing, true, computeChecksums);
  assert.equal(hashPoolStats().sessionsStarted, before + 1, "the worker path hashed on a worker");
  assert.deepEqual(worker, main);
  return main;
}

function put(body: Buffer, headers: Record<string, string> = {}): RequestHead {
  return { method: "PUT", path: "/bucket/key", query: "", headers: { host: "127.0.0.1", "content-length": String(body.length), ...headers } };
}

const body = randomBytes(3 * 1024 * 1024 + 17);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const md5Base64 = (data: Buffer) => createHash("md5").update(data).digest("base64");
const pieces = randomSplits(body, seededRandom(7), 100);

describe("s3 body > hashing on a worker: the same verdicts as the main thread", () => {
  it("a large body takes the worker path by default; a small one stays on the main thread", async () => {
    const before = hashPoolStats().sessionsStarted;
    const small = Buffer.alloc(workerHashingBytesMinDefault - 1, 1);
    const smallRead = payloadOf(put(small), iterate([small]), { kind: "unsigned" });
    for await (const _ of smallRead.bytes);
    assert.equal(hashPoolStats().sessionsStarted, before);
    const large = payloadOf(put(body), iterate(pieces), { kind: "sha256", expectedHex: sha256(body) });
    for await (const _ of large.bytes);
    assert.equal(hashPoolStats().sessionsStarted, before + 1);
    assert.equal(large.summary().md5Hex, createHash("md5").update(body).digest("hex"));
    assert.equal(large.summary().sizeBytes, body.length);
  });

  it("the whole-body SHA-256: a match, and XAmzContentSHA256Mismatch", async () => {
    assert.ok((await samePaths(put(body), pieces, { kind: "sha256", expectedHex: sha256(body) })).ok);
    const wrong = await samePaths(put(body), pieces, { kind: "sha256", expectedHex: sha256(Buffer.from("other")) });
    assert.equal(!wrong.ok && wrong.error.code, "XAmzContentSHA256Mismatch");
  });

  it("Content-MD5: a match, and BadDigest", async () => {
    assert.ok((await samePaths(put(body, { "content-md5": md5Base64(body) }), pieces, { kind: "unsigned" })).ok);
    const wrong = await samePaths(put(body, { "content-md5": md5Base64(Buffer.from("other")) }), pieces, { kind: "unsigned" });
    assert.equal(!wrong.ok && wrong.error.code, "BadDigest");
  });

  it("every checksum algorithm in a header: a match and a mismatch; computed ones alongside", async () => {
    for (const algorithm of checksumAlgorithms) {
      const good = await samePaths(put(body, { [checksumHeaderName(algorithm)]: await checksumBase64(algorithm, body) }), pieces, { kind: "unsigned" }, ["CRC64NVME"]);
      assert.ok(good.ok, algorithm);
      const wrong = await samePaths(put(body, { [checksumHeaderName(algorithm)]: await checksumBase64(algorithm, Buffer.from("other")) }), pieces, { kind: "unsigned" });
      assert.equal(!wrong.ok && wrong.error.code, "BadDigest", algorithm);
    }
  });

  it("a body shorter or longer than its Content-Length: IncompleteBody", async () => {
    const short = await samePaths(put(body, { "content-length": String(body.length + 1) }), pieces, { kind: "unsigned" });
    assert.equal(!short.ok && short.error.code, "IncompleteBody");
  });

  it("aws-chunked with an unsigned checksum trailer: a match and a mismatch", async () => {
    const chunks = [body.subarray(0, 1 << 20), body.subarray(1 << 20, 3 << 20), body.subarray(3 << 20)];
    const frames = (trailerValue: string) =>
      Buffer.concat([
        ...chunks.map((chunk) => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])),
        Buffer.from(`0\r\nx-amz-checksum-crc32c:${trailerValue}\r\n\r\n`),
      ]);
    const headers = (raw: Buffer) => ({
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "content-length": String(raw.length),
      "x-amz-decoded-content-length": String(body.length), "x-amz-trailer": "x-amz-checksum-crc32c",
    });
    const good = frames(await checksumBase64("CRC32C", body));
    assert.ok((await samePaths(put(good, headers(good)), randomSplits(good, seededRandom(3), 100), { kind: "streaming-unsigned-trailer" })).ok);
    const bad = frames(await checksumBase64("CRC32C", Buffer.from("other")));
    const wrong = await samePaths(put(bad, headers(bad)), randomSplits(bad, seededRandom(4), 100), { kind: "streaming-unsigned-trailer" });
    assert.equal(!wrong.ok && wrong.error.code, "BadDigest");
  });

  it("signed aws-chunked: chunk signatures hold, and a bad one is SignatureDoesNotMatch with the same bytes yielded before it", async () => {
    const nowMs = Date.UTC(2026, 11, 6, 12, 0, 0);
    const chunks = [body.subarray(0, 1 << 20), body.subarray(1 << 20, 2 << 20), body.subarray(2 << 20)];
    const signed = handSignedChunkedPut({ chunks, amzDate: basicIso(nowMs), trailers: [["x-amz-checksum-sha256", await checksumBase64("SHA256", body)]] });
    const auth = await authenticateS3(signed.head, sigv4Deps(nowMs));
    assert.ok(auth.ok);
    const good = await samePaths(signed.head, randomSplits(signed.body, seededRandom(5), 100), auth.payload);
    assert.ok(good.ok);
    assert.deepEqual(good.data, body);
    const tampered = Buffer.from(signed.body);
    const at = tampered.indexOf(signed.signatures[1]!);
    tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
    const wrong = await samePaths(signed.head, randomSplits(tampered, seededRandom(6), 100), auth.payload);
    assert.equal(!wrong.ok && wrong.error.code, "SignatureDoesNotMatch");
    assert.ok(wrong.data.length < (2 << 20), "the failing chunk's last bytes were not yielded");
  });
});

describe("s3 body > a hashing worker that dies", () => {
  it("fails the payload with HashWorkerError, and the next large body gets a fresh worker", async () => {
    async function* dying(): AsyncGenerator<Buffer> {
      yield body.subarray(0, 1 << 20);
      crashHashWorkersForTest();
      await new Promise((resolve) => setImmediate(resolve));
      // The crash lands between these pieces; the iterator notices on a later update or at the end.
      for (let at = 1 << 20; at < body.length; at += 64 * 1024) {
        yield body.subarray(at, Math.min(body.length, at + 64 * 1024));
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const payload = payloadOf(put(body), dying(), { kind: "sha256", expectedHex: sha256(body) }, { workerHashingBytesMin: 0 });
    await assert.rejects(async () => {
      for await (const _ of payload.bytes);
    }, HashWorkerError);
    assert.ok((await samePaths(put(body), pieces, { kind: "sha256", expectedHex: sha256(body) })).ok);
  });

  it("through the server: InternalError, and no object is stored", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "tributary-s3-worker-"));
    const server = await startS3Server({ dataDir });
    try {
      const bucket = bucketName("worker");
      assert.equal((await rawS3(server, "PUT", `/${bucket}`)).statusCode, 200);
      const ok = await rawS3(server, "PUT", `/${bucket}/whole`, { body });
      assert.equal(ok.statusCode, 200, ok.text);
      assert.equal(ok.headers.etag, `"${createHash("md5").update(body).digest("hex")}"`);

      // A slow upload: half the body, the worker dies, then the rest.
      const target = new URL(server.url);
      const answer = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
        const req = request({ host: target.hostname, port: target.port, method: "PUT", path: `/${bucket}/cut`, headers: { "content-length": String(body.length) }, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ statusCode: res.statusCode!, text: Buffer.concat(chunks).toString() }));
        });
        req.on("error", reject);
        req.write(body.subarray(0, 2 << 20), () => {
          setTimeout(() => {
            crashHashWorkersForTest();
            setTimeout(() => req.end(body.subarray(2 << 20)), 100);
          }, 100);
        });
      });
      assert.equal(answer.statusCode, 500, answer.text);
      assert.match(answer.text, /<Code>InternalError<\/Code>/);
      assert.equal((await rawS3(server, "GET", `/${bucket}/cut`)).statusCode, 404);
      const again = await rawS3(server, "PUT", `/${bucket}/again`, { body });
      assert.equal(again.statusCode, 200, again.text);
      assert.deepEqual((await rawS3(server, "GET", `/${bucket}/again`)).body, body);
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
