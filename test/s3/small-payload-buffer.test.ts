/**
 * A small body the server read whole reaches S3 as a Buffer (src/server/streaming-request.ts):
 * readSmallPayload and payloadOf give it exactly the verdict they give the same bytes as a stream
 * — the digests, IncompleteBody short or long, EntityTooLarge, BadDigest, aws-chunked decoding —
 * and the buffer the store may keep holds no larger allocation alive. Through the server: a small
 * PutObject that stops mid-body is answered 408 and stores nothing; one sent slowly is stored.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect as netConnect } from "node:net";
import { Readable } from "node:stream";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import type { PayloadSigning } from "../../src/s3/auth/index.js";
import { payloadOf, planPayload, readSmallPayload, smallPayloadOf } from "../../src/s3/body/index.js";
import { s3Errors } from "../../src/s3/errors.js";
import { S3Error } from "../../src/s3/s3-error.js";
import { bucketName, rawS3, startS3Server } from "./service-helpers.js";
import type { TestServer } from "../helpers/server.js";
import { sleep } from "../helpers/wait.js";

const sizeBytesMax = 5000;
const tooLarge = (sizeBytes: number) => s3Errors.entityTooLarge(sizeBytes, sizeBytesMax);
const unsigned: PayloadSigning = { kind: "unsigned" };

type Outcome = { ok: true; data: Buffer; summary: unknown } | { ok: false; code: string; message: string; fields: unknown };

async function outcomeOf(run: () => Promise<{ data: Buffer; summary: unknown }>): Promise<Outcome> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    return { ok: false, code: error.code, message: error.message, fields: error.fields };
  }
}

function put(declaredBytes: number, headers: Record<string, string> = {}): RequestHead {
  return { method: "PUT", path: "/bucket/key", query: "", headers: { host: "127.0.0.1", "content-length": String(declaredBytes), ...headers } };
}

/** readSmallPayload on the bytes as a Buffer and as a stream of two pieces: the same outcome. */
async function sameWhole(head: RequestHead, bytes: Buffer, signing: PayloadSigning = unsigned): Promise<Outcome> {
  const small = smallPayloadOf(planPayload(head, signing));
  assert.ok(small !== undefined);
  const read = (body: Readable | Buffer) => outcomeOf(async () => {
    const { bytes: data, summary } = await readSmallPayload(small, body, signing, sizeBytesMax, tooLarge);
    return { data, summary };
  });
  const half = Math.floor(bytes.length / 2);
  const expected = await read(Readable.from([bytes.subarray(0, half), bytes.subarray(half)].filter((piece) => piece.length > 0)));
  assert.deepEqual(await read(bytes), expected);
  return expected;
}

/** payloadOf on the bytes as a Buffer and as a stream: the same outcome. */
async function sameStreamed(head: RequestHead, bytes: Buffer, signing: PayloadSigning = unsigned): Promise<Outcome> {
  const read = (body: AsyncIterable<Buffer> | Buffer) => outcomeOf(async () => {
    const payload = payloadOf(head, body, signing);
    const chunks: Buffer[] = [];
    for await (const chunk of payload.bytes) chunks.push(Buffer.from(chunk));
    return { data: Buffer.concat(chunks), summary: payload.summary() };
  });
  const expected = await read(Readable.from(bytes.length === 0 ? [] : [bytes.subarray(0, 7), bytes.subarray(7)]));
  assert.deepEqual(await read(bytes), expected);
  return expected;
}

const md5Base64 = (data: Buffer) => createHash("md5").update(data).digest("base64");

