/**
 * An incremental decoder for aws-chunked bodies (API Reference, "Signature Calculations for the
 * Authorization Header: Transferring Payload in Multiple Chunks" and "… Including Trailing
 * Headers"):
 *
 *   <hex size>;chunk-signature=<64 hex>\r\n<data>\r\n … 0;chunk-signature=<64 hex>\r\n   (signed)
 *   <hex size>\r\n<data>\r\n … 0\r\n                                                    (unsigned trailer)
 *   then, with trailers: x-amz-checksum-crc32:<base64>\r\n[x-amz-trailer-signature:<64 hex>\r\n]\r\n
 *   or, without: \r\n
 *
 * Bytes go in as they arrive, in any split; data comes out as slices of the input (nothing is
 * buffered but one header or trailer line, each at most `chunkedLineBytesMax`), so memory stays
 * bounded whatever the body's size. Every malformation is an S3Error with S3's code for it, as
 * AWS answers (OpenStack Swift's test/s3api/test_input_errors.py, run against AWS, records them):
 * a cut or garbled frame → IncompleteBody "The request body terminated unexpectedly"; more or fewer
 * bytes than x-amz-decoded-content-length → IncompleteBody with the counts; a chunk but the last
 * under 8 KiB → InvalidChunkSizeError; a wrong chunk or trailer signature → SignatureDoesNotMatch;
 * an undeclared, missing or unparsable trailer → MalformedTrailerError.
 */
import { createHash, timingSafeEqual, type Hash } from "node:crypto";
import type { ChunkSigning } from "../auth/authenticate.js";
import { chunkStringToSign, hmacHex, trailerStringToSign } from "../auth/canonical.js";
import { s3AuthErrors, s3PayloadErrors } from "../auth/errors.js";

/** Longest chunk header or trailer line accepted (a signed header is ~90 bytes; a trailer ~70). */
export const chunkedLineBytesMax = 4096;
/** Most trailer lines accepted: one checksum and the signature are all S3 allows. */
export const trailerLinesMax = 16;
/** AWS's smallest chunk but the last (InvalidChunkSizeError). */
export const chunkBytesMin = 8192;
/** Hex digits in a chunk size: 16 covers any size a 64-bit length allows. */
const chunkSizeDigitsMax = 16;

export interface AwsChunkedOptions {
  /** Chunk headers carry `;chunk-signature=`; checked when `signing.signingKey` is set. */
  signing?: ChunkSigning;
  /** Trailers follow the final chunk. */
  trailer: boolean;
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: the trailers end with x-amz-trailer-signature, chained on the last chunk's. */
  signedTrailer?: boolean;
  /** Names (lower case) of the trailers x-amz-trailer declared: exactly these must arrive. */
  expectedTrailers: ReadonlySet<string>;
  /** x-amz-decoded-content-length: the data bytes the chunks must add up to. */
  decodedLengthBytes: number;
}

type State = "size-line" | "data" | "data-crlf" | "final-crlf" | "trailer-lines" | "done";

const crlf = Buffer.from("\r\n");

export class AwsChunkedDecoder {
  private state: State = "size-line";
  private line: Buffer[] = [];
  private lineBytes = 0;
  private chunkRemainingBytes = 0;
  private chunkSizeBytes = 0;
  private chunkNumber = 0;
  private previousChunkBytes: number | undefined;
  private decodedBytes = 0;
  private chunkHash: Hash | undefined;
  private chunkSignature = "";
  private previousSignature: string;
  private crlfSeen = 0;
  private readonly trailers: [string, string][] = [];

  constructor(private readonly options: AwsChunkedOptions) {
    this.previousSignature = options.signing?.seedSignature ?? "";
  }

  /** The trailers received (name lower case, value trimmed), signature excluded; complete once `end` returned. */
  get receivedTrailers(): readonly (readonly [string, string])[] {
    return this.trailers;
  }

  /** Feeds raw body bytes; yields the decoded data they complete, in order. Throws S3Error on a malformed body. */
  *push(input: Buffer): Generator<Buffer, void, undefined> {
    let at = 0;
    while (at < input.length) {
      switch (this.state) {
        case "size-line":
        case "trailer-lines": {
          const lineEnd = this.takeLine(input, at);
          if (lineEnd === undefined) return;
          at = lineEnd;
          if (this.state === "size-line") this.chunkHeader(this.finishLine());
          else this.trailerLine(this.finishLine());
          break;
        }
        case "data": {
          const take = Math.min(this.chunkRemainingBytes, input.length - at);
          const slice = input.subarray(at, at + take);
          at += take;
          this.chunkRemainingBytes -= take;
          this.chunkHash?.update(slice);
          if (this.chunkRemainingBytes === 0) {
            this.checkChunkSignature();
            this.state = "data-crlf";
            this.crlfSeen = 0;
          }
          if (slice.length > 0) yield slice;
          break;
        }
        case "data-crlf":
        case "final-crlf": {
          if (input[at] !== crlf[this.crlfSeen]) throw s3PayloadErrors.bodyTerminated();
          at++;
          if (++this.crlfSeen === 2) this.state = this.state === "data-crlf" ? "size-line" : "done";
          break;
        }
        case "done":
          // After the closing CRLF: ignored, as AWS ignores lines after the trailers.
          return;
      }
    }
  }

  /** The raw body ended: throws unless the body was complete. */
  end(): void {
    if (this.state === "final-crlf" && this.crlfSeen === 0) this.state = "done";
    if (this.state === "trailer-lines" && this.lineBytes === 0) this.finishTrailers();
    if (this.state !== "done") throw s3PayloadErrors.bodyTerminated();
  }

