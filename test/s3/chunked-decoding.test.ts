/**
 * aws-chunked bodies through payloadOf: hand-signed bodies (chunk and trailer signatures chained as
 * the API Reference describes, written independently in auth-helpers.ts) decode under any split of
 * the bytes; each malformation gets the error AWS gives for it, as OpenStack Swift's
 * test/s3api/test_input_errors.py records from AWS; memory stays bounded.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import { authenticateS3, type PayloadSigning } from "../../src/s3/auth/index.js";
import { payloadOf } from "../../src/s3/body/index.js";
import { checksumBase64 } from "../../src/s3/checksums/index.js";
import {
  basicIso, handSignedChunkedPut, noneDeps, randomSplits, readPayload, seededRandom, sigv4Deps, type HandSignedBody, type ReadOutcome,
} from "./auth-helpers.js";

const nowMs = Date.UTC(2026, 11, 6, 12, 0, 0);
const amzDate = basicIso(nowMs);
const unsignedTrailer: PayloadSigning = { kind: "streaming-unsigned-trailer" };

async function signingOf(signed: HandSignedBody): Promise<PayloadSigning> {
  const auth = await authenticateS3(signed.head, sigv4Deps(nowMs));
  assert.ok(auth.ok, auth.ok ? "" : `${auth.error.code}: ${auth.error.message}`);
  return auth.payload;
}

function expectError(outcome: ReadOutcome, code: string, statusCode: number, message?: string) {
  assert.ok(!outcome.ok, `expected ${code}, got success`);
  assert.equal(outcome.error.code, code, outcome.error.message);
  assert.equal(outcome.error.statusCode, statusCode);
  if (message !== undefined) assert.equal(outcome.error.message, message);
  return outcome.error;
}

/** An unsigned-trailer PUT (what the SDK sends for streams): chunks framed as given, `tail` after the final chunk's line. */
function unsignedPut(frames: string | Buffer, headers: Record<string, string> = {}, decodedLength?: number): RequestHead {
  const body = Buffer.from(frames);
  return {
    method: "PUT",
    path: "/bucket/key",
    query: "",
    headers: {
      host: "127.0.0.1",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "content-encoding": "aws-chunked",
      "content-length": String(body.length),
      ...(decodedLength !== undefined && { "x-amz-decoded-content-length": String(decodedLength) }),
      ...headers,
    },
  };
}

const testBody = Buffer.from("test body, not very long");
const frame = (chunks: readonly Buffer[]) => Buffer.concat(chunks.map((chunk) => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])));

async function crc32(data: Buffer) {
  return checksumBase64("CRC32", data);
}

