/**
 * A request's payload as the S3 service reads it: aws-chunked decoded when x-amz-content-sha256
 * says it is, and verified while it streams — the whole-body SHA-256 the signature names,
 * Content-MD5, one x-amz-checksum-* value (header or trailer), the decoded length and the
 * Content-Length. The headers are checked before the first byte is read, in the order AWS checks
 * them (OpenStack Swift's s3api, s3request.py `_validate_checksum_headers`, `_validate_headers`,
 * tested against AWS in test/s3api/test_input_errors.py): Content-MD5's form, the checksum headers
 * and x-amz-trailer, x-amz-sdk-checksum-algorithm, x-amz-decoded-content-length. At the end:
 * the byte count, then SHA-256 ("SHA256 trumps checksum"), Content-MD5, the checksum.
 */
import { createHash, type Hash } from "node:crypto";
import type { RequestHead } from "../../protocol/streaming-api.js";
import { assert } from "../../util/assert.js";
import type { PayloadSigning } from "../auth/authenticate.js";
import { s3PayloadErrors } from "../auth/errors.js";
import {
  algorithmOfHeader, checksumHeaderName, createChecksum, decodeChecksumValue, parseChecksumAlgorithm, type Checksum, type ChecksumAlgorithm,
} from "../checksums/index.js";
import { S3Error } from "../s3-error.js";
import { AwsChunkedDecoder } from "./aws-chunked.js";
import { startHashSession, type HashDigests, type HashSpec } from "./hash-pool.js";

export interface PayloadSummary {
  /** Decoded payload bytes. */
  sizeBytes: number;
  md5Hex: string;
  /** The checksum the request declared (verified), and any asked for with `computeChecksums`, base64. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface PayloadOptions {
  /** Checksums to compute besides the declared one, e.g. S3's default CRC64NVME for objects uploaded without one. */
  computeChecksums?: readonly ChecksumAlgorithm[];
  /** Hash on a worker thread from this declared size on (default `workerHashingBytesMinDefault`); tests compare both paths. */
  workerHashingBytesMin?: number;
}

export interface Payload {
  bytes: AsyncIterable<Buffer>;
  /** Valid once `bytes` finished without an error. */
  summary(): PayloadSummary;
}

/** x-amz-checksum-* headers that are not a checksum value. */
const checksumHeadersNotValues = new Set(["x-amz-checksum-type", "x-amz-checksum-mode", "x-amz-checksum-algorithm"]);

/** What the headers say of the body: checked before a byte is read (planPayload). */
export interface Plan {
  declared?: { algorithm: ChecksumAlgorithm; headerValue?: string; trailerName?: string };
  contentMd5?: Buffer;
  contentLengthBytes?: number;
  chunked?: { decodedLengthBytes: number; trailers: ReadonlySet<string> };
}

