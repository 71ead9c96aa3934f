/**
 * The aws-chunked reader under hostile input, seeded and replayable: valid bodies mutated (bytes
 * flipped, inserted, deleted, cut, repeated) and plain garbage, each fed in random splits, under
 * every payload mode. Whatever arrives, reading ends — with the data or with an S3Error, never any
 * other exception and never a hang — and a signed body that reads successfully is the one signed.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import { authenticateS3, type PayloadSigning } from "../../src/s3/auth/index.js";
import { checksumBase64 } from "../../src/s3/checksums/index.js";
import { basicIso, handSignedChunkedPut, noneDeps, randomSplits, readPayload, seededRandom, sigv4Deps } from "./auth-helpers.js";

const nowMs = Date.UTC(2026, 11, 6, 12, 0, 0);
const iterations = 400;

function mutate(body: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * body.length);
  switch (Math.floor(random() * 6)) {
    case 0: {
      const copy = Buffer.from(body);
      copy[at] = copy[at]! ^ (1 << Math.floor(random() * 8));
      return copy;
    }
    case 1:
      return Buffer.concat([body.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), body.subarray(at)]);
    case 2:
      return Buffer.concat([body.subarray(0, at), body.subarray(at + 1 + Math.floor(random() * 8))]);
    case 3:
      return body.subarray(0, at);
    case 4:
      return Buffer.concat([body.subarray(0, at), body.subarray(Math.floor(random() * body.length))]);
    default: {
      const copy = Buffer.from(body);
      const text = "\r\n;=0123456789abcdefx-amz-checksum-crc32:chunk-signature";
      copy[at] = text.charCodeAt(Math.floor(random() * text.length));
      return copy;
    }
  }
}

function garbage(random: () => number): Buffer {
  const length = Math.floor(random() * 300);
  const alphabet = random() < 0.5 ? "0123456789abcdefABCDEF\r\n;=: x-amzchunksignature" : undefined;
  return Buffer.from(Array.from({ length }, () => (alphabet ? alphabet.charCodeAt(Math.floor(random() * alphabet.length)) : Math.floor(random() * 256))));
}

function withLength(head: RequestHead, body: Buffer): RequestHead {
  return { ...head, headers: { ...head.headers, "content-length": String(body.length) } };
}

describe("s3 body > aws-chunked fuzz", () => {
  it(`mutated signed bodies: an S3Error or exactly the signed data (${iterations} cases)`, { timeout: 60_000 }, async () => {
    const data = Buffer.concat(Array.from({ length: 400 }, (_, index) => createHash("sha256").update(String(index)).digest()));
    const chunks = [data.subarray(0, 8192), data.subarray(8192)];
    const withTrailer = handSignedChunkedPut({ chunks, amzDate: basicIso(nowMs), trailers: [["x-amz-checksum-crc32", await checksumBase64("CRC32", data)]] });
    const plain = handSignedChunkedPut({ chunks, amzDate: basicIso(nowMs) });
    const signings = new Map<unknown, PayloadSigning>();
    for (const signed of [withTrailer, plain]) {
      const auth = await authenticateS3(signed.head, sigv4Deps(nowMs));
      assert.ok(auth.ok);
      signings.set(signed, auth.payload);
    }
    let failures = 0;
    for (let seed = 1; seed <= iterations; seed++) {
      const random = seededRandom(seed);
      const signed = seed % 2 === 0 ? withTrailer : plain;
      let body = mutate(signed.body, random);
      if (random() < 0.3) body = mutate(body, random);
      const outcome = await readPayload(withLength(signed.head, body), randomSplits(body, random, 30), signings.get(signed)!);
      if (outcome.ok) assert.deepEqual(outcome.data, data, `seed ${seed}: read successfully, so it must be the signed data`);
      else failures++;
    }
    assert.ok(failures > iterations * 0.8, `${failures} of ${iterations} mutations refused`);
  });

  it(`garbage and mutated bodies under every mode never throw anything but S3Error (${iterations} cases each)`, { timeout: 60_000 }, async () => {
    const data = Buffer.from("a small body");
    const unsignedBody = Buffer.from(`${data.length.toString(16)}\r\n${data}\r\n0\r\nx-amz-checksum-crc32:${await checksumBase64("CRC32", data)}\r\n\r\n`);
    const unsignedHead: RequestHead = {
      method: "PUT",
      path: "/b/k",
      query: "",
      headers: { host: "h", "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "content-encoding": "aws-chunked", "x-amz-decoded-content-length": String(data.length), "x-amz-trailer": "x-amz-checksum-crc32" },
    };
    const signed = handSignedChunkedPut({ chunks: [data], amzDate: basicIso(nowMs), trailers: [] });
    const noneAuth = await authenticateS3(signed.head, noneDeps(nowMs));
    assert.ok(noneAuth.ok);
    const modes: [RequestHead, Buffer, PayloadSigning][] = [
      [unsignedHead, unsignedBody, { kind: "streaming-unsigned-trailer" }],
      [signed.head, signed.body, noneAuth.payload],
      [{ ...unsignedHead, headers: { host: "h", "x-amz-checksum-crc32": await checksumBase64("CRC32", data) } }, data, { kind: "sha256", expectedHex: createHash("sha256").update(data).digest("hex") }],
    ];
    for (const [index, [head, valid, signing]] of modes.entries()) {
      let accepted = 0;
      for (let seed = 1; seed <= iterations; seed++) {
        const random = seededRandom(seed * 7 + index);
        const body = random() < 0.5 ? garbage(random) : mutate(valid, random);
        const outcome = await readPayload(withLength(head, body), randomSplits(body, random, 20), signing);
        if (outcome.ok) accepted++;
      }
      assert.ok(accepted < iterations / 2, `mode ${index}: ${accepted} accepted`);
    }
  });
});
