/**
 * Serves a request a StreamingApi claimed (src/protocol/streaming-api.ts: S3): the body goes to
 * the API as a stream under the connection's body idle deadline, and the answer goes out as the
 * API streams it, with backpressure, so an object of any size passes through in bounded memory.
 * A small body of declared length (at most `wholeBodyBytesMax`) is read whole first, as the RPC
 * pipeline reads its bodies, and handed over as a Buffer.
 */
import { Readable, Transform, pipeline, type Writable } from "node:stream";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { RequestHead, StreamedResponse, StreamingApi } from "../protocol/streaming-api.js";
import type { Clock, Timer } from "../util/clock.js";
import type { Logger } from "../util/logger.js";
import { readBody } from "./request-body.js";
import type { AccessRecord } from "./access-log.js";

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

export interface StreamingServeDeps {
  clock: Clock;
  logger: Logger;
  /** No body bytes for this long: the upload stalled (answered 408, connection closed). */
  bodyIdleMs: number;
  /** Counts the request as waiting on the client while its body is being read. */
  reading(on: boolean): void;
  /** The ids of an answer the server gives itself (the 408), as every AWS answer carries. */
  answerIds(): Record<string, string>;
  /** The request's access-log record, when the access log is on: bytes in and out and the request id go there. */
  access?: AccessRecord | undefined;
}

/**
 * Bodies declaring at most this many bytes (a Content-Length, no Transfer-Encoding) are read whole
 * before the API runs: at most this much memory per request, as S3 reads such a body whole anyway
 * (src/s3/body/small-payload.ts). It spares each one the stream below — a Transform, a pipe, its
 * listeners — about a fifth of a 1 KiB PutObject's time on the event loop (bench/s3).
 */
export const wholeBodyBytesMax = 64 * 1024;

class BodyStalled extends Error {
  override name = "BodyStalled";
}

export async function serveStreaming(
  api: StreamingApi,
  head: RequestHead,
  request: AnyRequest,
  response: AnyResponse,
  extraHeaders: Record<string, string>,
  deps: StreamingServeDeps,
): Promise<void> {
  // A small body of declared length: read whole first (serveWhole). An empty one over HTTP/1.1 is
  // no body (next); over HTTP/2 its stream's end is still awaited.
  const wholeBytes = wholeBodyLength(head);
  if (wholeBytes !== undefined && (wholeBytes > 0 || "stream" in response)) return serveWhole(api, head, request, response, extraHeaders, deps, wholeBytes);
  // An HTTP/1.1 request without a body (a GET, a HEAD, a DELETE): nothing will come from the
  // client, so no body stream, idle deadline or listeners — the request itself is the empty body
  // (bench/s3: a 1 KiB GET spent ~10 % of its server time setting those up). An HTTP/2 request
  // may carry DATA without declaring a length, so it always takes the path below.
  if (!("stream" in response) && !declaresBody(head)) {
    let answer: StreamedResponse;
    try {
      answer = await api.handle(head, request as Readable);
    } catch (error) {
      return failed(head, response, extraHeaders, deps, error);
    }
    return sendAnswer(head, response, answer, extraHeaders, false, deps);
  }
  let stalled = false;
  let idle: Timer | undefined;
  const access = deps.access;
  const body = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      idle?.refresh();
      if (access !== undefined) access.bytesIn += chunk.length;
      callback(null, chunk);
    },
  });
  if (Number.isFinite(deps.bodyIdleMs)) {
    idle = deps.clock.setTimeout(() => {
      stalled = true;
      // The request stays open: the 408 goes out on it, and then the connection closes.
      request.unpipe(body);
      body.destroy(new BodyStalled("no body bytes arrived within the idle deadline"));
    }, deps.bodyIdleMs, { unref: true });
  }
  deps.reading(true);
  let readingCounted = true;
  const stopReading = () => {
    deps.clock.clearTimer(idle);
    idle = undefined;
    if (readingCounted) deps.reading(false);
    readingCounted = false;
  };
  // The API may answer without reading the body; a body cut short (a reset) errors the API's read,
  // and only that read: an API that is not reading never hears of it (no unhandled 'error').
  body.on("error", () => undefined);
  request.pipe(body);
  const cut = () => {
    if (!request.readableEnded) body.destroy(new Error("the request ended before its body"));
    stopReading();
  };
  request.once("error", cut);
  request.once("aborted", cut);
  request.once("close", cut);
  // Waiting on the client ends when its body has all arrived (the request's 'close' comes then,
  // at once for a GET, whatever the answer then streams), or when the API has read it all.
  body.once("end", stopReading);
  body.once("close", stopReading);

  let answer: StreamedResponse;
  try {
    answer = await api.handle(head, body);
  } catch (error) {
    stopReading();
    if (stalled) return sendStalled(response, extraHeaders, deps);
    return failed(head, response, extraHeaders, deps, error);
  }
  if (stalled) return sendStalled(response, extraHeaders, deps);
  // A body the API left unread (an early refusal): HTTP/1.1 cannot go on on this connection
  // without reading it all, which for a refused 5 GiB upload is not worth it — close instead.
  const unread = !request.readableEnded && declaresBody(head);
  await sendAnswer(head, response, answer, extraHeaders, unread, deps);
  if (unread) stopReading();
}

/**
 * A small body of declared length: read whole under the body idle deadline (one timer, restarted
 * by each chunk, request-body.ts), then the API answers with it in hand. A stalled body is
 * answered 408 as the streamed path answers it, without asking the API; a body cut short (a reset,
 * a closed connection) gets nothing more, as no answer could reach its client.
 */
