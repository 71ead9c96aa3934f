/**
 * One listener, two protocols: HTTP/1.1 (keep-alive) and HTTP/2 cleartext with prior knowledge
 * share a port. Each new connection is sniffed for the HTTP/2 client preface and handed to the
 * matching Node server; both feed the same request handler. With TLS configured, connections
 * that open with a TLS handshake are terminated first (src/server/tls.ts) and go on by ALPN.
 */
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { respondToRpc, errorResponse, answerIds, type EventStreamToRun, type ResponseToSend, type Router } from "../protocol/respond.js";
import { ServiceError } from "../protocol/service-error.js";
import { wireFormatOf } from "../protocol/wire-format.js";
import { readBody } from "./request-body.js";
import { openEventStream, type OpenEventStream } from "./event-stream-response.js";
import { createTlsTerminator, tlsHandshakeRecordType, type TlsMaterial } from "./tls.js";
import { ConnectionGuard, type Connection } from "./connection-guard.js";
import { resolveConnectionLimits, type ConnectionLimits } from "./connection-limits.js";
import type { Logger } from "../util/logger.js";
import type { AwsService, RequestFacts, RestApi } from "../protocol/aws-service.js";
import type { Authenticator } from "../auth/principal.js";
import type { Random } from "../util/random.js";
import { systemClock, type Clock, type Timer } from "../util/clock.js";
import type { RequestHead, StreamingApi } from "../protocol/streaming-api.js";
import { serveStreaming } from "./streaming-request.js";
import { accessLogFor, type AccessRecord } from "./access-log.js";

export interface HttpServerConfig {
  host: string;
  port: number;
  /** Largest request body accepted; AWS's PutRecords maximum (10 MiB) base64-encoded fits. */
  requestBytesMax: number;
  /** How long a stop waits for in-flight requests (a stalled upload among them) before cutting them; default drainMsMaxDefault. */
  drainMsMax?: number;
  /** Serve TLS on the same port too (plain connections keep working). */
  tls?: TlsMaterial;
  /** Deadlines per phase and the cap on connections (src/server/connection-limits.ts); the defaults are AWS-like. */
  connections?: Partial<ConnectionLimits>;
}

/**
 * How far past requestBytesMax a refused body is still read (and dropped) before the 413 is sent,
 * so a client busy sending it reads the answer rather than a reset; a body declared larger gets
 * the 413 at once and a closed connection.
 */
export const refusedBodyDiscardBytesMax = 8 * 1024 * 1024;

/** Where the server's own routes live (`/_tributary/reset`, the services' admin routes): no AWS service's. */
const adminPathPrefix = "/_tributary/";

/** Long enough for any request that is being served; short enough that a stalled client cannot hold a stop. */
export const drainMsMaxDefault = 10_000;

export interface HttpServerDeps {
  config: HttpServerConfig;
  services: readonly AwsService[];
  /** REST APIs, recognised by path prefix (protocol/aws-service.ts). */
  restApis?: readonly RestApi[];
  /** Streamed APIs (S3), each asked in order whether it claims a request before any body is read (protocol/streaming-api.ts). */
  streamingApis?: readonly StreamingApi[];
  logger: Logger;
  /** Extra health detail (storage engine name and the like). */
  health?: () => Record<string, unknown>;
  /** Non-AWS endpoints (the fault injection admin) served on the same port; never reached through X-Amz-Target. */
  routes?: readonly HttpRoute[];
  /** Pages for browsers and scrapers (the console, Prometheus' /metrics): asked, in order, about unsigned GET and HEAD requests before the AWS APIs. */
  pages?: readonly SitePage[];
  /** Who calls the AWS pipeline (`--auth`); /health, the routes above and CORS preflights stay open. */
  authenticator?: Authenticator;
  /** Where the answers' `x-amz-id-2` values come from (deps.random); the system's randomness when absent. */
  random?: Random;
  /**
   * What the transport's deadlines (connection phases, body idle, event stream stop grace, the
   * drain bound) run on: wall time against clients, so the system clock, not the services'
   * injected clock that tests stop and move; a test may pass a ManualClock to drive them.
   */
  transportClock?: Clock;
  /** One info line per request through `logger` (`--access-log`, src/server/access-log.ts); off when absent. */
  accessLog?: boolean;
}

