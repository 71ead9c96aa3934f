/**
 * The Lambda Runtime API (version 2018-06-01) of one sandbox: an HTTP server on 127.0.0.1 whose
 * host:port the runtime finds in AWS_LAMBDA_RUNTIME_API. Routes, statuses and bodies follow
 * Lambda's (the runtime interface emulator's rapi handlers):
 *
 *   GET  /2018-06-01/runtime/invocation/next            long-poll; 200 with the event and the
 *        Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id,
 *        -Client-Context headers. The first call ends the init phase.
 *   POST /2018-06-01/runtime/invocation/{id}/response   202 {"status":"OK"}; past 6 MB, 413
 *        RequestEntityTooLarge and the invocation fails with Function.ResponseSizeTooLarge
 *   POST /2018-06-01/runtime/invocation/{id}/error      202; the body (Lambda-Runtime-Function-Error-Type
 *        its type) is the error document the caller gets with X-Amz-Function-Error: Unhandled
 *   POST /2018-06-01/runtime/init/error                 202 during init; 403 InvalidStateTransition after
 *
 * An id other than the running invocation's answers 400 InvalidRequestID; a call out of order 403
 * InvalidStateTransition; any other path chi's 404 ("404 page not found"). One invocation at a
 * time: the sandbox is given the next only after it answered the last.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Lambda's invocation payload bound (interop.MaxPayloadSize: 6 MiB + 100 bytes). */
export const payloadBytesMax = 6 * 1024 * 1024 + 100;

const pathPrefix = "/2018-06-01/runtime/";
const invocationPrefix = "/2018-06-01/runtime/invocation/";

export interface RuntimeInvocation {
  readonly requestId: string;
  readonly payload: Buffer;
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId: string;
  readonly clientContext?: string;
}

export type InvocationOutcome =
  | { readonly kind: "response"; readonly payload: Buffer }
  | { readonly kind: "error"; readonly errorType: string; readonly payload: Buffer };

export interface RuntimeApiListener {
  /** The runtime asked for its first invocation: init is over. */
  initDone(): void;
  /** The runtime reported that it could not start. */
  initError(errorType: string, payload: Buffer): void;
  /** The runtime answered the running invocation. */
  outcome(requestId: string, outcome: InvocationOutcome): void;
}

const jsonHeaders = { "Content-Type": "application/json" };
const acceptedBody = '{"status":"OK"}\n';

function answer(response: ServerResponse, statusCode: number, body: object): void {
  response.writeHead(statusCode, jsonHeaders);
  response.end(`${JSON.stringify(body)}\n`);
}

