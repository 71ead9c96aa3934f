/**
 * Lambda's answers on the wire (restJson1). A success is its JSON document (or raw bytes: Invoke's
 * payload, the code download). An error is its HTTP status, the `x-amzn-ErrorType` header and a
 * body `{"Type":"User","message":"…"}`: the member is `message` or `Message` as Lambda's model
 * names it for that exception (ResourceNotFoundException's is `Message`, recorded from AWS), and
 * the model-level ValidationException carries only `message`. Every answer names its request id
 * in `x-amzn-RequestId`.
 */
import type { ResponseToSend } from "../protocol/respond.js";
import type { LambdaResponse } from "./action.js";
import type { LambdaError } from "./errors.js";

/** The exceptions whose message member is `Message` in Lambda's model (the others' is `message`). */
const capitalMessageTypes: ReadonlySet<string> = new Set([
  "ResourceNotFoundException",
  "ServiceException",
  "ResourceInUseException",
  "AccessDeniedException",
  "CodeSigningConfigNotFoundException",
  "CodeVerificationFailedException",
  "InvalidCodeSignatureException",
  "InvalidZipFileException",
  "InvalidRuntimeException",
  "UnknownOperationException",
]);

/** Errors without Lambda's Type member: they come from the model validation and the front door, not Lambda's handlers. */
const untypedErrors: ReadonlySet<string> = new Set(["ValidationException", "RequestEntityTooLargeException", "AccessDeniedException", "UnknownOperationException"]);

const jsonContentType = "application/json";

export function errorResponse(error: LambdaError, requestId: string): ResponseToSend {
  const body: Record<string, string> = {};
  if (!untypedErrors.has(error.type)) body.Type = error.kind;
  body[capitalMessageTypes.has(error.type) ? "Message" : "message"] = error.message;
  Object.assign(body, error.extra);
  return {
    statusCode: error.statusCode,
    headers: { "content-type": jsonContentType, "x-amzn-requestid": requestId, "x-amzn-errortype": error.type, ...error.headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

export function successResponse(response: LambdaResponse, requestId: string): ResponseToSend {
  const headers: Record<string, string> = { "x-amzn-requestid": requestId, ...response.headers };
  let body: Buffer;
  if (response.body === undefined) {
    body = Buffer.alloc(0);
  } else if (Buffer.isBuffer(response.body)) {
    body = response.body;
    headers["content-type"] ??= "application/octet-stream";
  } else {
    body = Buffer.from(JSON.stringify(response.body));
    headers["content-type"] ??= jsonContentType;
  }
  return { statusCode: response.statusCode, headers, body };
}
