/**
 * CloudWatch's StreamingApi: the three protocols' requests (protocols/protocol.ts) go one way —
 * the body read within its bound, authentication (SigV4 for `monitoring`, or the anonymous
 * principal), the body decoded against the action's input shape, authorization, the action —
 * and come back in the request's protocol: JSON 1.0, RPC v2 CBOR or query XML. Errors carry
 * both of CloudWatch's names (errors.ts): `x-amzn-query-error: Code;Sender` on JSON and CBOR
 * answers (the awsQueryCompatible trait), the query Code in XML.
 */
import type { Readable } from "node:stream";
import { decode, type TagDecoder } from "cborg";
import type { RequestHead, StreamedResponse, StreamingApi } from "../protocol/streaming-api.js";
import { scanCbor } from "../protocol/cbor-scan.js";
import { scanJson } from "../protocol/json-scan.js";
import type { Authenticator, Principal } from "../auth/principal.js";
import type { Logger } from "../util/logger.js";
import type { Random } from "../util/random.js";
import type { CloudWatchAction, CloudWatchContext } from "./action.js";
import { CloudWatchError, asCloudWatchAuthError, cloudWatchErrors } from "./errors.js";
import type { CloudWatchAuthorizer } from "./authorize.js";
import { actionOf, headerOf, mediaType, protocolOf, signingName, type CloudWatchProtocol } from "./protocols/protocol.js";
import { EpochSeconds, readStructure } from "./protocols/typed-decode.js";
import { parseQueryBody, readQueryStructure } from "./protocols/query-params.js";
import { queryErrorXml, queryResultXml } from "./protocols/query-xml.js";
import { cborBody, jsonBody } from "./protocols/wire-values.js";

/** The largest request body taken: GetMetricData's 500 queries with 30 dimensions each fit several times over. */
export const requestBytesMax = 1024 * 1024;
/** Nesting and value bounds for a JSON or CBOR body, checked before it is decoded (the deepest request nests 7 levels). */
const bodyLimits = { depthMax: 32, valuesMax: 200_000 };

export const json10ContentType = "application/x-amz-json-1.0";
export const cborContentType = "application/cbor";

export interface CloudWatchRouterDeps {
  actions: Readonly<Record<string, CloudWatchAction>>;
  authenticator: Authenticator;
  authorizer: CloudWatchAuthorizer;
  /** The context of a call, with the caller in it. */
  context(principal: Principal): CloudWatchContext;
  logger: Logger;
  random: Random;
}

export function createCloudWatchRouter(deps: CloudWatchRouterDeps): StreamingApi {
  return {
    claims: (head) => protocolOf(head) !== undefined,
    async handle(head, body) {
      const protocol = protocolOf(head)!;
      const requestId = requestIdOf(deps.random);
      const note = head.accessNote;
      if (note !== undefined) note.service = signingName;
      const answer = (action: string | undefined, error: CloudWatchError) => {
        // The access log reads JSON's error type from x-amzn-errortype; CloudWatch's answers name it in their body or x-amzn-query-error.
        if (note !== undefined) note.errorType = error.code;
        return errorAnswer(protocol, action, error, requestId);
      };
      let read: Buffer | undefined;
      try {
        read = await readWhole(body, requestBytesMax);
      } catch (error) {
        // The client went away or stalled past the server's body deadline: the server sends nothing more on this request.
        deps.logger.warn({ err: error, requestId }, "cloudwatch request body failed");
        return answer(undefined, cloudWatchErrors.internal(error));
      }
      if (read === undefined) {
        // The rest of the body was not read: the connection cannot carry another request.
        const tooLarge = answer(undefined, cloudWatchErrors.tooLarge(requestBytesMax));
        tooLarge.headers.connection = "close";
        return tooLarge;
      }
      let action: string | undefined;
      try {
        const authentication = await deps.authenticator.authenticate({ method: head.method, path: head.path, query: head.query, headers: head.headers, body: read, signingService: signingName });
        if (!authentication.ok) throw asCloudWatchAuthError(authentication.error);
        const request = decodeRequest(protocol, head, read);
        action = request.action;
        if (note !== undefined) note.action = action;
        const declared = Object.hasOwn(deps.actions, action) ? deps.actions[action]! : undefined;
        if (declared === undefined) throw protocol === "query" ? cloudWatchErrors.invalidAction(action) : cloudWatchErrors.unknownOperation(action);
        const input = request.read(declared.input);
        deps.authorizer.authorize(authentication.principal, declared.iamAction);
        const output = await declared.run(deps.context(authentication.principal), input);
        return resultAnswer(protocol, action, declared, output, requestId);
      } catch (error) {
        if (error instanceof CloudWatchError) return answer(action, error);
        deps.logger.error({ err: error, action, requestId }, "cloudwatch request failed");
        return answer(action, cloudWatchErrors.internal(error));
      }
    },
  };
}

