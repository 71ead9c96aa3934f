/**
 * The AWS JSON/CBOR RPC pipeline, from a received HTTP request to the response to send, in AWS's
 * order as kinesalite's connection tests record it: method → empty body → content type → body
 * (well-formed?) → X-Amz-Target → authentication (the Authenticator port, authenticator.ts) →
 * decode → the service (action-pipeline.ts: shape check → authorization → faults → rates → action).
 * A path one of the REST APIs claims (aws-service.ts, RestApi) goes to that API instead.
 *
 * "Body" is split in two so that nobody unauthenticated makes the server build anything: before
 * authentication the body is only scanned (json-scan.ts, cbor-scan.ts: one pass, nothing
 * allocated per value, bounded depth and value count), which is all AWS's order needs to answer
 * a malformed body first; it is decoded after authentication. A body nested past the bound is
 * answered at the shape check with the mismatch AWS's deserializer meets first along the way.
 * I/O-free, so the HTTP/1.1 and HTTP/2 front ends share it and tests can call it directly.
 */
import { randomUUID } from "node:crypto";
import type { AwsService, RequestFacts, RestApi } from "./aws-service.js";
import { decodeCbor, encodeCbor } from "./cbor-codec.js";
import { decodeJson, encodeJson } from "./json-codec.js";
import { scanCbor } from "./cbor-scan.js";
import { scanJson } from "./json-scan.js";
import { bodyLimits, type BodyScan } from "./body-scan.js";
import { EventStreamOutput, eventStreamContentType } from "./event-stream-output.js";
import { ServiceError, internalFailure } from "./service-error.js";
import { answeringDialect, contentTypeOf, isLegacyJson, kinesisDialect, legacyJsonContentType, wireFormatOf, type WireDialect, type WireFormat } from "./wire-format.js";
import type { Logger } from "../util/logger.js";
import { systemRandom, type Random } from "../util/random.js";
import type { Authenticator } from "./authenticator.js";

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The raw query string after `?` (presigned signatures travel there); "" when none. */
  query?: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** The connection's address and transport, for authorization's condition keys. */
  facts?: RequestFacts;
  /** Present when the access log is on: what the pipeline learns of the request goes here (src/server/access-log.ts). */
  accessNote?: AccessNote;
}

/**
 * What the access log (src/server/access-log.ts) says of a request beyond what the transport sees,
 * filled in by whoever learns it: the pipeline, or a REST or streamed API's router.
 */
export interface AccessNote {
  /** The service's AWS name (its signing name: kinesis, dynamodb, s3, lambda…). */
  service: string | undefined;
  /** The X-Amz-Target action, S3 operation or Lambda operation. */
  action: string | undefined;
  /** The stream, delivery stream, table, bucket or function the request names: a name or an ARN, never data. */
  resource: string | undefined;
  /** The error type of an error answer whose type the transport cannot read from its headers (S3's XML code). */
  errorType: string | undefined;
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
  /** JSON services, recognised by X-Amz-Target prefix. */
  services: readonly AwsService[];
  /** REST APIs, recognised by path prefix before anything else. */
  restApis?: readonly RestApi[];
  logger: Logger;
  /** Who is calling; without one, services see no principal and use their own default. */
  authenticator?: Authenticator<unknown>;
  /** Where `x-amz-id-2` values come from; the system's randomness when absent. */
  random?: Random;
}

/** How many random bytes an `x-amz-id-2` carries: AWS's are base64 of 64–80 (kinesalite checks that range). */
const amzId2Bytes = 72;

/**
 * The headers that identify an answer, on every answer the pipeline and the server give for an AWS
 * call (errors in XML and 413s included; CORS preflights and /health carry neither): the request
 * id, and `x-amz-id-2`, AWS's second identifier, base64 of random bytes.
 */
export function answerIds(requestId: string, random: Random = systemRandom): Record<string, string> {
  return { "x-amzn-requestid": requestId, "x-amz-id-2": random.bytes(amzId2Bytes).toString("base64") };
}

