/**
 * Small bodies read whole (src/s3/body/small-payload.ts): which requests take the path, and for
 * each verdict — the digests, XAmzContentSHA256Mismatch, BadDigest for Content-MD5 and every
 * checksum, IncompleteBody short or long, EntityTooLarge for a body longer than the limit, the
 * body's own error — exactly the outcome the streamed payload (payloadOf) gives for the same bytes.
 * Then through the server: a small PutObject's answers and bytes.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import type { PayloadSigning } from "../../src/s3/auth/index.js";
import { payloadOf, planPayload, readSmallPayload, smallPayloadBytesMax, smallPayloadOf } from "../../src/s3/body/index.js";
import { checksumAlgorithms, checksumBase64, checksumHeaderName, type ChecksumAlgorithm } from "../../src/s3/checksums/index.js";
import { s3Errors } from "../../src/s3/errors.js";
import { S3Error } from "../../src/s3/s3-error.js";
import { iterate, randomSplits, seededRandom } from "./auth-helpers.js";
import { bucketName, rawS3, startS3Server } from "./service-helpers.js";
import type { TestServer } from "../helpers/server.js";

type Outcome = { ok: true; data: Buffer; summary: unknown } | { ok: false; error: { code: string; message: string; statusCode: number; fields: unknown } };

const sizeBytesMax = 5000;
const tooLarge = (sizeBytes: number) => s3Errors.entityTooLarge(sizeBytes, sizeBytesMax);

function asOutcome(error: unknown): Outcome {
  if (!(error instanceof S3Error)) throw error;
  return { ok: false, error: { code: error.code, message: error.message, statusCode: error.statusCode, fields: error.fields } };
}

/** The streamed path as PutObject runs it: payloadOf, bounded at sizeBytesMax. */
async function streamed(head: RequestHead, pieces: readonly Buffer[], signing: PayloadSigning, computeChecksums?: ChecksumAlgorithm[]): Promise<Outcome> {
  const payload = payloadOf(head, iterate(pieces), signing, computeChecksums && { computeChecksums });
  const out: Buffer[] = [];
  let sizeBytes = 0;
  try {
    for await (const data of payload.bytes) {
      sizeBytes += data.length;
      if (sizeBytes > sizeBytesMax) throw tooLarge(sizeBytes);
      out.push(Buffer.from(data));
    }
  } catch (error) {
    return asOutcome(error);
  }
  return { ok: true, data: Buffer.concat(out), summary: payload.summary() };
}

async function whole(head: RequestHead, pieces: readonly Buffer[], signing: PayloadSigning, computeChecksums?: ChecksumAlgorithm[]): Promise<Outcome> {
  const small = smallPayloadOf(planPayload(head, signing));
  assert.ok(small !== undefined, "the request takes the small path");
  try {
    const read = await readSmallPayload(small, Readable.from(pieces), signing, sizeBytesMax, tooLarge, computeChecksums && { computeChecksums });
    return { ok: true, data: read.bytes, summary: read.summary };
  } catch (error) {
    return asOutcome(error);
  }
}

/** Both paths on the same bytes, split at random: the same outcome. */
async function samePaths(head: RequestHead, body: Buffer, signing: PayloadSigning, computeChecksums?: ChecksumAlgorithm[]): Promise<Outcome> {
  const pieces = randomSplits(body, seededRandom(body.length), 20);
  const expected = await streamed(head, pieces, signing, computeChecksums);
  assert.deepEqual(await whole(head, pieces, signing, computeChecksums), expected);
  return expected;
}

function put(body: Buffer, headers: Record<string, string> = {}): RequestHead {
  return { method: "PUT", path: "/bucket/key", query: "", headers: { host: "127.0.0.1", "content-length": String(body.length), ...headers } };
}

const body = randomBytes(3000);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const md5Base64 = (data: Buffer) => createHash("md5").update(data).digest("base64");