interface DecodedRequest {
  action: string;
  read(shape: CloudWatchAction["input"]): Record<string, unknown>;
}

function decodeRequest(protocol: CloudWatchProtocol, head: RequestHead, body: Buffer): DecodedRequest {
  if (protocol === "query") {
    const query = parseQueryBody(body.toString("utf8"));
    if (query.action === undefined || query.action === "") throw cloudWatchErrors.missingAction();
    return { action: query.action, read: (shape) => readQueryStructure(query.tree, shape) };
  }
  const action = actionOf(head, protocol);
  if (protocol === "json") {
    const type = mediaType(headerOf(head, "content-type"));
    if (type !== json10ContentType && type !== "application/json") throw cloudWatchErrors.serialization(`Content-Type ${type || "(none)"} is not ${json10ContentType}.`);
  } else {
    // The RPC v2 CBOR specification's request rules ("Requests"): servers must refuse a target header.
    if (headerOf(head, "smithy-protocol") !== "rpc-v2-cbor") throw cloudWatchErrors.serialization("An RPC v2 CBOR request must carry the header smithy-protocol: rpc-v2-cbor.");
    if (headerOf(head, "x-amz-target") !== undefined || headerOf(head, "x-amzn-target") !== undefined) {
      throw cloudWatchErrors.serialization("An RPC v2 CBOR request must not carry an X-Amz-Target or X-Amzn-Target header.");
    }
    const type = mediaType(headerOf(head, "content-type"));
    if (body.length > 0 && type !== cborContentType) throw cloudWatchErrors.serialization(`Content-Type ${type || "(none)"} is not ${cborContentType}.`);
  }
  const value = body.length === 0 ? {} : protocol === "json" ? parseJson(body) : parseCbor(body);
  return { action, read: (shape) => readStructure(value, shape) };
}

function parseJson(body: Buffer): unknown {
  const scan = scanJson(body, bodyLimits);
  if (!scan.ok) throw cloudWatchErrors.serialization("The request body is not a well-formed JSON document within the server's bounds.");
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw cloudWatchErrors.serialization("The request body is not a well-formed JSON document.");
  }
}

const cborTags: TagDecoder[] = [];
cborTags[1] = (inner) => {
  const seconds: unknown = inner();
  return typeof seconds === "number" || typeof seconds === "bigint" ? new EpochSeconds(Number(seconds)) : seconds;
};

function parseCbor(body: Buffer): unknown {
  const scan = scanCbor(body, bodyLimits);
  if (!scan.ok) throw cloudWatchErrors.serialization("The request body is not a well-formed CBOR item within the server's bounds.");
  try {
    return decode(body, { tags: cborTags, useMaps: false, rejectDuplicateMapKeys: false, allowUndefined: true });
  } catch {
    throw cloudWatchErrors.serialization("The request body is not a well-formed CBOR item.");
  }
}

function resultAnswer(protocol: CloudWatchProtocol, action: string, declared: CloudWatchAction, output: Record<string, unknown>, requestId: string): StreamedResponse {
  switch (protocol) {
    case "json":
      return { statusCode: 200, headers: { "content-type": json10ContentType, "x-amzn-requestid": requestId }, body: jsonBody(output) };
    case "cbor":
      return { statusCode: 200, headers: { "content-type": cborContentType, "smithy-protocol": "rpc-v2-cbor", "x-amzn-requestid": requestId }, body: cborBody(output) };
    case "query":
      return { statusCode: 200, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body: queryResultXml(action, declared.output, output, requestId) };
  }
}

function errorAnswer(protocol: CloudWatchProtocol, action: string | undefined, error: CloudWatchError, requestId: string): StreamedResponse {
  if (protocol === "query") return { statusCode: error.statusCode, headers: { "content-type": "text/xml", "x-amzn-requestid": requestId }, body: queryErrorXml(error, requestId) };
  const envelope = { __type: error.type, message: error.wireMessage };
  const headers: Record<string, string> = { "x-amzn-requestid": requestId, "x-amzn-query-error": `${error.code};${error.fault}` };
  if (protocol === "json") return { statusCode: error.statusCode, headers: { ...headers, "content-type": json10ContentType }, body: jsonBody(envelope) };
  return { statusCode: error.statusCode, headers: { ...headers, "content-type": cborContentType, "smithy-protocol": "rpc-v2-cbor" }, body: cborBody(envelope) };
}

/** The body, or undefined when it is larger than `bytesMax` (then no more of it is read). */
async function readWhole(body: Readable | Buffer, bytesMax: number): Promise<Buffer | undefined> {
  if (Buffer.isBuffer(body)) return body.length > bytesMax ? undefined : body;
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > bytesMax) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

/** An id in AWS's request-id form (8-4-4-4-12 hex digits), from the injected randomness. */
function requestIdOf(random: Random): string {
  const hex = random.bytes(16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
