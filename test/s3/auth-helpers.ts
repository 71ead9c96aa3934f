/**
 * Helpers for the S3 authentication and body tests: requests exactly as @aws-sdk/client-s3 sends
 * them (its whole middleware stack, default checksums and aws-chunked trailers included), captured
 * raw by a tiny in-test HTTP server, then replayed through authenticateS3 and payloadOf; and
 * aws-chunked bodies signed by hand from the AWS documentation's recipe.
 */
import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { S3Client } from "@aws-sdk/client-s3";
import type { Principal } from "../../src/auth/principal.js";
import type { RequestHead } from "../../src/protocol/streaming-api.js";
import { authenticateS3, type PayloadSigning, type S3AuthDeps } from "../../src/s3/auth/index.js";
import { payloadOf, type PayloadSummary } from "../../src/s3/body/index.js";
import { S3Error } from "../../src/s3/s3-error.js";
import { ManualClock } from "../../src/util/clock.js";

export const testKey = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
export const region = "us-east-1";

export const alice: Principal = Object.freeze({ accountId: "111122223333", arn: "arn:aws:iam::111122223333:user/alice", accessKeyId: testKey.accessKeyId, policies: [] });

export const credentials = {
  async lookup(accessKeyId: string) {
    return accessKeyId === testKey.accessKeyId ? { secretAccessKey: testKey.secretAccessKey, identity: alice } : undefined;
  },
};

export function sigv4Deps(nowMs: number): S3AuthDeps {
  return { region, auth: { mode: "sigv4", credentials }, clock: new ManualClock(nowMs) };
}

export function noneDeps(nowMs = Date.now()): S3AuthDeps {
  return { region, auth: { mode: "none", accountId: "000000000000" }, clock: new ManualClock(nowMs) };
}

export interface CapturedRequest {
  head: RequestHead;
  body: Buffer;
  /** When it arrived: the clock its signature is checked against. */
  receivedMs: number;
}

export function headOf(method: string, url: string, headers: IncomingHttpHeaders): RequestHead {
  const question = url.indexOf("?");
  return { method, path: question < 0 ? url : url.slice(0, question), query: question < 0 ? "" : url.slice(question + 1), headers };
}

/** Runs `act` with an S3Client pointed at a server that records every request and answers 200. */
export async function captureSdkRequests(act: (client: S3Client) => Promise<unknown>, config: Record<string, unknown> = {}): Promise<CapturedRequest[]> {
  const captured: CapturedRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      captured.push({ head: headOf(request.method!, request.url!, request.headers), body: Buffer.concat(chunks), receivedMs: Date.now() });
      response.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"', "content-length": "0" });
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region, forcePathStyle: true, credentials: testKey, maxAttempts: 1, ...config });
  try {
    await act(client);
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return captured;
}

/** Splits `data` into pieces of random sizes (some empty), as a network might deliver it. */
export function randomSplits(data: Buffer, random: () => number, piecesMax = 12): Buffer[] {
  const pieces: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const size = Math.floor(random() * Math.min(data.length - at + 1, Math.max(2, Math.ceil(data.length / piecesMax) * 2)));
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

export async function* iterate(pieces: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const piece of pieces) yield piece;
}

export type ReadOutcome = { ok: true; data: Buffer; summary: PayloadSummary } | { ok: false; error: S3Error };

/** Reads a payload to the end: its bytes and summary, or the S3Error it threw (anything else is rethrown). */
export async function readPayload(head: RequestHead, pieces: readonly Buffer[], signing: PayloadSigning, computeChecksums?: ("CRC64NVME" | "CRC32")[]): Promise<ReadOutcome> {
  const payload = payloadOf(head, iterate(pieces), signing, computeChecksums ? { computeChecksums } : {});
  const out: Buffer[] = [];
  try {
    for await (const data of payload.bytes) out.push(Buffer.from(data));
  } catch (error) {
    if (error instanceof S3Error) return { ok: false, error };
    throw error;
  }
  return { ok: true, data: Buffer.concat(out), summary: payload.summary() };
}

