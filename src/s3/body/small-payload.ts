/**
 * A small body read whole (payload.ts reads any body as a stream): a request declaring a
 * Content-Length of at most `smallPayloadBytesMax`, not aws-chunked. Its chunks are gathered from
 * the stream's 'data' events into one buffer of the declared length, then hashed at once on this
 * thread and checked as payloadOf checks a body — the byte count, then SHA-256, Content-MD5, the
 * checksum (`summarize`) — so the answers are the same. It spares a 1 KiB PutObject three async
 * generators, an async iterator over the stream and two hash objects per request (bench/s3: a
 * small PUT's server is CPU-bound on its event loop). A body the server already read whole (one
 * of declared length up to 64 KiB, src/server/streaming-request.ts) arrives as a Buffer and is
 * taken as it is.
 */
import * as crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { PayloadSigning } from "../auth/authenticate.js";
import { s3PayloadErrors } from "../auth/errors.js";
import { createChecksum, type ChecksumAlgorithm } from "../checksums/index.js";
import type { S3Error } from "../s3-error.js";
import type { HashDigests } from "./hash-pool.js";
import { summarize, workerHashingBytesMinDefault, type PayloadOptions, type PayloadSummary, type Plan } from "./payload.js";

// crypto.hash (Node >= 20.12) digests in one call, without a Hash object (a stream) to build.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, encoding: "hex") => string }).hash;
function digestHex(algorithm: "md5" | "sha256", bytes: Buffer): string {
  return oneShotHash !== undefined ? oneShotHash(algorithm, bytes, "hex") : crypto.createHash(algorithm).update(bytes).digest("hex");
}

/** Bodies up to this many declared bytes are read whole (at most this much memory per request). */
export const smallPayloadBytesMax = 64 * 1024;

export interface SmallPayload {
  plan: Plan;
  lengthBytes: number;
}

/**
 * A body to read whole, or undefined when it is to be streamed (aws-chunked, no Content-Length, a
 * larger one, or one hashed on a worker by the options); `plan` is the request's (planPayload).
 */
export function smallPayloadOf(plan: Plan, options: PayloadOptions = {}): SmallPayload | undefined {
  const lengthBytes = plan.contentLengthBytes;
  if (plan.chunked !== undefined || lengthBytes === undefined || lengthBytes > smallPayloadBytesMax) return undefined;
  if (lengthBytes >= (options.workerHashingBytesMin ?? workerHashingBytesMinDefault)) return undefined;
  return { plan, lengthBytes };
}

/**
 * Reads the body whole (or takes it as the server read it: a Buffer) and checks it: its bytes (a
 * buffer of their own) and summary, or a rejection with the S3Error to answer — `tooLarge(count)`
 * once more than `sizeBytesMax` bytes arrived (a body longer than it declared), the Content-Length
 * mismatch, a digest — or with the body's own error (a stalled or reset upload).
 */
export async function readSmallPayload(
  small: SmallPayload,
  body: Readable | Buffer,
  signing: PayloadSigning,
  sizeBytesMax: number,
  tooLarge: (sizeBytes: number) => S3Error,
  options: PayloadOptions = {},
): Promise<{ bytes: Buffer; summary: PayloadSummary }> {
  const { plan, lengthBytes } = small;
  const { bytes, receivedBytes } = Buffer.isBuffer(body) ? taken(body, sizeBytesMax, tooLarge) : await gather(body, lengthBytes, sizeBytesMax, tooLarge);
  if (receivedBytes !== lengthBytes) throw s3PayloadErrors.incompleteBody(lengthBytes, receivedBytes);
  const algorithms: ChecksumAlgorithm[] = [];
  for (const algorithm of [...(plan.declared ? [plan.declared.algorithm] : []), ...(options.computeChecksums ?? [])]) {
    if (!algorithms.includes(algorithm)) algorithms.push(algorithm);
  }
  const digests: HashDigests = { md5: Buffer.from(digestHex("md5", bytes), "hex"), checksums: new Map() };
  if (signing.kind === "sha256") digests.sha256Hex = digestHex("sha256", bytes);
  for (const algorithm of algorithms) {
    const checksum = createChecksum(algorithm);
    checksum.update(bytes);
    digests.checksums.set(algorithm, await checksum.digest());
  }
  return { bytes, summary: summarize(plan, signing, digests, lengthBytes, undefined) };
}

/**
 * A body the server read whole, checked against the limit as gather checks it. Kept as it is when
 * it holds no more memory than its own bytes or one allocation pool's (the store may keep the
 * buffer: a slice of a larger one would keep all of that alive), else copied.
 */
function taken(body: Buffer, sizeBytesMax: number, tooLarge: (sizeBytes: number) => S3Error): { bytes: Buffer; receivedBytes: number } {
  if (body.length > sizeBytesMax) throw tooLarge(body.length);
  if (body.buffer.byteLength <= Math.max(body.length, Buffer.poolSize)) return { bytes: body, receivedBytes: body.length };
  const bytes = Buffer.allocUnsafe(body.length);
  body.copy(bytes);
  return { bytes, receivedBytes: body.length };
}

/**
 * The body's chunks into one buffer of `lengthBytes`; bytes past it (a body longer than it
 * declared, which HTTP/2 can send) are counted, not kept, up to `sizeBytesMax`.
 */
function gather(body: Readable, lengthBytes: number, sizeBytesMax: number, tooLarge: (sizeBytes: number) => S3Error): Promise<{ bytes: Buffer; receivedBytes: number }> {
  // Already over (an empty body the server handed over as it is): nothing more will come.
  if (body.readableEnded) return Promise.resolve({ bytes: Buffer.alloc(0), receivedBytes: 0 });
  if (body.destroyed) return Promise.reject(body.errored ?? new Error("the request body closed before it ended"));
  return new Promise((resolve, reject) => {
    let receivedBytes = 0;
    const done = (): void => {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
      body.off("close", onClose);
    };
    let bytes: Buffer | undefined;
    const onData = (chunk: Buffer): void => {
      // The usual case, the whole body in one chunk of its own (node:http copies each body chunk
      // out of the socket's bytes): kept as it is, no copy.
      if (receivedBytes === 0 && chunk.length === lengthBytes && chunk.byteOffset === 0 && chunk.buffer.byteLength === lengthBytes) bytes = chunk;
      else if (receivedBytes < lengthBytes) {
        // Chunks of a body in pieces (a kept chunk is the whole body: none comes before this one).
        bytes ??= Buffer.allocUnsafe(lengthBytes);
        bytes.set(chunk.length <= lengthBytes - receivedBytes ? chunk : chunk.subarray(0, lengthBytes - receivedBytes), receivedBytes);
      }
      receivedBytes += chunk.length;
      if (receivedBytes > sizeBytesMax) {
        // Not read further, as the streamed path stops there: the server closes the connection.
        done();
        body.pause();
        reject(tooLarge(receivedBytes));
      }
    };
    const onEnd = (): void => {
      done();
      if (bytes === undefined) bytes = Buffer.alloc(0);
      resolve({ bytes: receivedBytes < lengthBytes ? bytes.subarray(0, receivedBytes) : bytes, receivedBytes });
    };
    const onError = (error: Error): void => {
      done();
      reject(error);
    };
    // Destroyed without an error: the request went away before its body ended.
    const onClose = (): void => {
      done();
      reject(new Error("the request body closed before it ended"));
    };
    body.on("data", onData);
    body.on("end", onEnd);
    body.on("error", onError);
    body.on("close", onClose);
  });
}