function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The response for a POST that is an AWS RPC call. */
export async function respondToRpc(router: Router, request: ReceivedRequest): Promise<ResponseToSend> {
  const ids = answerIds(randomUUID(), router.random);
  if (router.restApis !== undefined) {
    const rest = restApiOf(router.restApis, request.path);
    if (rest !== undefined) return respondToRest(router, rest, request, ids);
  }
  const [prefix, action] = splitTarget(header(request, "x-amz-target"));
  const service = router.services.find((candidate) => candidate.targetPrefix === prefix);
  const note = request.accessNote;
  if (note !== undefined) {
    note.service = service === undefined ? prefix : (service.signingName ?? "kinesis");
    note.action = action;
  }
  const contentType = header(request, "content-type");
  const dialect = answeringDialect(contentType, service?.dialect ?? kinesisDialect);
  const format = wireFormatOf(contentType, dialect);
  const known = service !== undefined && action !== undefined && service.hasAction(action);
  // The pipeline's own errors, typed as the service's clients expect them.
  const pipelineError = (type: string) => new ServiceError(service?.qualifyErrorType?.(type) ?? type, undefined, 400);
  const respondError = (format: WireFormat, error: ServiceError) => errorResponseIn(ids, format, error, dialect);

  const toAuthenticate = { ...request, query: request.query ?? "" };
  // Not an RPC call at all: AWS answers AccessDenied, or MissingAuthenticationToken to an unsigned request where signing is on.
  const notRpc = () => rawError(ids, 403, router.authenticator?.notRpcAnswer(toAuthenticate) ?? accessDeniedXml);
  if (request.method !== "POST") return notRpc();
  if (request.body.length === 0) {
    // AWS checks for an empty body before the content type: only the JSON content type gets a
    // JSON answer; none, CBOR or any other type gets the CBOR envelope.
    const type = known ? "SerializationException" : "UnknownOperationException";
    return respondError(format ?? "cbor", pipelineError(type));
  }
  if (!format) {
    if (isLegacyJson(contentType, dialect)) return legacyAnswer(ids, scanJson(request.body, bodyLimits));
    // AWS answers a body in an unknown content type with bare XML-ish bodies, not JSON.
    if (!prefix || !action) return notRpc();
    return rawError(ids, 404, "<UnknownOperationException/>\n");
  }
  // Well-formed? (Checked without decoding: see the top of this file.)
  const scan = format === "json" ? scanJson(request.body, bodyLimits) : scanCbor(request.body, bodyLimits);
  if (!scan.ok && scan.reason !== "tooDeep") return respondError(format, pipelineError("SerializationException"));
  if (!known) return respondError(format, pipelineError("UnknownOperationException"));
  // After the target and before the body's shape: kinesalite's connection tests record this order for AWS.
  const authentication =
    router.authenticator && (await router.authenticator.authenticate({ ...toAuthenticate, ...(service.signingName !== undefined && { signingService: service.signingName }) }));
  if (authentication && !authentication.ok) return respondError(format, authentication.error);
  if (!scan.ok) return respondError(format, service.deepBodyError?.(action, scan.deep) ?? pipelineError("SerializationException"));
  const decoded = format === "json" ? decodeJson(request.body) : decodeCbor(request.body);
  // The scan passed, so this fails only for what it leaves to the decoder (control characters in JSON strings).
  if (!decoded.ok || decoded.value === null || typeof decoded.value !== "object" || Array.isArray(decoded.value)) {
    return respondError(format, pipelineError("SerializationException"));
  }
  if (note !== undefined) note.resource = resourceOf(decoded.value);

  try {
    const output = await service.invoke(action, decoded.value, format, authentication?.principal, request.facts);
    if (output instanceof EventStreamOutput) {
      // Errors found before the stream starts (validation, unknown consumer) were thrown above
      // and answer as plain errors; from here on they travel as exception messages.
      const headers = { "content-type": eventStreamContentType, ...ids };
      return { statusCode: 200, headers, body: Buffer.alloc(0), eventStream: { output, format, requestId: ids["x-amzn-requestid"]!, action } };
    }
    const body = output === undefined ? Buffer.alloc(0) : format === "json" ? encodeJson(output) : encodeCbor(output);
    return { statusCode: 200, headers: { "content-type": contentTypeOf(format, dialect), ...ids }, body };
  } catch (error) {
    const requestId = ids["x-amzn-requestid"];
    if (error instanceof ServiceError) {
      if (error.statusCode >= 500) {
        // A fault rule may fail every call on purpose: an error line each would bury real failures.
        if (error.injected) router.logger.debug({ type: error.type, action, requestId }, "injected fault answered");
        else router.logger.error({ err: error.cause ?? error, action, requestId }, "request failed");
      }
      return respondError(format, error);
    }
    router.logger.error({ err: error, action, requestId }, "unexpected error");
    return respondError(format, internalFailure(error));
  }
}

function restApiOf(apis: readonly RestApi[], path: string): RestApi | undefined {
  for (const api of apis) {
    for (const prefix of api.pathPrefixes) if (path.startsWith(prefix)) return api;
  }
  return undefined;
}

/**
 * A request to a REST API: authenticated as an RPC call is (a failure answers in JSON), then
 * answered by the API, whose ServiceErrors answer in JSON too and anything else as InternalFailure.
 */