describe("s3 body > aws-chunked, signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER])", () => {
  const data = createHash("sha256").update("seed").digest();
  const big = Buffer.concat(Array.from({ length: 700 }, (_, index) => createHash("sha256").update(String(index)).digest()));

  it("decodes and verifies every chunk, with and without signed trailers", async () => {
    for (const chunks of [[big.subarray(0, 8192), big.subarray(8192, 20_000), big.subarray(20_000)], [data], []]) {
      const whole = Buffer.concat(chunks);
      for (const trailers of [undefined, [["x-amz-checksum-crc32", await crc32(whole)]] as [string, string][], [] as [string, string][]]) {
        const signed = handSignedChunkedPut({ chunks, amzDate, ...(trailers && { trailers }) });
        const read = await readPayload(signed.head, [signed.body], await signingOf(signed));
        assert.ok(read.ok, read.ok ? "" : `${read.error.code}: ${read.error.message}`);
        assert.deepEqual(read.data, whole);
        if (trailers?.length) assert.equal(read.summary.checksums.CRC32, trailers[0]![1]);
      }
    }
  });

  it("any split of the bytes decodes identically", async () => {
    const whole = big.subarray(0, 17_000);
    const signed = handSignedChunkedPut({ chunks: [whole.subarray(0, 9000), whole.subarray(9000)], amzDate, trailers: [["x-amz-checksum-crc32", await crc32(whole)]] });
    const signing = await signingOf(signed);
    const reference = await readPayload(signed.head, [signed.body], signing);
    assert.ok(reference.ok);
    for (let seed = 1; seed <= 150; seed++) {
      const random = seededRandom(seed);
      const pieces = seed === 10 ? [...signed.body].map((byte) => Buffer.from([byte])) : randomSplits(signed.body, random, 40);
      const read = await readPayload(signed.head, pieces, signing);
      assert.ok(read.ok, `seed ${seed}`);
      assert.deepEqual(read.data, reference.data, `seed ${seed}`);
      assert.deepEqual(read.summary, reference.summary, `seed ${seed}`);
    }
  });

  it("a wrong chunk signature, anywhere in the chain: SignatureDoesNotMatch over the chunk's string to sign", async () => {
    const chunks = [big.subarray(0, 8192), big.subarray(8192, 16_384), big.subarray(16_384)];
    const signed = handSignedChunkedPut({ chunks, amzDate });
    const signing = await signingOf(signed);
    for (const [index, signature] of signed.signatures.entries()) {
      const at = signed.body.indexOf(signature);
      const body = Buffer.from(signed.body);
      body[at] = body[at] === 0x30 ? 0x31 : 0x30;
      const error = expectError(await readPayload(signed.head, [body], signing), "SignatureDoesNotMatch", 403);
      assert.match(error.fields.StringToSign!, new RegExp(`^AWS4-HMAC-SHA256-PAYLOAD\\n${amzDate}\\n\\d{8}/us-east-1/s3/aws4_request\\n${index === 0 ? (signing as { seedSignature: string }).seedSignature : signed.signatures[index - 1]}\\n`), `chunk ${index}`);
      assert.equal(error.fields.SignatureProvided, body.subarray(at, at + 64).toString());
    }
    // Chunk data changed: the signature of that chunk fails.
    const body = Buffer.from(signed.body);
    const at = body.indexOf("\r\n") + 10;
    body[at] = body[at]! ^ 1;
    expectError(await readPayload(signed.head, [body], signing), "SignatureDoesNotMatch", 403);
  });

  it("a wrong trailer signature: SignatureDoesNotMatch over the trailer's string to sign; a missing one: IncompleteBody", async () => {
    const signed = handSignedChunkedPut({ chunks: [data], amzDate, trailers: [["x-amz-checksum-crc32", await crc32(data)]] });
    const signing = await signingOf(signed);
    const trailerSignature = signed.signatures.at(-1)!;
    const body = Buffer.from(signed.body.toString("latin1").replace(trailerSignature, trailerSignature.replace(/.$/, (c) => (c === "0" ? "1" : "0"))), "latin1");
    const error = expectError(await readPayload(signed.head, [body], signing), "SignatureDoesNotMatch", 403);
    assert.match(error.fields.StringToSign!, /^AWS4-HMAC-SHA256-TRAILER\n/);
    const cut = Buffer.from(signed.body.toString("latin1").replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ""), "latin1");
    expectError(await readPayload(signed.head, [cut], signing), "IncompleteBody", 400, "The request body terminated unexpectedly");
    // The checksum trailer changed: its signature no longer holds.
    const changed = Buffer.from(signed.body.toString("latin1").replace(await crc32(data), await crc32(Buffer.from("other"))), "latin1");
    expectError(await readPayload(signed.head, [changed], signing), "SignatureDoesNotMatch", 403);
  });

  it("chunk headers as AWS reads them: spaces allowed, a signature missing or blank is a cut body, another parameter before it fails the signature", async () => {
    const signed = handSignedChunkedPut({ chunks: [data], amzDate });
    const signing = await signingOf(signed);
    const variant = (change: (text: string) => string) => {
      const body = Buffer.from(change(signed.body.toString("latin1")), "latin1");
      return readPayload({ ...signed.head, headers: { ...signed.head.headers, "content-length": String(body.length) } }, [body], signing);
    };
    assert.ok((await variant((text) => text.replace(/;chunk-signature=/g, " ; chunk-signature = "))).ok);
    expectError(await variant((text) => text.replace(/;chunk-signature=[0-9a-f]+/g, "")), "IncompleteBody", 400, "The request body terminated unexpectedly");
    expectError(await variant((text) => text.replace(/chunk-signature=[0-9a-f]+/g, "chunk-signature=")), "IncompleteBody", 400);
    expectError(await variant((text) => text.replace(/;chunk-signature=/g, ";extra=param;chunk-signature=")), "SignatureDoesNotMatch", 403);
    expectError(await variant((text) => text.replace(/(chunk-signature=[0-9a-f]+)/g, "$1;extra=param")), "IncompleteBody", 400);
    expectError(await variant((text) => text.slice(0, text.lastIndexOf("0;chunk"))), "IncompleteBody", 400);
  });

  it("under --auth none, chunk signatures are read but not checked", async () => {
    const signed = handSignedChunkedPut({ chunks: [data], amzDate, trailers: [["x-amz-checksum-crc32", await crc32(data)]] });
    const auth = await authenticateS3(signed.head, noneDeps());
    assert.ok(auth.ok);
    const wrong = Buffer.from(signed.body.toString("latin1").replace(/chunk-signature=[0-9a-f]{64}/g, `chunk-signature=${"0".repeat(64)}`), "latin1");
    const read = await readPayload(signed.head, [wrong], auth.payload);
    assert.ok(read.ok);
    assert.deepEqual(read.data, data);
    const badCrc = Buffer.from(signed.body.toString("latin1").replace(await crc32(data), await crc32(Buffer.from("x"))), "latin1");
    expectError(await readPayload(signed.head, [badCrc], auth.payload), "BadDigest", 400, "The CRC32 you specified did not match the calculated checksum.");
  });
});

