/**
 * The AWS JSON/CBOR RPC pipeline, from a received HTTP request to the response to send, in AWS's
 * order: method → empty body → content type → decode → target → authentication (src/auth) →
 * (service) shape check → action
 * (the order kinesalite's connection tests record for AWS). I/O-free, so
 * the HTTP/1.1 and HTTP/2 front ends share it and tests can call it directly.
 */
import { randomUUID } from "node:crypto";
import type { AwsService, RequestFacts } from "./aws-service.js";
import { decodeCbor, encodeCbor } from "./cbor-codec.js";
import { decodeJson, encodeJson } from "./json-codec.js";
import { EventStreamOutput, eventStreamContentType } from "./event-stream-output.js";
import { ServiceError, internalFailure } from "./service-error.js";
import { contentTypeOf, kinesisDialect, wireFormatOf, type WireDialect, type WireFormat } from "./wire-format.js";
import type { Logger } from "../util/logger.js";
import type { Authenticator } from "../auth/principal.js";
import { missingAuthenticationTokenXml } from "../auth/sigv4/errors.js";

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The raw query string after `?` (presigned signatures travel there); "" when none. */
  query?: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** The connection's address and transport, for authorization's condition keys. */
  facts?: RequestFacts;
}

export interface ResponseToSend {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
  /** An event stream answer (SubscribeToShard): the server sends the headers, then runs it; `body` is empty. */
  eventStream?: EventStreamToRun;
}

export interface EventStreamToRun {
  output: EventStreamOutput;
  format: WireFormat;
  requestId: string;
  action: string;
}

export interface Router {
  services: readonly AwsService[];
  logger: Logger;
  /** Who is calling; without one, services see no principal and use their own default. */
  authenticator?: Authenticator;
}

function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The response for a POST that is an AWS RPC call. */
export async function respondToRpc(router: Router, request: ReceivedRequest): Promise<ResponseToSend> {
  const requestId = randomUUID();
  const [prefix, action] = splitTarget(header(request, "x-amz-target"));
  const service = router.services.find((candidate) => candidate.targetPrefix === prefix);
  const dialect = service?.dialect ?? kinesisDialect;
  const format = wireFormatOf(header(request, "content-type"), dialect);
  const known = service !== undefined && action !== undefined && service.hasAction(action);
  // The pipeline's own errors, typed as the service's clients expect them.
  const pipelineError = (type: string) => new ServiceError(service?.qualifyErrorType?.(type) ?? type, undefined, 400);
  const respondError = (requestId: string, format: WireFormat, error: ServiceError) => errorResponseIn(requestId, format, error, dialect);

  const toAuthenticate = { ...request, query: request.query ?? "" };
  // Not an RPC call at all: AWS answers AccessDenied, or MissingAuthenticationToken to an unsigned request where signing is on.
  const notRpc = () => rawError(requestId, 403, router.authenticator?.unsigned(toAuthenticate) ? missingAuthenticationTokenXml : accessDeniedXml);
  if (request.method !== "POST") return notRpc();
  if (request.body.length === 0) {
    // AWS checks for an empty body before the content type: only the JSON content type gets a
    // JSON answer; none, CBOR or any other type gets the CBOR envelope.
    const type = known ? "SerializationException" : "UnknownOperationException";
    return respondError(requestId, format ?? "cbor", pipelineError(type));
  }
  if (!format) {
    // AWS answers a body in an unknown content type with bare XML-ish bodies, not JSON.
    if (!prefix || !action) return notRpc();
    return rawError(requestId, 404, "<UnknownOperationException/>\n");
  }
  const decoded = format === "json" ? decodeJson(request.body) : decodeCbor(request.body);
  if (!decoded.ok || decoded.value === null || typeof decoded.value !== "object" || Array.isArray(decoded.value)) {
    return respondError(requestId, format, pipelineError("SerializationException"));
  }
  if (!known) return respondError(requestId, format, pipelineError("UnknownOperationException"));
  // After the target and before the body's shape: kinesalite's connection tests record this order for AWS.
  const authentication =
    router.authenticator && (await router.authenticator.authenticate({ ...toAuthenticate, ...(service.signingName !== undefined && { signingService: service.signingName }) }));
  if (authentication && !authentication.ok) return respondError(requestId, format, authentication.error);

  try {
    const output = await service.invoke(action, decoded.value, format, authentication?.principal, request.facts);
    if (output instanceof EventStreamOutput) {
      // Errors found before the stream starts (validation, unknown consumer) were thrown above
      // and answer as plain errors; from here on they travel as exception messages.
      const headers = { "content-type": eventStreamContentType, "x-amzn-requestid": requestId };
      return { statusCode: 200, headers, body: Buffer.alloc(0), eventStream: { output, format, requestId, action } };
    }
    const body = output === undefined ? Buffer.alloc(0) : format === "json" ? encodeJson(output) : encodeCbor(output);
    return { statusCode: 200, headers: { "content-type": contentTypeOf(format, dialect), "x-amzn-requestid": requestId }, body };
  } catch (error) {
    if (error instanceof ServiceError) {
      if (error.statusCode >= 500) {
        // A fault rule may fail every call on purpose: an error line each would bury real failures.
        if (error.injected) router.logger.debug({ type: error.type, action, requestId }, "injected fault answered");
        else router.logger.error({ err: error.cause ?? error, action, requestId }, "request failed");
      }
      return respondError(requestId, format, error);
    }
    router.logger.error({ err: error, action, requestId }, "unexpected error");
    return respondError(requestId, format, internalFailure(error));
  }
}

const accessDeniedXml =
  "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n";

function splitTarget(target: string | undefined): [string | undefined, string | undefined] {
  if (!target) return [undefined, undefined];
  const dot = target.indexOf(".");
  if (dot < 0) return [target, undefined];
  return [target.slice(0, dot), target.slice(dot + 1)];
}

export function errorResponse(requestId: string, format: WireFormat, error: ServiceError): ResponseToSend {
  return errorResponseIn(requestId, format, error, kinesisDialect);
}

function errorResponseIn(requestId: string, format: WireFormat, error: ServiceError, dialect: WireDialect): ResponseToSend {
  const envelope: Record<string, string> = { __type: error.type };
  if (error.wireMessage !== undefined) envelope.message = error.wireMessage;
  const body = format === "json" ? encodeJson(envelope) : encodeCbor(envelope);
  return {
    statusCode: error.statusCode,
    headers: { "content-type": contentTypeOf(format, dialect), "x-amzn-requestid": requestId, "x-amzn-errortype": error.type },
    body,
  };
}

function rawError(requestId: string, statusCode: number, text: string): ResponseToSend {
  return { statusCode, headers: { "x-amzn-requestid": requestId }, body: Buffer.from(text, "utf8") };
}