  /** Accumulates up to the next CRLF; returns the index after it, or undefined when the input ran out first. */
  private takeLine(input: Buffer, from: number): number | undefined {
    const newline = input.indexOf(10, from);
    const end = newline < 0 ? input.length : newline + 1;
    this.lineBytes += end - from;
    if (this.lineBytes > chunkedLineBytesMax) throw s3PayloadErrors.bodyTerminated();
    this.line.push(input.subarray(from, end));
    return newline < 0 ? undefined : end;
  }

  /** The line just taken, without its CRLF; a bare LF or a stray CR is a malformed frame. */
  private finishLine(): string {
    const whole = Buffer.concat(this.line);
    this.line = [];
    this.lineBytes = 0;
    if (whole.length < 2 || whole[whole.length - 2] !== 13) throw s3PayloadErrors.bodyTerminated();
    const text = whole.subarray(0, whole.length - 2).toString("latin1");
    if (text.includes("\r")) throw s3PayloadErrors.bodyTerminated();
    return text;
  }

  private chunkHeader(line: string): void {
    this.chunkNumber++;
    const semicolon = line.indexOf(";");
    const sizeText = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText) || sizeText.length > chunkSizeDigitsMax) throw s3PayloadErrors.bodyTerminated();
    const size = Number.parseInt(sizeText, 16);
    if (this.options.signing !== undefined) this.chunkSignature = this.parseChunkSignature(semicolon < 0 ? undefined : line.slice(semicolon + 1));
    if (this.previousChunkBytes !== undefined && this.previousChunkBytes < chunkBytesMin && size !== 0) {
      throw s3PayloadErrors.chunkTooSmall(this.chunkNumber, this.previousChunkBytes);
    }
    this.previousChunkBytes = size;
    const expected = this.options.decodedLengthBytes;
    if (size > expected - this.decodedBytes) throw s3PayloadErrors.incompleteBody(expected, this.decodedBytes + size);
    this.decodedBytes += size;
    this.chunkSizeBytes = size;
    this.chunkHash = this.options.signing?.signingKey !== undefined ? createHash("sha256") : undefined;
    if (size > 0) {
      this.chunkRemainingBytes = size;
      this.state = "data";
      return;
    }
    this.checkChunkSignature();
    if (this.decodedBytes !== expected) throw s3PayloadErrors.incompleteBody(expected, this.decodedBytes);
    this.crlfSeen = 0;
    this.state = this.options.trailer || this.options.expectedTrailers.size > 0 ? "trailer-lines" : "final-crlf";
  }

  /** `chunk-signature=<sig>`, spaces allowed around the name and value (AWS accepts them). */
  private parseChunkSignature(params: string | undefined): string {
    if (params === undefined) throw s3PayloadErrors.bodyTerminated();
    const equals = params.indexOf("=");
    const name = (equals < 0 ? params : params.slice(0, equals)).trim();
    const value = equals < 0 ? "" : params.slice(equals + 1);
    // AWS: another parameter first fails the signature; one after it is a malformed frame.
    if (name !== "chunk-signature") {
      if (this.options.signing?.signingKey !== undefined) throw this.signatureMismatch(this.chunkSts(""), value.trim());
      return value.trim();
    }
    if (value.includes(";") || value.trim() === "") throw s3PayloadErrors.bodyTerminated();
    return value.trim();
  }

  private chunkSts(dataSha256Hex: string): string {
    const signing = this.options.signing!;
    return chunkStringToSign(signing.timestamp, signing.scope, this.previousSignature, dataSha256Hex);
  }

  private checkChunkSignature(): void {
    const signing = this.options.signing;
    if (signing?.signingKey === undefined || this.chunkHash === undefined) return;
    const toSign = this.chunkSts(this.chunkHash.digest("hex"));
    this.chunkHash = undefined;
    if (!constantTimeEqual(hmacHex(signing.signingKey, toSign), this.chunkSignature)) throw this.signatureMismatch(toSign, this.chunkSignature);
    this.previousSignature = this.chunkSignature;
  }

  private signatureMismatch(toSign: string, provided: string) {
    const signing = this.options.signing!;
    return s3AuthErrors.signatureDoesNotMatch(signing.accessKeyId, toSign, provided, signing.canonicalRequest);
  }

  private trailerLine(line: string): void {
    if (line === "") {
      this.finishTrailers();
      return;
    }
    const colon = line.indexOf(":");
    if (colon < 0 || this.trailers.length >= trailerLinesMax) throw s3PayloadErrors.malformedTrailer();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const signatureName = "x-amz-trailer-signature";
    const allowed = this.options.expectedTrailers.has(name) || (name === signatureName && this.signsTrailer());
    if (!allowed || this.trailers.some(([seen]) => seen === name)) throw s3PayloadErrors.malformedTrailer();
    this.trailers.push([name, value]);
  }

  private signsTrailer(): boolean {
    return this.options.signedTrailer === true && this.options.signing !== undefined;
  }

  private finishTrailers(): void {
    const signatureName = "x-amz-trailer-signature";
    const signature = this.trailers.find(([name]) => name === signatureName)?.[1];
    const others = this.trailers.filter(([name]) => name !== signatureName);
    if (this.signsTrailer() && signature === undefined) throw s3PayloadErrors.bodyTerminated();
    if (others.length !== this.options.expectedTrailers.size) throw s3PayloadErrors.malformedTrailer();
    const signing = this.options.signing;
    if (this.signsTrailer() && signing?.signingKey !== undefined) {
      const toSign = trailerStringToSign(signing.timestamp, signing.scope, this.previousSignature, others);
      if (!constantTimeEqual(hmacHex(signing.signingKey, toSign), signature!)) throw this.signatureMismatch(toSign, signature!);
    }
    this.trailers.splice(0, this.trailers.length, ...others);
    this.state = "done";
  }
}

function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
