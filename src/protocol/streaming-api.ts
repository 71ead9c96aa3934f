/**
 * A service that reads its request bodies and writes its answers as streams (S3: objects of
 * up to 5 GiB go through with bounded memory), recognised by what the request is rather than by
 * a target or a path prefix: the server asks each such API, in service order, whether it claims
 * a request (after /health and the admin routes, before the RPC pipeline reads any body), and
 * hands a claimed request over whole — authentication, errors and encoding are the API's own.
 */
import type { Readable } from "node:stream";
import type { RequestFacts } from "./aws-service.js";
import type { AccessNote } from "./respond.js";

/** A request before its body is read. */
export interface RequestHead {
  method: string;
  /** The path as received (still percent-encoded), without the query. */
  path: string;
  /** The raw query string after `?`; "" when none. */
  query: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The connection's address and transport, for authorization's condition keys. */
  facts?: RequestFacts;
  /** Present when the access log is on: the API names the request's action, resource and error type there (respond.ts AccessNote). */
  accessNote?: AccessNote | undefined;
}

/**
 * An answer. A Buffer body is sent with its length; a streamed body is sent as it is read, with
 * the `content-length` header the API sets (or chunked when it sets none). A HEAD answer's
 * content-length header is sent as given, with no body.
 */
export interface StreamedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer | AsyncIterable<Uint8Array>;
}

export interface StreamingApi {
  /** Whether the request is this API's; cheap and side-effect free (headers only). */
  claims(head: RequestHead): boolean;
  /**
   * Answers a claimed request, reading `body` as far as it needs. A small body of declared length
   * (src/server/streaming-request.ts, `wholeBodyBytesMax`) arrives whole, already read, as a
   * Buffer; any other as a stream, on which the server puts the connection's body idle deadline
   * (a stalled upload errors it). The server answers a request that ends before its body with
   * nothing more. A rejection is a bug: the server answers a bare 500.
   */
  handle(head: RequestHead, body: Readable | Buffer): Promise<StreamedResponse>;
}