describe("s3 body > aws-chunked, unsigned trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER): AWS's answers", () => {
  const read = (head: RequestHead, body: Buffer | string) => readPayload(head, [Buffer.from(body)], unsignedTrailer);

  it("accepts the body with and without a checksum trailer, in a header, or with no final CRLF", async () => {
    const trailer = `x-amz-checksum-crc32:${await crc32(testBody)}\r\n`;
    const cases: [Buffer, Record<string, string>][] = [
      [Buffer.concat([frame([testBody, Buffer.alloc(0)])]), {}],
      [Buffer.concat([frame([testBody]), Buffer.from(`0\r\n${trailer}\r\n`)]), { "x-amz-trailer": "x-amz-checksum-crc32" }],
      [Buffer.concat([frame([testBody]), Buffer.from(`0\r\nx-amz-checksum-crc32 : ${await crc32(testBody)} \r\n\r\n`)]), { "x-amz-trailer": "x-amz-checksum-crc32" }],
      [Buffer.concat([frame([testBody]), Buffer.from(`0\r\n${trailer}`)]), { "x-amz-trailer": "x-amz-checksum-crc32" }],
      [Buffer.concat([frame([testBody]), Buffer.from("0\r\n\r\n")]), { "x-amz-checksum-crc32": await crc32(testBody) }],
    ];
    for (const [body, headers] of cases) {
      const outcome = await read(unsignedPut(body, headers, testBody.length), body);
      assert.ok(outcome.ok, outcome.ok ? "" : `${outcome.error.code}: ${outcome.error.message} for ${body.toString()}`);
      assert.deepEqual(outcome.data, testBody);
    }
  });

  it("a body not aws-chunked at all, cut mid-chunk, without its final chunk or with a bare LF: IncompleteBody, terminated", async () => {
    const terminated = "The request body terminated unexpectedly";
    const cases: [Buffer, number][] = [
      [testBody, testBody.length],
      [Buffer.from(`${(8192).toString(16)}\r\n${"A".repeat(8191)}`), 8192],
      [frame([testBody]), testBody.length],
      [Buffer.from(`${testBody.length.toString(16)}\n${testBody}\r\n0\r\n\r\n`), testBody.length],
    ];
    for (const [body, decodedLength] of cases) {
      const error = expectError(await read(unsignedPut(body, {}, decodedLength), body), "IncompleteBody", 400, terminated);
      assert.deepEqual(error.fields, {});
    }
  });

  it("more or fewer bytes than x-amz-decoded-content-length: IncompleteBody with the counts", async () => {
    const twice = frame([Buffer.concat([testBody, testBody]), Buffer.alloc(0)]);
    const more = expectError(await read(unsignedPut(twice, {}, testBody.length), twice), "IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header");
    assert.deepEqual(more.fields, { NumberBytesExpected: String(testBody.length), NumberBytesProvided: String(2 * testBody.length) });
    const early = frame([testBody.subarray(0, 4), Buffer.alloc(0), testBody.subarray(4), Buffer.alloc(0)]);
    const fewer = expectError(await read(unsignedPut(early, {}, testBody.length), early), "IncompleteBody", 400);
    assert.deepEqual(fewer.fields, { NumberBytesExpected: String(testBody.length), NumberBytesProvided: "4" });
  });

  it("x-amz-decoded-content-length missing or not a number: MissingContentLength (411)", async () => {
    const body = frame([testBody, Buffer.alloc(0)]);
    expectError(await read(unsignedPut(body), body), "MissingContentLength", 411, "You must provide the Content-Length HTTP header.");
    expectError(await read(unsignedPut(body, { "x-amz-decoded-content-length": "not an int" }), body), "MissingContentLength", 411);
  });

  it("a chunk but the last under 8 KiB: InvalidChunkSizeError (403), naming the chunk after it as AWS does", async () => {
    const chunks = [Buffer.alloc(1024, 1), Buffer.alloc(4096, 2), Buffer.alloc(3072, 3), Buffer.alloc(0)];
    const body = frame(chunks);
    const error = expectError(await read(unsignedPut(body, {}, 8192), body), "InvalidChunkSizeError", 403, "Only the last chunk is allowed to have a size less than 8192 bytes");
    assert.deepEqual(error.fields, { Chunk: "2", BadChunkSize: "1024" });
  });

  it("trailers: a mismatch is BadDigest, an invalid value InvalidRequest, an undeclared or missing one MalformedTrailerError", async () => {
    const declared = { "x-amz-trailer": "x-amz-checksum-crc32" };
    const withTrailer = (lines: string) => Buffer.concat([frame([testBody]), Buffer.from(`0\r\n${lines}\r\n`)]);
    const mismatch = withTrailer(`x-amz-checksum-crc32:${await crc32(Buffer.from("not the body"))}\r\n`);
    const badDigest = expectError(await read(unsignedPut(mismatch, declared, testBody.length), mismatch), "BadDigest", 400, "The CRC32 you specified did not match the calculated checksum.");
    assert.deepEqual(badDigest.fields, {});
    const invalid = withTrailer("x-amz-checksum-crc32:bad\r\n");
    expectError(await read(unsignedPut(invalid, declared, testBody.length), invalid), "InvalidRequest", 400, "Value for x-amz-checksum-crc32 trailing header is invalid.");
    const none = withTrailer("");
    const malformed = "The request contained trailing data that was not well-formed or did not conform to our published schema.";
    expectError(await read(unsignedPut(none, declared, testBody.length), none), "MalformedTrailerError", 400, malformed);
    const undeclared = withTrailer(`x-amz-checksum-crc32:${await crc32(testBody)}\r\n`);
    expectError(await read(unsignedPut(undeclared, {}, testBody.length), undeclared), "MalformedTrailerError", 400, malformed);
    const other = withTrailer(`x-amz-checksum-sha1:${await checksumBase64("SHA1", testBody)}\r\n`);
    expectError(await read(unsignedPut(other, declared, testBody.length), other), "MalformedTrailerError", 400, malformed);
    expectError(await read(unsignedPut(none, { "x-amz-trailer": "x-amz-content-sha256" }, testBody.length), none), "InvalidRequest", 400, "The value specified in the x-amz-trailer header is not supported");
    const notStreaming = { method: "PUT", path: "/b/k", query: "", headers: { host: "h", "x-amz-trailer": "x-amz-checksum-crc32", "content-length": String(testBody.length) } };
    expectError(await readPayload(notStreaming, [testBody], { kind: "unsigned" }), "MalformedTrailerError", 400, malformed);
  });
});