describe("s3 body > small bodies read whole: the same verdicts as the stream", () => {
  it("takes a Content-Length up to 64 KiB, not aws-chunked; streams the rest", () => {
    assert.ok(smallPayloadOf(planPayload(put(Buffer.alloc(smallPayloadBytesMax)), { kind: "unsigned" })) !== undefined);
    assert.ok(smallPayloadOf(planPayload(put(Buffer.alloc(0)), { kind: "unsigned" })) !== undefined);
    assert.equal(smallPayloadOf(planPayload(put(Buffer.alloc(smallPayloadBytesMax + 1)), { kind: "unsigned" })), undefined);
    const noLength: RequestHead = { method: "PUT", path: "/bucket/key", query: "", headers: { host: "127.0.0.1", "transfer-encoding": "chunked" } };
    assert.equal(smallPayloadOf(planPayload(noLength, { kind: "unsigned" })), undefined);
    const chunked = put(body, { "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "10" });
    assert.equal(smallPayloadOf(planPayload(chunked, { kind: "streaming-unsigned-trailer" })), undefined);
    assert.equal(smallPayloadOf(planPayload(put(body), { kind: "unsigned" }), { workerHashingBytesMin: 0 }), undefined, "a body the options send to a worker");
  });

  it("the bytes and the summary (MD5, computed checksums), empty bodies included", async () => {
    const good = await samePaths(put(body), body, { kind: "unsigned" }, ["CRC64NVME"]);
    assert.ok(good.ok);
    assert.deepEqual(good.data, body);
    assert.ok((await samePaths(put(Buffer.alloc(0)), Buffer.alloc(0), { kind: "unsigned" })).ok);
  });

  it("the whole-body SHA-256: a match, and XAmzContentSHA256Mismatch", async () => {
    assert.ok((await samePaths(put(body), body, { kind: "sha256", expectedHex: sha256(body) })).ok);
    const wrong = await samePaths(put(body), body, { kind: "sha256", expectedHex: sha256(Buffer.from("other")) });
    assert.equal(!wrong.ok && wrong.error.code, "XAmzContentSHA256Mismatch");
  });

  it("Content-MD5: a match, and BadDigest; SHA-256 is checked first", async () => {
    assert.ok((await samePaths(put(body, { "content-md5": md5Base64(body) }), body, { kind: "unsigned" })).ok);
    const wrong = await samePaths(put(body, { "content-md5": md5Base64(Buffer.from("other")) }), body, { kind: "unsigned" });
    assert.equal(!wrong.ok && wrong.error.code, "BadDigest");
    const both = await samePaths(put(body, { "content-md5": md5Base64(Buffer.from("other")) }), body, { kind: "sha256", expectedHex: sha256(Buffer.from("other")) });
    assert.equal(!both.ok && both.error.code, "XAmzContentSHA256Mismatch");
  });

  it("every checksum algorithm in a header: a match and a mismatch", async () => {
    for (const algorithm of checksumAlgorithms) {
      const good = await samePaths(put(body, { [checksumHeaderName(algorithm)]: await checksumBase64(algorithm, body) }), body, { kind: "unsigned" }, ["CRC64NVME"]);
      assert.ok(good.ok, algorithm);
      const wrong = await samePaths(put(body, { [checksumHeaderName(algorithm)]: await checksumBase64(algorithm, Buffer.from("other")) }), body, { kind: "unsigned" });
      assert.equal(!wrong.ok && wrong.error.code, "BadDigest", algorithm);
    }
  });

  it("a body shorter or longer than its Content-Length: IncompleteBody with the counts; longer than the limit: EntityTooLarge", async () => {
    const short = await samePaths(put(body, { "content-length": String(body.length + 1) }), body, { kind: "unsigned" });
    assert.equal(!short.ok && short.error.code, "IncompleteBody");
    const long = await samePaths(put(body, { "content-length": String(body.length - 100) }), body, { kind: "unsigned" });
    assert.equal(!long.ok && long.error.code, "IncompleteBody");
    const huge = Buffer.alloc(sizeBytesMax + 1000, 7);
    const tooLong = await samePaths(put(body), huge, { kind: "unsigned" });
    assert.equal(!tooLong.ok && tooLong.error.code, "EntityTooLarge");
  });

  it("a body that fails (a reset or a stall) rejects with its own error", async () => {
    const failing = new Readable({ read() {} });
    const small = smallPayloadOf(planPayload(put(body), { kind: "unsigned" }))!;
    const reading = readSmallPayload(small, failing, { kind: "unsigned" }, sizeBytesMax, tooLarge);
    failing.push(body.subarray(0, 100));
    failing.destroy(new Error("reset"));
    await assert.rejects(reading, /reset/);
    const closed = new Readable({ read() {} });
    const cut = readSmallPayload(small, closed, { kind: "unsigned" }, sizeBytesMax, tooLarge);
    closed.destroy();
    await assert.rejects(cut, /closed before it ended/);
  });
});

describe("s3 body > small PutObject through the server", () => {
  let server: TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(() => server.stop());

  it("stores the bytes with their ETag and checksum; refuses a bad digest or a short body and stores nothing", async () => {
    const bucket = bucketName("small");
    assert.equal((await rawS3(server, "PUT", `/${bucket}`)).statusCode, 200);
    for (const size of [0, 1, 1024, smallPayloadBytesMax]) {
      const bytes = randomBytes(size);
      const crc = await checksumBase64("CRC32C", bytes);
      const put = await rawS3(server, "PUT", `/${bucket}/k${size}`, { body: bytes, headers: { "x-amz-checksum-crc32c": crc, "content-md5": md5Base64(bytes) } });
      assert.equal(put.statusCode, 200, `${size}: ${put.text}`);
      assert.equal(put.headers.etag, `"${createHash("md5").update(bytes).digest("hex")}"`);
      assert.equal(put.headers["x-amz-checksum-crc32c"], crc);
      const got = await rawS3(server, "GET", `/${bucket}/k${size}`);
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.body, bytes, `${size} bytes read back`);
    }
    const bad = await rawS3(server, "PUT", `/${bucket}/bad`, { body, headers: { "content-md5": md5Base64(Buffer.from("other")) } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.text, /<Code>BadDigest<\/Code>/);
    assert.equal((await rawS3(server, "GET", `/${bucket}/bad`)).statusCode, 404);
  });
});