async function serveWhole(
  api: StreamingApi,
  head: RequestHead,
  request: AnyRequest,
  response: AnyResponse,
  extraHeaders: Record<string, string>,
  deps: StreamingServeDeps,
  lengthBytes: number,
): Promise<void> {
  deps.reading(true);
  // A body longer than it declared (which only HTTP/2 could send: Node's HTTP/1.1 parser reads
  // the declared length, and nghttp2 resets a stream whose DATA outgrows it) is kept up to the
  // same bound, so the API judges it as it would a stream (IncompleteBody); past the bound the
  // stream is destroyed, and then nothing more is said.
  const read = await readBody(request, wholeBodyBytesMax, lengthBytes, wholeBodyBytesMax, deps.bodyIdleMs, deps.clock);
  deps.reading(false);
  if (!read.ok) {
    if (read.reason === "stalled") sendStalled(response, extraHeaders, deps);
    return undefined;
  }
  if (deps.access !== undefined) deps.access.bytesIn = read.body.length;
  let answer: StreamedResponse;
  try {
    answer = await api.handle(head, read.body);
  } catch (error) {
    return failed(head, response, extraHeaders, deps, error);
  }
  return sendAnswer(head, response, answer, extraHeaders, false, deps);
}

/** The declared length of a body to read whole (wholeBodyBytesMax), else undefined: stream it. */
function wholeBodyLength(head: RequestHead): number | undefined {
  if (head.headers["transfer-encoding"] !== undefined) return undefined;
  const length = head.headers["content-length"];
  // Digits only, read by hand: a regular expression here was 1.6 % of a small PUT's event loop.
  if (typeof length !== "string" || length.length === 0 || length.length > 6) return undefined;
  let lengthBytes = 0;
  for (let index = 0; index < length.length; index++) {
    const digit = length.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return undefined;
    lengthBytes = lengthBytes * 10 + digit;
  }
  return lengthBytes <= wholeBodyBytesMax ? lengthBytes : undefined;
}

function failed(head: RequestHead, response: AnyResponse, extraHeaders: Record<string, string>, deps: StreamingServeDeps, error: unknown): void {
  deps.logger.error({ err: error, method: head.method, path: head.path }, "streaming request failed");
  if (!response.headersSent) {
    response.writeHead(500, { ...deps.answerIds(), ...extraHeaders, "content-length": 0 });
    response.end();
  }
}

/** Sends the API's answer: a Buffer at once (its length set), a stream as it is read, with backpressure. */
function sendAnswer(head: RequestHead, response: AnyResponse, answer: StreamedResponse, extraHeaders: Record<string, string>, unread: boolean, deps: StreamingServeDeps): Promise<void> | undefined {
  const headers: Record<string, string | number> = answer.headers;
  // The answer's headers are its own (a fresh object per answer): the extra ones join them in place.
  for (const name in extraHeaders) headers[name] = extraHeaders[name]!;
  if (unread && !("stream" in response)) headers.connection = "close";
  if ("stream" in response) delete headers.connection;
  if (deps.access !== undefined) noteAnswer(deps.access, head, answer);
  if (Buffer.isBuffer(answer.body)) {
    if (head.method !== "HEAD") headers["content-length"] = answer.body.length;
    response.writeHead(answer.statusCode, headers);
    if (head.method === "HEAD") response.end();
    else response.end(answer.body);
    return undefined;
  }
  response.writeHead(answer.statusCode, headers);
  if (head.method === "HEAD") {
    response.end();
    return undefined;
  }
  return new Promise<void>((resolve) => {
    pipeline(Readable.from(answer.body as AsyncIterable<Uint8Array>), response as unknown as Writable, (error) => {
      // The client went away, or reading the stored bytes failed after the headers went out: the
      // answer is cut short (its length tells the client), nothing else can be said.
      if (error && (error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") {
        deps.logger.warn({ err: error, path: head.path }, "streamed answer cut short");
      }
      resolve();
    });
  });
}

/** The answer's request id and size (a streamed body's as its content-length declares: a body cut short is logged as incomplete). */
function noteAnswer(access: AccessRecord, head: RequestHead, answer: StreamedResponse): void {
  access.requestId = answer.headers["x-amz-request-id"] ?? answer.headers["x-amzn-requestid"];
  if (head.method === "HEAD") access.bytesOut = 0;
  else if (Buffer.isBuffer(answer.body)) access.bytesOut = answer.body.length;
  else {
    const length = Number(answer.headers["content-length"]);
    if (Number.isSafeInteger(length)) access.bytesOut = length;
  }
}

function declaresBody(head: RequestHead): boolean {
  const length = head.headers["content-length"];
  if (typeof length === "string" && /^\d+$/.test(length)) return Number(length) > 0;
  return head.headers["transfer-encoding"] !== undefined;
}

function sendStalled(response: AnyResponse, extraHeaders: Record<string, string>, deps: StreamingServeDeps): void {
  if (response.headersSent || response.destroyed) return;
  // As the RPC pipeline answers a stalled upload (create-server.ts): 408, and the rest is not read.
  const headers: Record<string, string | number> = { ...deps.answerIds(), ...extraHeaders, "content-length": 0 };
  if (!("stream" in response)) headers.connection = "close";
  response.writeHead(408, headers);
  response.end();
}