describe("s3 body > checksum and Content-MD5 headers", () => {
  const plain = (headers: Record<string, string>): RequestHead => ({ method: "PUT", path: "/b/k", query: "", headers: { host: "h", "content-length": String(testBody.length), ...headers } });
  const read = (headers: Record<string, string>) => readPayload(plain(headers), [testBody], { kind: "unsigned" });
  const md5 = (data: Buffer) => createHash("md5").update(data).digest("base64");

  it("each algorithm's header is verified against the body and reported back", async () => {
    for (const algorithm of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      const value = await checksumBase64(algorithm, testBody);
      const ok = await read({ [`x-amz-checksum-${algorithm.toLowerCase()}`]: value, "x-amz-sdk-checksum-algorithm": algorithm.toLowerCase() });
      assert.ok(ok.ok, algorithm);
      assert.deepEqual(ok.summary.checksums, { [algorithm]: value });
      const wrong = await read({ [`x-amz-checksum-${algorithm.toLowerCase()}`]: await checksumBase64(algorithm, Buffer.from("other")) });
      expectError(wrong, "BadDigest", 400, `The ${algorithm} you specified did not match the calculated checksum.`);
    }
  });

  it("malformed, unknown, several, or disagreeing with x-amz-sdk-checksum-algorithm: InvalidRequest", async () => {
    expectError(await read({ "x-amz-checksum-crc32": "bad" }), "InvalidRequest", 400, "Value for x-amz-checksum-crc32 header is invalid.");
    expectError(await read({ "x-amz-checksum-crc32": "AAAAAAAA" }), "InvalidRequest", 400, "Value for x-amz-checksum-crc32 header is invalid.");
    expectError(await read({ "x-amz-checksum-bad": "AAAAAA==" }), "InvalidRequest", 400, "The algorithm type you specified in x-amz-checksum- header is invalid.");
    expectError(await read({ "x-amz-checksum-crc32": await crc32(testBody), "x-amz-checksum-sha1": await checksumBase64("SHA1", testBody) }), "InvalidRequest", 400, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    expectError(await read({ "x-amz-checksum-crc32": await crc32(testBody), "x-amz-sdk-checksum-algorithm": "CRC32C" }), "InvalidRequest", 400, "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    expectError(await read({ "x-amz-sdk-checksum-algorithm": "CRC32" }), "InvalidRequest", 400, "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
    assert.ok((await read({ "x-amz-checksum-mode": "ENABLED", "x-amz-checksum-type": "FULL_OBJECT" })).ok, "headers that are not a checksum value");
  });

  it("Content-MD5: not an MD5 is InvalidDigest, a wrong one BadDigest with the expected digest in hex and ours in base64", async () => {
    assert.ok((await read({ "content-md5": md5(testBody) })).ok);
    const invalid = expectError(await read({ "content-md5": "invalid" }), "InvalidDigest", 400, "The Content-MD5 you specified was invalid.");
    assert.deepEqual(invalid.fields, { "Content-MD5": "invalid" });
    const wrong = md5(Buffer.alloc(0));
    const bad = expectError(await read({ "content-md5": wrong }), "BadDigest", 400, "The Content-MD5 you specified did not match what we received.");
    assert.deepEqual(bad.fields, { ExpectedDigest: Buffer.from(wrong, "base64").toString("hex"), CalculatedDigest: md5(testBody) });
  });

  it("asked-for checksums are computed alongside (S3's default CRC64NVME)", async () => {
    const outcome = await readPayload(plain({}), [testBody], { kind: "unsigned" }, ["CRC64NVME"]);
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.summary, { sizeBytes: testBody.length, md5Hex: createHash("md5").update(testBody).digest("hex"), checksums: { CRC64NVME: await checksumBase64("CRC64NVME", testBody) } });
  });
});

describe("s3 body > bounded memory", () => {
  it("data comes out as it goes in, without waiting for the chunk's end", async () => {
    const size = 1 << 20;
    const pieces = [Buffer.from(`${size.toString(16)}\r\n`), ...Array.from({ length: 16 }, () => Buffer.alloc(size / 16, 9)), Buffer.from("\r\n0\r\n\r\n")];
    let pulled = 0;
    async function* body() {
      for (const piece of pieces) {
        pulled++;
        yield piece;
      }
    }
    const payload = payloadOf(unsignedPut(Buffer.concat(pieces), {}, size), body(), unsignedTrailer);
    let firstAfter = 0;
    let total = 0;
    for await (const data of payload.bytes) {
      if (firstAfter === 0) firstAfter = pulled;
      total += data.length;
    }
    assert.equal(firstAfter, 2, "the first data is out after the header and one piece");
    assert.equal(total, size);
  });

  it("an endless header or trailer line is refused after a few KiB, not buffered", async () => {
    const endless = Buffer.alloc(1 << 20, "a");
    expectError(await readPayload(unsignedPut(endless, {}, 10), [endless], unsignedTrailer), "IncompleteBody", 400);
    const trailer = Buffer.concat([frame([testBody]), Buffer.from("0\r\nx-amz-checksum-crc32:"), endless]);
    expectError(await readPayload(unsignedPut(trailer, { "x-amz-trailer": "x-amz-checksum-crc32" }, testBody.length), [trailer], unsignedTrailer), "IncompleteBody", 400);
    const huge = Buffer.from("ffffffffffffffff\r\n");
    const error = expectError(await readPayload(unsignedPut(huge, {}, 10), [huge], unsignedTrailer), "IncompleteBody", 400);
    assert.equal(error.fields.NumberBytesExpected, "10");
  });
});