/** Authenticates a captured request under sigv4 at its arrival time, then reads its body. */
export async function replay(request: CapturedRequest, deps: S3AuthDeps = sigv4Deps(request.receivedMs)): Promise<ReadOutcome & { payload?: PayloadSigning }> {
  const auth = await authenticateS3(request.head, deps);
  if (!auth.ok) return { ok: false, error: auth.error };
  return { ...(await readPayload(request.head, [request.body], auth.payload)), payload: auth.payload };
}

export const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

export function signingKeyFor(secret: string, date: string, service = "s3", inRegion = region): Buffer {
  return hmac(hmac(hmac(hmac("AWS4" + secret, date), inRegion), service), "aws4_request");
}

export interface HandSignedBody {
  head: RequestHead;
  body: Buffer;
  /** The signature each chunk carries, in order, then the trailer's (if any). */
  signatures: string[];
}

/**
 * A PUT with an aws-chunked body signed the documented way (API Reference, "Transferring Payload
 * in Multiple Chunks"), written independently of src/s3/auth: the seed signature over the headers,
 * each chunk's chained on the one before, optional trailers signed last.
 */
export function handSignedChunkedPut(options: {
  chunks: readonly Buffer[];
  amzDate: string;
  trailers?: readonly [string, string][];
  path?: string;
  host?: string;
}): HandSignedBody {
  const date = options.amzDate.slice(0, 8);
  const scope = `${date}/${region}/s3/aws4_request`;
  const key = signingKeyFor(testKey.secretAccessKey, date);
  const decoded = options.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const trailer = options.trailers !== undefined;
  const contentSha = trailer ? "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER" : "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  const headers: Record<string, string> = {
    host: options.host ?? "127.0.0.1:4567",
    "content-encoding": "aws-chunked",
    "x-amz-content-sha256": contentSha,
    "x-amz-date": options.amzDate,
    "x-amz-decoded-content-length": String(decoded),
    ...(trailer && options.trailers!.length > 0 && { "x-amz-trailer": options.trailers!.map(([name]) => name).join(",") }),
  };
  const signed = Object.keys(headers).sort();
  const path = options.path ?? "/bucket/key";
  const canonical = ["PUT", path, "", ...signed.map((name) => `${name}:${headers[name]}`), "", signed.join(";"), contentSha].join("\n");
  const seed = hmac(key, ["AWS4-HMAC-SHA256", options.amzDate, scope, sha256Hex(canonical)].join("\n")).toString("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${testKey.accessKeyId}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${seed}`;
  const signatures: string[] = [];
  const parts: Buffer[] = [];
  let previous = seed;
  for (const chunk of [...options.chunks, Buffer.alloc(0)]) {
    const signature = hmac(key, ["AWS4-HMAC-SHA256-PAYLOAD", options.amzDate, scope, previous, sha256Hex(""), sha256Hex(chunk)].join("\n")).toString("hex");
    signatures.push(signature);
    previous = signature;
    const last = chunk.length === 0;
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk, Buffer.from(last && trailer ? "" : "\r\n"));
  }
  if (trailer) {
    const lines = options.trailers!.map(([name, value]) => `${name}:${value}\n`).join("") || "\n";
    const signature = hmac(key, ["AWS4-HMAC-SHA256-TRAILER", options.amzDate, scope, previous, sha256Hex(lines)].join("\n")).toString("hex");
    signatures.push(signature);
    for (const [name, value] of options.trailers!) parts.push(Buffer.from(`${name}:${value}\r\n`));
    parts.push(Buffer.from(`x-amz-trailer-signature:${signature}\r\n\r\n`));
  }
  const body = Buffer.concat(parts);
  headers["content-length"] = String(body.length);
  return { head: { method: "PUT", path, query: "", headers }, body, signatures };
}

export function basicIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export { seededRandom } from "../helpers/seeded.js";