/** One path with its own methods; any other method on it falls through to the AWS pipeline. */
export interface HttpRoute {
  path: string;
  methods: readonly string[];
  /** Reads the body itself (within its own bound) and answers. */
  respond(request: IncomingMessage | Http2ServerRequest): Promise<ResponseToSend>;
}

/**
 * A page served to browsers and scrapers beside the AWS APIs. S3's ListBuckets is also `GET /` and a
 * bucket named "metrics" is `GET /metrics`: a page is only asked about requests that carry no AWS
 * signature (no Authorization header, no X-Amz-Signature or X-Amz-Credential in the query), so a
 * signed S3 call always reaches S3, and it may decline (answer undefined) to let the request go on.
 */
export interface SitePage {
  /** Whether the page serves this path (checked first, cheaply). */
  claims(path: string): boolean;
  respond(request: IncomingMessage | Http2ServerRequest, path: string, query: URLSearchParams): Promise<ResponseToSend | undefined>;
}

/** Whether a request carries an AWS signature (header or presigned query). */
export function isSigned(headers: IncomingMessage["headers"], query: string): boolean {
  return headers.authorization !== undefined || /(?:^|&)X-Amz-(?:Signature|Credential)=/i.test(query);
}

export interface RunningServer {
  /** The URL clients use, with the port actually bound. */
  url: string;
  /** The same port over TLS, when TLS is configured. */
  tlsUrl?: string;
  port: number;
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>;
  /** Connections open now (accepted and not yet closed), of every protocol. */
  connectionCount(): number;
}

const http2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

