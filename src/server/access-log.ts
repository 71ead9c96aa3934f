/**
 * The access log (`--access-log`, docs/logging.md): one info line per request, written when its
 * response has gone out (or its connection went away): request id, method, service, action,
 * resource, status, error type, latency, bytes in and out, protocol. The transport
 * (create-server.ts) opens a record per request and the layers that know a field fill it in:
 * the RPC pipeline the service, action and resource (src/protocol/respond.ts), S3's and Lambda's
 * routers theirs, the transport the rest. Never payloads, query strings or headers: a resource is
 * a name the request gives (stream, delivery stream, table, bucket, function), no more.
 *
 * With the log off the transport makes no record, and every layer's `if (note)` is all it costs.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { AccessNote } from "../protocol/respond.js";
import { preformattedInfo, type Logger, type PreformattedInfo } from "../util/logger.js";

/** One request's line, filled in as the request is served; the transport writes it at the end. */
export class AccessRecord implements AccessNote {
  service: string | undefined = undefined;
  action: string | undefined = undefined;
  resource: string | undefined = undefined;
  errorType: string | undefined = undefined;
  requestId: string | undefined = undefined;
  bytesIn = 0;
  bytesOut: number | undefined = undefined;

  constructor(
    readonly method: string,
    readonly protocol: "h1" | "h2",
    /** performance.now() when the request reached the handler. */
    readonly startedMs: number,
  ) {}
}

/** Longest resource name written: AWS's names and ARNs fit (a stream ARN is at most 2,048 characters). */
const resourceCharsMax = 2048;

export class AccessLog {
  /** The logger's writer of lines built here, when it has one (the json format's): see end(). */
  private readonly preformatted: PreformattedInfo | undefined;

  constructor(private readonly logger: Logger) {
    this.preformatted = preformattedInfo(logger);
  }

  begin(request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse): AccessRecord {
    return new AccessRecord(request.method ?? "", "stream" in response ? "h2" : "h1", performance.now());
  }

  /** Writes the record's line; `response` tells the status (none when the client left before an answer). */
  end(record: AccessRecord, response: ServerResponse | Http2ServerResponse): void {
    const latencyMs = Math.round((performance.now() - record.startedMs) * 100) / 100;
    // The json format's line built here, the same text as pino's for the object below: pino
    // serializes a nested object with its own walk and JSON.stringify, 1.5 µs of a line's 2.5
    // (docs/performance.md, issue 19).
    if (this.preformatted !== undefined) this.preformatted(accessJson(record, response, latencyMs), "request");
    else this.logger.info({ access: accessFields(record, response, latencyMs) }, "request");
  }
}

/** The line's `access` object (for a logger that serializes it: pretty, a child). */
function accessFields(record: AccessRecord, response: ServerResponse | Http2ServerResponse, latencyMs: number): Record<string, string | number | boolean> {
  const access: Record<string, string | number | boolean> = {};
  if (record.requestId !== undefined) access.requestId = record.requestId;
  access.method = record.method;
  if (record.service !== undefined) access.service = record.service;
  if (record.action !== undefined) access.action = record.action;
  if (record.resource !== undefined && record.resource !== "") access.resource = record.resource.slice(0, resourceCharsMax);
  if (response.headersSent) access.status = response.statusCode;
  if (record.errorType !== undefined) access.errorType = record.errorType;
  access.latencyMs = latencyMs;
  access.bytesIn = record.bytesIn;
  if (record.bytesOut !== undefined) access.bytesOut = record.bytesOut;
  access.protocol = record.protocol;
  // A response that never finished: the client went away first, or the server cut it short.
  if (!response.writableFinished) access.incomplete = true;
  return access;
}

/** `"access":{…}`: accessFields' object as JSON.stringify writes it (its fields, in its order). */
function accessJson(record: AccessRecord, response: ServerResponse | Http2ServerResponse, latencyMs: number): string {
  let json = '"access":{';
  if (record.requestId !== undefined) json += `"requestId":${JSON.stringify(record.requestId)},`;
  json += `"method":${JSON.stringify(record.method)}`;
  if (record.service !== undefined) json += `,"service":${JSON.stringify(record.service)}`;
  if (record.action !== undefined) json += `,"action":${JSON.stringify(record.action)}`;
  if (record.resource !== undefined && record.resource !== "") json += `,"resource":${JSON.stringify(record.resource.slice(0, resourceCharsMax))}`;
  if (response.headersSent) json += `,"status":${jsonNumber(response.statusCode)}`;
  if (record.errorType !== undefined) json += `,"errorType":${JSON.stringify(record.errorType)}`;
  json += `,"latencyMs":${jsonNumber(latencyMs)},"bytesIn":${jsonNumber(record.bytesIn)}`;
  if (record.bytesOut !== undefined) json += `,"bytesOut":${jsonNumber(record.bytesOut)}`;
  json += `,"protocol":"${record.protocol}"`;
  if (!response.writableFinished) json += ',"incomplete":true';
  return json + "}";
}

/** A number as JSON.stringify writes it (null for NaN and infinities). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/**
 * The access log for a logger, or undefined when off: off when asked (`--access-log false`), and
 * when the logger would drop info lines anyway (`--log-level warn`), so no record is made for nothing.
 */
export function accessLogFor(enabled: boolean, logger: Logger): AccessLog | undefined {
  if (!enabled) return undefined;
  const levelCheck = (logger as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  if (levelCheck !== undefined && !levelCheck.call(logger, "info")) return undefined;
  return new AccessLog(logger);
}
