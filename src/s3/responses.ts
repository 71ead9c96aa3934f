/** Building S3 answers: XML documents, empty answers and the error document. The router adds the request ids. */
import type { StreamedResponse } from "../protocol/streaming-api.js";
import type { S3Error } from "./s3-error.js";
import { xmlDocument, type XmlFields } from "./xml.js";

export function xmlResponse(body: Buffer, statusCode = 200, headers: Record<string, string> = {}): StreamedResponse {
  return { statusCode, headers: { "content-type": "application/xml", "content-length": String(body.length), ...headers }, body };
}

export function emptyResponse(statusCode = 200, headers: Record<string, string> = {}): StreamedResponse {
  return { statusCode, headers: { "content-length": "0", ...headers }, body: Buffer.alloc(0) };
}

/**
 * `<Error><Code/><Message/>[fields]<RequestId/><HostId/></Error>` (S3 API reference, "Error
 * responses"): no namespace. A HEAD answer has no body, as S3 sends it.
 */
export function errorResponse(error: S3Error, method: string, requestId: string, hostId: string): StreamedResponse {
  if (method === "HEAD") return { statusCode: error.statusCode, headers: { "content-type": "application/xml", "content-length": "0" }, body: Buffer.alloc(0) };
  const fields: XmlFields = { Code: error.code, Message: error.message, ...error.fields, RequestId: requestId, HostId: hostId };
  return xmlResponse(xmlDocument("Error", fields, { namespace: false }), error.statusCode);
}