describe("s3 body > a body read whole by the server (a Buffer): the same verdicts as the stream", () => {
  const body = randomBytes(3000);

  it("readSmallPayload: the bytes and summary; IncompleteBody short and long; EntityTooLarge; BadDigest", async () => {
    const good = await sameWhole(put(body.length, { "content-md5": md5Base64(body) }), body);
    assert.ok(good.ok && good.data.equals(body));
    const empty = await sameWhole(put(0), Buffer.alloc(0));
    assert.ok(empty.ok && empty.data.length === 0);
    const short = await sameWhole(put(body.length + 1), body);
    assert.equal(!short.ok && short.code, "IncompleteBody");
    const long = await sameWhole(put(body.length - 1), body);
    assert.equal(!long.ok && long.code, "IncompleteBody");
    const huge = await sameWhole(put(body.length), randomBytes(sizeBytesMax + 1));
    assert.equal(!huge.ok && huge.code, "EntityTooLarge");
    const bad = await sameWhole(put(body.length, { "content-md5": md5Base64(Buffer.from("other")) }), body);
    assert.equal(!bad.ok && bad.code, "BadDigest");
    const sha = await sameWhole(put(body.length), body, { kind: "sha256", expectedHex: "0".repeat(64) } as PayloadSigning);
    assert.equal(!sha.ok && sha.code, "XAmzContentSHA256Mismatch");
  });

  it("readSmallPayload keeps a buffer of its own and copies a slice of a larger allocation", async () => {
    const small = smallPayloadOf(planPayload(put(body.length), unsigned))!;
    const own = Buffer.from(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
    assert.equal((await readSmallPayload(small, own, unsigned, sizeBytesMax, tooLarge)).bytes, own);
    const large = randomBytes(256 * 1024);
    const slice = large.subarray(1000, 1000 + body.length);
    const kept = (await readSmallPayload(small, slice, unsigned, sizeBytesMax, tooLarge)).bytes;
    assert.ok(kept.equals(slice));
    assert.notEqual(kept.buffer, large.buffer);
  });

  it("payloadOf: plain, empty, short, and aws-chunked bodies", async () => {
    const plain = await sameStreamed(put(body.length), body);
    assert.ok(plain.ok && plain.data.equals(body));
    const empty = await sameStreamed(put(0), Buffer.alloc(0));
    assert.ok(empty.ok && empty.data.length === 0);
    const short = await sameStreamed(put(body.length + 5), body);
    assert.equal(!short.ok && short.code, "IncompleteBody");
    const data = Buffer.from("hello, chunked world");
    const chunked = Buffer.from(`${data.length.toString(16)}\r\n${data.toString()}\r\n0\r\n\r\n`);
    const head = put(chunked.length, { "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(data.length) });
    const decoded = await sameStreamed(head, chunked);
    assert.ok(decoded.ok && decoded.data.equals(data), JSON.stringify(decoded));
  });
});

describe("s3 body > a small PutObject's body deadline through the server", () => {
  const bodyIdleMs = 300;
  let server: TestServer;
  before(async () => {
    server = await startS3Server({ connections: { bodyIdleMs } });
  });
  after(() => server?.stop());

  /** A PutObject over a raw socket: the head, then the pieces `gapMs` apart; what came back once the socket closed or `waitMs` passed. */
  async function rawPut(path: string, pieces: readonly Buffer[], declaredBytes: number, gapMs: number, waitMs: number): Promise<string> {
    const socket = netConnect(Number(new URL(server.url).port), "127.0.0.1");
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("error", () => undefined);
    const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
    socket.write(`PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${declaredBytes}\r\n\r\n`);
    for (const [index, piece] of pieces.entries()) {
      if (index > 0) await sleep(gapMs);
      socket.write(piece);
    }
    await Promise.race([closed, sleep(waitMs)]);
    socket.destroy();
    return text;
  }

  it("a body that stops is answered 408 (connection closed) and nothing is stored; one that keeps arriving is stored", async () => {
    const bucket = bucketName("deadline");
    assert.equal((await rawS3(server, "PUT", `/${bucket}`)).statusCode, 200);
    const stalled = await rawPut(`/${bucket}/stalled`, [Buffer.from("only some")], 1024, 0, 10 * bodyIdleMs);
    assert.match(stalled, /^HTTP\/1\.1 408 /);
    assert.match(stalled, /x-amz-id-2: /i);
    assert.match(stalled, /connection: close/i);
    assert.equal((await rawS3(server, "GET", `/${bucket}/stalled`)).statusCode, 404);

    const body = randomBytes(2048);
    const pieces = [0, 512, 1024, 1536].map((at) => body.subarray(at, at + 512));
    const slow = await rawPut(`/${bucket}/slow`, pieces, body.length, bodyIdleMs / 2, bodyIdleMs);
    assert.match(slow, /^HTTP\/1\.1 200 /);
    assert.match(slow, new RegExp(`etag: "${createHash("md5").update(body).digest("hex")}"`, "i"));
    assert.deepEqual((await rawS3(server, "GET", `/${bucket}/slow`)).body, body);
  });
});