function header(head: RequestHead, name: string): string | undefined {
  const value = head.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** Content-Encoding as S3 stores it: without aws-chunked, undefined when nothing else is left. */
export function storedContentEncoding(head: RequestHead): string | undefined {
  const encodings = (header(head, "content-encoding") ?? "").split(",").map((value) => value.trim()).filter((value) => value !== "" && value !== "aws-chunked");
  return encodings.length === 0 ? undefined : encodings.join(", ");
}

/** The body's plan from its headers; throws the S3Error of the first header S3 would refuse. */
export function planPayload(head: RequestHead, signing: PayloadSigning): Plan {
  const plan: Plan = {};
  const contentLength = header(head, "content-length");
  if (contentLength !== undefined && /^\d{1,16}$/.test(contentLength.trim())) plan.contentLengthBytes = Number(contentLength.trim());

  const md5 = header(head, "content-md5")?.trim();
  if (md5 !== undefined) {
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(md5) && md5.length % 4 === 0 ? Buffer.from(md5, "base64") : undefined;
    if (bytes === undefined || bytes.length !== 16) throw s3PayloadErrors.invalidDigest(md5);
    plan.contentMd5 = bytes;
  }

  const inHeaders: { algorithm: ChecksumAlgorithm; name: string; value: string }[] = [];
  for (const name of Object.keys(head.headers)) {
    if (!name.startsWith("x-amz-checksum-") || checksumHeadersNotValues.has(name)) continue;
    const algorithm = algorithmOfHeader(name);
    if (algorithm === undefined) throw s3PayloadErrors.unknownChecksumAlgorithm();
    inHeaders.push({ algorithm, name, value: header(head, name)! });
  }
  const trailerText = header(head, "x-amz-trailer")?.trim() ?? "";
  const trailerNames = trailerText === "" ? [] : trailerText.replace(/,$/, "").split(",").map((name) => name.trim().toLowerCase());
  if (trailerNames.some((name) => algorithmOfHeader(name) === undefined)) throw s3PayloadErrors.unsupportedTrailer();
  if (trailerNames.length > 1) throw s3PayloadErrors.multipleChecksums(false);
  if (inHeaders.length > 1) throw s3PayloadErrors.multipleChecksums(false);
  if (inHeaders.length + trailerNames.length > 1) throw s3PayloadErrors.multipleChecksums(true);
  const [inHeader] = inHeaders;
  if (inHeader !== undefined) {
    if (decodeChecksumValue(inHeader.algorithm, inHeader.value) === undefined) throw s3PayloadErrors.invalidChecksumHeader(inHeader.name);
    plan.declared = { algorithm: inHeader.algorithm, headerValue: inHeader.value.trim() };
  } else if (trailerNames.length === 1) {
    plan.declared = { algorithm: algorithmOfHeader(trailerNames[0]!)!, trailerName: trailerNames[0]! };
  }

  const sdkAlgorithm = header(head, "x-amz-sdk-checksum-algorithm");
  if (sdkAlgorithm !== undefined) {
    if (plan.declared === undefined) throw s3PayloadErrors.sdkAlgorithmWithoutChecksum();
    if (parseChecksumAlgorithm(sdkAlgorithm) !== plan.declared.algorithm) throw s3PayloadErrors.sdkAlgorithmMismatch();
  }

  const streaming = signing.kind === "streaming-signed" || signing.kind === "streaming-unsigned-trailer";
  // Unsigned requests (`--auth none` without x-amz-content-sha256) declare aws-chunked by its content encoding alone.
  const chunkedByEncoding = signing.kind === "unsigned" && header(head, "x-amz-content-sha256") === undefined && /(^|,)\s*aws-chunked\s*(,|$)/.test(header(head, "content-encoding") ?? "");
  if (!streaming && !chunkedByEncoding) {
    if (plan.declared?.trailerName !== undefined) throw s3PayloadErrors.malformedTrailer();
    return plan;
  }
  const decoded = header(head, "x-amz-decoded-content-length")?.trim();
  if (decoded === undefined || !/^\d{1,16}$/.test(decoded)) throw s3PayloadErrors.missingContentLength();
  plan.chunked = { decodedLengthBytes: Number(decoded), trailers: new Set(trailerNames) };
  return plan;
}

/** Bodies of at least this many declared bytes are hashed on a worker thread (hash-pool.ts); smaller ones here, without the round trip. */
export const workerHashingBytesMinDefault = 1024 * 1024;

/** The running digests of a payload: on this thread, or on a hashing worker for a large body. */
interface Digester {
  /** A promise to await before the next update when the worker is behind, else undefined. */
  update(data: Buffer): Promise<void> | undefined;
  finish(): Promise<HashDigests>;
  drop(): void;
}

function localDigester(spec: HashSpec): Digester {
  const md5 = createHash("md5");
  const sha256: Hash | undefined = spec.sha256 ? createHash("sha256") : undefined;
  const checksums = new Map<ChecksumAlgorithm, Checksum>(spec.algorithms.map((algorithm) => [algorithm, createChecksum(algorithm)]));
  return {
    update(data) {
      md5.update(data);
      sha256?.update(data);
      for (const checksum of checksums.values()) checksum.update(data);
      return undefined;
    },
    async finish() {
      const digests: HashDigests = { md5: md5.digest(), checksums: new Map() };
      if (sha256 !== undefined) digests.sha256Hex = sha256.digest("hex");
      for (const [algorithm, checksum] of checksums) digests.checksums.set(algorithm, await checksum.digest());
      return digests;
    },
    drop() {},
  };
}

/**
 * The request's payload bytes (`body`: the stream, or the whole body the server read), verified
 * as they stream: the iterator throws an S3Error (and
 * yields nothing more) when a header, a chunk signature, the whole-body SHA-256, Content-MD5, a
 * checksum, the decoded length or the Content-Length does not hold. An error of `body` itself
 * (a stalled or reset upload) passes through as it is; a hashing worker's failure is a
 * HashWorkerError (InternalError). Either way the iterator throws before it ends, so a store
 * reading it never commits an unverified body.
 *
 * A body declaring at least `workerHashingBytesMin` bytes is hashed on a worker thread, in
 * parallel with whatever the caller does with the bytes (the disk write); chunk signatures are
 * still checked here, each before its chunk's last bytes are yielded.
 */
export function payloadOf(head: RequestHead, body: AsyncIterable<Buffer> | Buffer, signing: PayloadSigning, options: PayloadOptions = {}): Payload {
  let summary: PayloadSummary | undefined;
  async function* bytes(): AsyncGenerator<Buffer, void, undefined> {
    const plan = planPayload(head, signing);
    const algorithms: ChecksumAlgorithm[] = [];
    for (const algorithm of [...(plan.declared ? [plan.declared.algorithm] : []), ...(options.computeChecksums ?? [])]) {
      if (!algorithms.includes(algorithm)) algorithms.push(algorithm);
    }
    const spec: HashSpec = { sha256: signing.kind === "sha256", algorithms };
    const declaredBytes = plan.chunked?.decodedLengthBytes ?? plan.contentLengthBytes;
    const offload = declaredBytes !== undefined && declaredBytes >= (options.workerHashingBytesMin ?? workerHashingBytesMinDefault);
    const decoder = plan.chunked
      ? new AwsChunkedDecoder({
          ...(signing.kind === "streaming-signed" && { signing }),
          trailer: signing.kind !== "streaming-signed" || signing.trailer || plan.chunked.trailers.size > 0,
          signedTrailer: signing.kind === "streaming-signed" && signing.trailer,
          expectedTrailers: plan.chunked.trailers,
          decodedLengthBytes: plan.chunked.decodedLengthBytes,
        })
      : undefined;
    const digester = offload ? startHashSession(spec) : localDigester(spec);
    let finished = false;
    try {
      let rawBytes = 0;
      let sizeBytes = 0;
      // A body the server read whole (a Buffer) is its one chunk; an empty one has none.
      const chunks: AsyncIterable<Buffer> | readonly Buffer[] = Buffer.isBuffer(body) ? (body.length === 0 ? [] : [body]) : body;
      for await (const raw of chunks) {
        rawBytes += raw.length;
        if (decoder === undefined) {
          sizeBytes += raw.length;
          const behind = digester.update(raw);
          yield raw;
          if (behind !== undefined) await behind;
          continue;
        }
        for (const data of decoder.push(raw)) {
          sizeBytes += data.length;
          const behind = digester.update(data);
          yield data;
          if (behind !== undefined) await behind;
        }
      }
      if (plan.contentLengthBytes !== undefined && rawBytes !== plan.contentLengthBytes) {
        throw s3PayloadErrors.incompleteBody(plan.contentLengthBytes, rawBytes);
      }
      decoder?.end();
      finished = true;
      summary = summarize(plan, signing, await digester.finish(), sizeBytes, decoder?.receivedTrailers);
    } finally {
      if (!finished) digester.drop();
    }
  }
  return {
    bytes: bytes(),
    summary() {
      assert(summary !== undefined, "payload summary read before its bytes were read to the end");
      return summary;
    },
  };
}

/**
 * The checks at the end of a body, in S3's order — the whole-body SHA-256 the signature names
 * ("SHA256 trumps checksum"), Content-MD5, the declared checksum (header or trailer) — and the
 * summary when they hold; else throws the S3Error to answer.
 */
export function summarize(plan: Plan, signing: PayloadSigning, digests: HashDigests, sizeBytes: number, receivedTrailers: readonly (readonly [string, string])[] | undefined): PayloadSummary {
  if (signing.kind === "sha256" && digests.sha256Hex !== signing.expectedHex) {
    throw s3PayloadErrors.contentSha256Mismatch(signing.expectedHex, digests.sha256Hex!);
  }
  if (plan.contentMd5 !== undefined && !plan.contentMd5.equals(digests.md5)) {
    throw s3PayloadErrors.badDigestMd5(plan.contentMd5.toString("hex"), digests.md5.toString("base64"));
  }
  const computed: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const [algorithm, digest] of digests.checksums) computed[algorithm] = digest.toString("base64");
  if (plan.declared !== undefined) {
    const { algorithm, trailerName } = plan.declared;
    let expected = plan.declared.headerValue;
    if (trailerName !== undefined) {
      expected = receivedTrailers?.find(([name]) => name === trailerName)?.[1];
      if (expected === undefined) throw s3PayloadErrors.malformedTrailer();
      if (decodeChecksumValue(algorithm, expected) === undefined) throw s3PayloadErrors.invalidChecksumTrailer(checksumHeaderName(algorithm));
    }
    if (decodeChecksumValue(algorithm, expected!)!.toString("base64") !== computed[algorithm]) throw s3PayloadErrors.badChecksum(algorithm);
  }
  return { sizeBytes, md5Hex: digests.md5.toString("hex"), checksums: computed };
}