function invalidRequestId(response: ServerResponse): void {
  answer(response, 400, { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
}

function invalidState(response: ServerResponse, from: string, to: string): void {
  answer(response, 403, { errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`, errorType: "InvalidStateTransition" });
}

function notFound(response: ServerResponse): void {
  response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
  response.end("404 page not found\n");
}

/** Reads a body up to `bytesMax`; past it the rest is read and dropped, and only its length kept. */
function readBody(request: IncomingMessage, bytesMax: number): Promise<{ body: Buffer; sizeBytes: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let sizeBytes = 0;
    request.on("data", (chunk: Buffer) => {
      sizeBytes += chunk.length;
      if (sizeBytes <= bytesMax) chunks.push(chunk);
    });
    request.on("end", () => resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), sizeBytes }));
    request.on("error", reject);
  });
}

type Phase = "init" | "ready" | "invoking" | "closed";

export class RuntimeApiServer {
  private readonly server: Server;
  private phase: Phase = "init";
  /** A /next waiting for an invocation. */
  private waiting: ServerResponse | undefined;
  /** The invocation given to the sandbox but not yet sent (no /next waiting yet). */
  private queued: RuntimeInvocation | undefined;
  /** The invocation sent and not yet answered. */
  private running: RuntimeInvocation | undefined;

  constructor(private readonly listener: RuntimeApiListener) {
    this.server = createServer({ keepAlive: true, noDelay: true }, (request, response) => this.route(request, response));
    // The runtime's /next waits as long as the sandbox is idle: no request deadline applies to it.
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 0;
    this.server.headersTimeout = 0;
  }

  /** Starts listening; answers host:port for AWS_LAMBDA_RUNTIME_API. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        const address = this.server.address() as AddressInfo;
        resolve(`127.0.0.1:${address.port}`);
      });
    });
  }

  /** Hands the sandbox its next invocation (the previous one must have been answered). */
  dispatch(invocation: RuntimeInvocation): void {
    this.running = undefined;
    const waiting = this.waiting;
    if (waiting !== undefined) {
      this.waiting = undefined;
      this.send(waiting, invocation);
    } else {
      this.queued = invocation;
    }
  }

  /** The invocation ended without an answer (timeout, crash): a late answer is then an invalid id. */
  abandon(): void {
    this.running = undefined;
    this.queued = undefined;
  }

  close(): void {
    this.phase = "closed";
    this.waiting?.destroy();
    this.waiting = undefined;
    this.server.close();
    this.server.closeAllConnections();
  }

  private send(response: ServerResponse, invocation: RuntimeInvocation): void {
    this.running = invocation;
    this.phase = "invoking";
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
      "Lambda-Runtime-Deadline-Ms": String(invocation.deadlineMs),
      "Lambda-Runtime-Invoked-Function-Arn": invocation.invokedFunctionArn,
      "Lambda-Runtime-Trace-Id": invocation.traceId,
    };
    if (invocation.clientContext !== undefined) headers["Lambda-Runtime-Client-Context"] = invocation.clientContext;
    response.writeHead(200, headers);
    response.end(invocation.payload);
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? "";
    const path = url.includes("?") ? url.slice(0, url.indexOf("?")) : url;
    if (path === `${invocationPrefix}next`) {
      if (request.method !== "GET") return this.methodNotAllowed(request, response);
      return this.next(request, response);
    }
    if (path.startsWith(invocationPrefix)) {
      const rest = path.slice(invocationPrefix.length);
      const slash = rest.indexOf("/");
      const kind = slash < 0 ? "" : rest.slice(slash + 1);
      if (slash > 0 && (kind === "response" || kind === "error")) {
        if (request.method !== "POST") return this.methodNotAllowed(request, response);
        void this.answerOf(decodeURIComponent(rest.slice(0, slash)), kind, request, response);
        return;
      }
    }
    if (path === `${pathPrefix}init/error`) {
      if (request.method !== "POST") return this.methodNotAllowed(request, response);
      void this.initError(request, response);
      return;
    }
    request.resume();
    notFound(response);
  }

  private methodNotAllowed(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    response.writeHead(405);
    response.end();
  }

  private next(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    if (this.phase === "closed") {
      response.destroy();
      return;
    }
    if (this.running !== undefined || this.waiting !== undefined) {
      invalidState(response, this.running !== undefined ? "Running" : "Ready", "Ready");
      return;
    }
    if (this.phase === "init") {
      this.phase = "ready";
      this.listener.initDone();
    }
    this.phase = "ready";
    const queued = this.queued;
    if (queued !== undefined) {
      this.queued = undefined;
      this.send(response, queued);
      return;
    }
    this.waiting = response;
    // A runtime that goes away while waiting leaves no stale /next behind.
    response.on("close", () => {
      if (this.waiting === response) this.waiting = undefined;
    });
  }

  private async answerOf(requestId: string, kind: "response" | "error", request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { body, sizeBytes } = await readBody(request, payloadBytesMax);
    const running = this.running;
    if (running === undefined || running.requestId !== requestId) {
      invalidRequestId(response);
      return;
    }
    this.running = undefined;
    this.phase = "ready";
    if (kind === "error") {
      const errorType = String(request.headers["lambda-runtime-function-error-type"] ?? "") || "Unhandled";
      const payload = body.length > 0 ? body : Buffer.from(JSON.stringify({ errorMessage: "", errorType }));
      this.listener.outcome(requestId, { kind: "error", errorType, payload });
      response.writeHead(202, jsonHeaders);
      response.end(acceptedBody);
      return;
    }
    if (sizeBytes > payloadBytesMax) {
      const errorMessage = `Response payload size (${sizeBytes} bytes) exceeded maximum allowed payload size (${payloadBytesMax} bytes).`;
      const payload = Buffer.from(JSON.stringify({ errorMessage, errorType: "Function.ResponseSizeTooLarge" }));
      this.listener.outcome(requestId, { kind: "error", errorType: "Function.ResponseSizeTooLarge", payload });
      answer(response, 413, { errorMessage: `Exceeded maximum allowed payload size (${payloadBytesMax} bytes).`, errorType: "RequestEntityTooLarge" });
      return;
    }
    this.listener.outcome(requestId, { kind: "response", payload: body });
    response.writeHead(202, jsonHeaders);
    response.end(acceptedBody);
  }

  private async initError(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { body } = await readBody(request, payloadBytesMax);
    if (this.phase !== "init") {
      invalidState(response, this.phase === "invoking" ? "Running" : "Ready", "InitError");
      return;
    }
    const errorType = String(request.headers["lambda-runtime-function-error-type"] ?? "") || "Runtime.Unknown";
    this.listener.initError(errorType, body.length > 0 ? body : Buffer.from(JSON.stringify({ errorMessage: "", errorType })));
    response.writeHead(202, jsonHeaders);
    response.end(acceptedBody);
  }
}