async function respondToRest(router: Router, api: RestApi, request: ReceivedRequest, ids: Record<string, string>): Promise<ResponseToSend> {
  // The API's router names the action and resource (Lambda's operation and function).
  if (request.accessNote !== undefined) request.accessNote.service = api.signingName ?? "kinesis";
  // A request the API authenticates itself (its own signature in the query) is not SigV4-signed.
  const authenticator = api.authenticatesItself?.(request) === true ? undefined : router.authenticator;
  const authentication =
    authenticator && (await authenticator.authenticate({ ...request, query: request.query ?? "", ...(api.signingName !== undefined && { signingService: api.signingName }) }));
  if (authentication && !authentication.ok) return errorResponseIn(ids, "json", authentication.error, kinesisDialect);
  try {
    const response = await api.respond(request, authentication?.principal);
    // An API that names its own request id (Lambda's is the invocation's awsRequestId) keeps it.
    return { ...response, headers: { ...ids, ...response.headers } };
  } catch (error) {
    if (error instanceof ServiceError) return errorResponseIn(ids, "json", error, kinesisDialect);
    router.logger.error({ err: error, path: request.path, requestId: ids["x-amzn-requestid"] }, "unexpected error");
    return errorResponseIn(ids, "json", internalFailure(error), kinesisDialect);
  }
}

/**
 * A request in the old Coral JSON protocol (`application/json`) goes no further than its body,
 * as kinesalite records AWS answering, whatever its target or signature: a body that is not a
 * JSON object is 400 SerializationException, any object 404 UnknownOperationException, both in
 * that protocol's envelope.
 */
function legacyAnswer(ids: Record<string, string>, scan: BodyScan): ResponseToSend {
  const [statusCode, type] = scan.ok ? [404, "UnknownOperationException"] : [400, "SerializationException"];
  const body = Buffer.from(JSON.stringify({ Output: { __type: `com.amazon.coral.service#${type}` }, Version: "1.0" }));
  return { statusCode, headers: { "content-type": legacyJsonContentType, ...ids }, body };
}

const accessDeniedXml =
  "<AccessDeniedException>\n  <Message>Unable to determine service/operation name to be authorized</Message>\n</AccessDeniedException>\n";

/**
 * Request members that name what a call is about, in this order of preference: Kinesis (a stream
 * by name or ARN, a consumer by ARN, a tagged resource), Firehose, DynamoDB, Analytics, Glue.
 * Names only, never data members.
 */
const resourceMembers = ["StreamName", "StreamARN", "ConsumerARN", "ResourceARN", "DeliveryStreamName", "TableName", "ApplicationName", "DatabaseName"];

/** The name a decoded request gives its resource, or undefined when it names none (ListStreams). */
export function resourceOf(input: object): string | undefined {
  const members = input as Record<string, unknown>;
  for (const member of resourceMembers) {
    const value = members[member];
    if (typeof value === "string") return value;
  }
  return undefined;
}

function splitTarget(target: string | undefined): [string | undefined, string | undefined] {
  if (!target) return [undefined, undefined];
  const dot = target.indexOf(".");
  if (dot < 0) return [target, undefined];
  return [target.slice(0, dot), target.slice(dot + 1)];
}

/** An error answer outside the pipeline (the server's 413) in the pipeline's envelope, with its own ids. */
export function errorResponse(requestId: string, format: WireFormat, error: ServiceError, random?: Random): ResponseToSend {
  return errorResponseIn(answerIds(requestId, random), format, error, kinesisDialect);
}

/**
 * `{__type, message}` in the request's format. A SerializationException's text goes under
 * `Message`, capitalised, as AWS's Coral deserializer writes it (kinesalite and dynalite record
 * `{"__type": "SerializationException", "Message": "…"}`, DynamoDB's qualified type alike); every
 * other error's under `message`.
 */
function errorResponseIn(ids: Record<string, string>, format: WireFormat, error: ServiceError, dialect: WireDialect): ResponseToSend {
  const envelope: Record<string, string> = { __type: error.type };
  if (error.wireMessage !== undefined) envelope[messageKeyOf(error.type)] = error.wireMessage;
  const body = format === "json" ? encodeJson(envelope) : encodeCbor(envelope);
  return {
    statusCode: error.statusCode,
    headers: { "content-type": contentTypeOf(format, dialect), ...ids, "x-amzn-errortype": error.type },
    body,
  };
}

function messageKeyOf(type: string): "Message" | "message" {
  return type === "SerializationException" || type.endsWith("#SerializationException") ? "Message" : "message";
}

function rawError(ids: Record<string, string>, statusCode: number, text: string): ResponseToSend {
  return { statusCode, headers: { ...ids }, body: Buffer.from(text, "utf8") };
}