export async function startHttpServer(deps: HttpServerDeps): Promise<RunningServer> {
  const router: Router = {
    services: deps.services,
    ...(deps.restApis && { restApis: deps.restApis }),
    logger: deps.logger,
    ...(deps.authenticator && { authenticator: deps.authenticator }),
    ...(deps.random && { random: deps.random }),
  };
  const limits = resolveConnectionLimits(deps.config.connections);
  const transportClock = deps.transportClock ?? systemClock;
  const guard = new ConnectionGuard(limits, deps.logger, transportClock);
  const accessLog = accessLogFor(deps.accessLog === true, deps.logger);
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let closing = false;
  const eventStreams = new Set<OpenEventStream>();
  const startEventStream: EventStreamStarter = (response, headers, stream) => {
    const open = openEventStream(response, headers, stream, deps.logger, transportClock);
    eventStreams.add(open);
    void open.closed.then(() => eventStreams.delete(open));
    if (closing) open.stop();
  };

  const handle = (request: AnyRequest, response: AnyResponse) => {
    inFlight++;
    // From here on the request counts as in flight: a stop waits for it (up to drainMsMax).
    deps.logger.debug({ method: request.method, target: request.headers["x-amz-target"] }, "request received");
    // It stops counting when the response has been flushed or its connection is gone, not when
    // the handler returns: `end()` only queues the bytes, and a stop that destroyed the socket
    // in between would cut the last response short.
    const connection = guard.of(request as unknown as Parameters<ConnectionGuard["of"]>[0]);
    guard.requestStarted(connection);
    const record = accessLog?.begin(request, response);
    (response as ServerResponse).once("close", () => {
      guard.requestEnded(connection);
      inFlight--;
      if (record !== undefined) accessLog!.end(record, response);
      if (inFlight === 0 && drained) drained();
    });
    handleRequest(deps, router, request, response, () => closing, startEventStream, bodyDeadline(guard, connection), record).catch((error) => {
      deps.logger.error({ err: error }, "request handler failed");
      if (!response.headersSent) {
        // Still an answer to an AWS call: it carries the ids every answer does.
        response.writeHead(500, answerIds(randomUUID(), deps.random));
        response.end();
      }
    });
  };

  const http1 = createHttp1Server(
    {
      // Between requests: Node closes the connection and tells clients (`Keep-Alive: timeout=…`).
      keepAliveTimeout: limits.idleMs,
      // From a request's first byte to the end of its headers: then 408 and close.
      headersTimeout: limits.headersMs,
      // No cap on a whole request: a slow upload that keeps moving is served; a stalled one meets bodyIdleMs.
      requestTimeout: 0,
      // How often Node checks headersTimeout: a tenth of it, within [10 ms, 1 s].
      connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(limits.headersMs / 10))),
    },
    handle,
  );
  // This server never listens (the listener below hands it sockets), and Node starts the checks
  // of headersTimeout only when a server starts listening: start them as listening would.
  http1.emit("listening");
  const http2 = createHttp2Server({ settings: { maxConcurrentStreams: 1000 } }, handle);
  const sessions = new Set<Http2Session>();
  // The connection being handed to the HTTP/2 server: its 'session' event comes synchronously from emit("connection").
  let handingOver: Connection | undefined;
  const toHttp2 = (connection: Connection, socket: Socket) => {
    handingOver = connection;
    try {
      http2.emit("connection", socket);
    } finally {
      handingOver = undefined;
    }
  };
  http2.on("session", (session: Http2Session) => {
    if (handingOver) guard.attachSession(handingOver, session);
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  const sockets = new Set<Socket>();
  const tls =
    deps.config.tls &&
    createTlsTerminator(deps.config.tls, (tlsSocket, protocol, rawSocket) => {
      tlsSocket.on("error", () => tlsSocket.destroy());
      const connection = guard.connectionOf(rawSocket);
      if (connection === undefined) {
        tlsSocket.destroy();
        return;
      }
      guard.disarm(connection);
      guard.alias(connection, tlsSocket);
      if (protocol === "h2") {
        toHttp2(connection, tlsSocket);
      } else {
        guard.arm(connection, limits.idleMs, "first request");
        http1.emit("connection", tlsSocket);
      }
    });

  const listener = createNetServer({ pauseOnConnect: true }, (socket) => {
    socket.on("error", () => socket.destroy());
    const connection = guard.admit(socket);
    if (connection === undefined) return;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    // The whole sniff, a partial HTTP/2 preface included, has one deadline.
    guard.arm(connection, limits.idleMs, "first bytes");
    sniff(socket, tls !== undefined, (kind) => {
      guard.disarm(connection);
      if (kind === "tls") {
        guard.arm(connection, limits.tlsHandshakeMs, "TLS handshake");
        tls!.accept(socket);
      } else if (kind === "h2") {
        toHttp2(connection, socket);
      } else {
        guard.arm(connection, limits.idleMs, "first request");
        // The HTTP/1 server reads through the stream (where the sniffed bytes were unshifted) but
        // does not resume a socket that was paused for sniffing.
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(deps.config.port, deps.config.host, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  const port = (listener.address() as AddressInfo).port;
  const hostForUrl = deps.config.host.includes(":") ? `[${deps.config.host}]` : deps.config.host;

  return {
    url: `http://${hostForUrl}:${port}`,
    ...(tls && { tlsUrl: `https://${hostForUrl}:${port}` }),
    port,
    async close() {
      closing = true;
      // Event streams run until their subscription ends (minutes): end them now, so they do not
      // hold the stop for the drain bound.
      for (const open of eventStreams) open.stop();
      // net.Server#close calls back only once every connection has ended, so stop accepting
      // first and wait for that last: an idle keep-alive client would otherwise hold the stop
      // for the whole keep-alive timeout.
      const listenerClosed = new Promise<void>((resolve) => listener.close(() => resolve()));
      http1.closeIdleConnections();
      for (const session of sessions) session.close();
      if (inFlight > 0) {
        let timer: Timer | undefined;
        await new Promise<void>((resolve) => {
          drained = resolve;
          timer = transportClock.setTimeout(resolve, deps.config.drainMsMax ?? drainMsMaxDefault);
        });
        transportClock.clearTimer(timer);
      }
      http1.closeAllConnections();
      // Stops Node's header-timeout checks (the server never listened, so nothing else is closed).
      http1.close();
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      await listenerClosed;
    },
    connectionCount: () => guard.size,
  };
}

/** What handleRequest needs to put a deadline on a request's body and to count it as waiting on the client. */
interface BodyDeadline {
  idleMs: number;
  reading(on: boolean): void;
}

function bodyDeadline(guard: ConnectionGuard, connection: Connection | undefined): BodyDeadline {
  return {
    idleMs: guard.limits.bodyIdleMs,
    reading(on) {
      if (connection) connection.readingBodies += on ? 1 : -1;
    },
  };
}

/** Reads the first bytes of a connection to tell TLS (when served) and HTTP/2 prior knowledge from HTTP/1.1. */
function sniff(socket: Socket, tlsServed: boolean, route: (kind: "tls" | "h2" | "http1") => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    seen = Buffer.concat([seen, chunk]);
    if (tlsServed && seen[0] === tlsHandshakeRecordType) {
      socket.off("data", onData);
      socket.pause();
      socket.unshift(seen);
      route("tls");
      return;
    }
    const compared = Math.min(seen.length, http2Preface.length);
    const prefixMatches = seen.subarray(0, compared).equals(http2Preface.subarray(0, compared));
    if (prefixMatches && seen.length < http2Preface.length) return;
    socket.off("data", onData);
    socket.pause();
    socket.unshift(seen);
    route(prefixMatches ? "h2" : "http1");
  };
  socket.on("data", onData);
  socket.resume();
}

type EventStreamStarter = (response: AnyResponse, headers: Record<string, string>, stream: EventStreamToRun) => void;

async function handleRequest(
  deps: HttpServerDeps,
  router: Router,
  request: AnyRequest,
  response: AnyResponse,
  isClosing: () => boolean,
  startEventStream: EventStreamStarter,
  bodyDeadline: BodyDeadline,
  record: AccessRecord | undefined,
): Promise<void> {
  const origin = request.headers.origin;
  const corsHeaders: Record<string, string> = {};
  if (origin) {
    corsHeaders["access-control-allow-origin"] = "*";
    corsHeaders["access-control-expose-headers"] =
      "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date";
  }
  const url = request.url ?? "/";
  const queryStart = url.indexOf("?");
  const path = queryStart < 0 ? url : url.slice(0, queryStart);

  if (request.method === "OPTIONS" && origin) {
    // A CORS preflight, answered as AWS does: echo what was asked for, nothing more. An OPTIONS
    // without Origin is not a preflight and falls through to the non-POST rejection.
    const allowHeaders = request.headers["access-control-request-headers"];
    const allowMethod = request.headers["access-control-request-method"];
    const headers: Record<string, string> = {
      "x-amzn-requestid": randomUUID(),
      "access-control-allow-origin": "*",
      "access-control-max-age": "172800",
    };
    if (typeof allowHeaders === "string") headers["access-control-allow-headers"] = allowHeaders;
    if (typeof allowMethod === "string") headers["access-control-allow-methods"] = allowMethod;
    if (record !== undefined) ownRequest(record, "preflight", path);
    send(response, { statusCode: 200, headers, body: Buffer.alloc(0) }, record);
    return;
  }
  if (request.method === "GET" && path === "/health") {
    const status = isClosing() ? "stopping" : "ok";
    const body = Buffer.from(JSON.stringify({ status, ...deps.health?.() }));
    if (record !== undefined) ownRequest(record, "health", path);
    send(response, { statusCode: isClosing() ? 503 : 200, headers: { ...corsHeaders, "content-type": "application/json" }, body }, record);
    return;
  }
  if (deps.pages !== undefined && (request.method === "GET" || request.method === "HEAD")) {
    const pageQuery = queryStart < 0 ? "" : url.slice(queryStart + 1);
    const page = deps.pages.find((candidate) => candidate.claims(path));
    if (page !== undefined && !isSigned(request.headers, pageQuery)) {
      const answer = await page.respond(request, path, new URLSearchParams(pageQuery));
      if (answer !== undefined) {
        if (record !== undefined) ownRequest(record, "page", path);
        send(response, request.method === "HEAD" ? { ...answer, body: Buffer.alloc(0) } : answer, record);
        return;
      }
    }
  }
  const route = deps.routes?.find((candidate) => candidate.path === path && candidate.methods.includes(request.method ?? ""));
  if (route) {
    const result = await route.respond(request);
    if (record !== undefined) ownRequest(record, "admin", path);
    send(response, { ...result, headers: { ...result.headers, ...corsHeaders } }, record);
    return;
  }

  // A REST API's own paths and the server's admin paths are never a streamed API's (S3 would
  // otherwise take any path as a bucket): they go on to the pipeline as before.
  const query = queryStart < 0 ? "" : url.slice(queryStart + 1);
  const restApi = restApiOf(deps.restApis, path);
  if (deps.streamingApis !== undefined && !path.startsWith(adminPathPrefix) && restApi === undefined) {
    // Claims read the head only: the connection's facts are looked up for a claimed request alone,
    // so an RPC call (every Kinesis request passes here) pays for one small object and no more.
    const head: RequestHead = { method: request.method ?? "GET", path, query, headers: request.headers, accessNote: record };
    const api = deps.streamingApis.find((candidate) => candidate.claims(head));
    if (api !== undefined) {
      await serveStreaming(api, { ...head, facts: connectionFacts(request) }, request, response, corsHeaders, {
        clock: deps.transportClock ?? systemClock,
        logger: deps.logger,
        bodyIdleMs: bodyDeadline.idleMs,
        reading: bodyDeadline.reading,
        answerIds: () => answerIds(randomUUID(), deps.random),
        access: record,
      });
      return;
    }
  }

  const declared = request.headers["content-length"];
  const declaredLength = typeof declared === "string" && /^\d+$/.test(declared) ? Number(declared) : undefined;
  const requestBytesMax = restApi?.requestBytesMax ?? deps.config.requestBytesMax;
  const discardBytesMax = requestBytesMax + refusedBodyDiscardBytesMax;
  bodyDeadline.reading(true);
  const read = await readBody(request, requestBytesMax, declaredLength, discardBytesMax, bodyDeadline.idleMs, deps.transportClock ?? systemClock).finally(() => bodyDeadline.reading(false));
  if (!read.ok) {
    if (read.reason === "aborted") return;
    if (read.reason === "stalled") {
      // A stalled upload, answered as a load balancer answers one (408) and closed: the rest of
      // the body will not be read. Over HTTP/2 only this stream ends.
      send(response, { statusCode: 408, headers: { ...answerIds(randomUUID(), deps.random), connection: "close", ...corsHeaders }, body: Buffer.alloc(0) }, record);
      return;
    }
    const format = wireFormatOf(request.headers["content-type"]) ?? "json";
    const tooLarge =
      restApi?.tooLargeAnswer?.({ method: request.method ?? "GET", path }) ??
      errorResponse(randomUUID(), format, new ServiceError("SerializationException", `Request body exceeds the maximum size of ${requestBytesMax} bytes.`, 413), deps.random);
    // A body we did not read to its end leaves the connection unusable: close it after the answer.
    if (declaredLength !== undefined && declaredLength > discardBytesMax) tooLarge.headers.connection = "close";
    send(response, { ...tooLarge, headers: { ...tooLarge.headers, ...corsHeaders } }, record);
    return;
  }
  if (record !== undefined) record.bytesIn = read.body.length;
  const result = await respondToRpc(router, { method: request.method ?? "GET", path, query, headers: request.headers, body: read.body, facts: connectionFacts(request), accessNote: record });
  if (result.eventStream) {
    // Its bytes go out as events until the subscription ends: the line tells its id and status, not its size.
    if (record !== undefined) record.requestId = result.headers["x-amzn-requestid"];
    startEventStream(response, { ...result.headers, ...corsHeaders }, result.eventStream);
    return;
  }
  send(response, { ...result, headers: { ...result.headers, ...corsHeaders } }, record);
}

/** A request the server answers itself (a preflight, /health, a page, an admin route): its access line names the server and the path. */
function ownRequest(record: AccessRecord, action: string, path: string): void {
  record.service = "tributary";
  record.action = action;
  record.resource = path;
}

/** The REST API whose prefix the path has. */
function restApiOf(apis: readonly RestApi[] | undefined, path: string): RestApi | undefined {
  return apis?.find((api) => api.pathPrefixes.some((prefix) => path.startsWith(prefix)));
}

/**
 * The client's address and whether the connection is TLS (for aws:SourceIp and aws:SecureTransport).
 * Over HTTP/2 `request.socket` stands for the session's socket, a TLSSocket when TLS was used.
 */
function connectionFacts(request: AnyRequest): RequestFacts {
  const socket = request.socket as Socket & { encrypted?: boolean };
  const facts: RequestFacts = { secureTransport: socket.encrypted === true };
  const address = socket.remoteAddress;
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; IAM compares IPv4 CIDRs with IPv4.
  if (address !== undefined) facts.sourceIp = address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
  return facts;
}

function send(response: AnyResponse, result: ResponseToSend, record?: AccessRecord): void {
  if (record !== undefined) {
    record.requestId = result.headers["x-amzn-requestid"] ?? result.headers["x-amz-request-id"];
    record.errorType ??= result.headers["x-amzn-errortype"];
    record.bytesOut = result.body.length;
  }
  const headers: Record<string, string | number> = { ...result.headers, "content-length": result.body.length };
  // HTTP/2 forbids connection-specific headers.
  if ("stream" in response) delete headers.connection;
  response.writeHead(result.statusCode, headers);
  response.end(result.body);
}
