import type { WireDialect, WireFormat } from "./wire-format.js";
import type { DeepBody } from "./body-scan.js";
import type { ServiceError } from "./service-error.js";
import type { ReceivedRequest, ResponseToSend } from "./respond.js";

/** What the transport knows of a request's connection, for the aws:SourceIp and aws:SecureTransport condition keys. */
export interface RequestFacts {
  /** The client's address as the socket reports it, an IPv4-mapped IPv6 address given as IPv4. */
  sourceIp?: string;
  /** Whether the request came over TLS. */
  secureTransport?: boolean;
}

/**
 * A JSON (or CBOR) RPC service, recognised by its X-Amz-Target prefix (`Kinesis_20131202`). The
 * caller type `P` is opaque here: the authenticator (src/auth) produces it and the service reads
 * it, so the protocol layer imports nothing of auth.
 */
export interface AwsService<P = unknown> {
  readonly targetPrefix: string;
  /** The name clients sign requests for it with (SigV4 credential scope): `kinesis` if absent. */
  readonly signingName?: string;
  /** The media types it accepts and answers in; Kinesis's (JSON 1.1 and CBOR 1.1) when absent. */
  readonly dialect?: WireDialect;
  /**
   * The `__type` the pipeline's own errors (SerializationException, UnknownOperationException)
   * carry for this service: DynamoDB qualifies them (`com.amazon.coral.service#…`), Kinesis does not.
   */
  qualifyErrorType?(type: string): string;
  hasAction(name: string): boolean;
  /**
   * The SerializationException for a body that nested past the decoder's bound, worded as the
   * action's shape check words the first container found where its shape has none along the way
   * (AWS's deserializer stops there, at the first mismatch); undefined when the path meets no
   * mismatch. Without it the pipeline answers a SerializationException without a message.
   */
  deepBodyError?(action: string, deep: DeepBody): ServiceError | undefined;
  /**
   * Checks the decoded body and runs the action as `principal` (authenticated by the pipeline;
   * undefined when the server has no authenticator, and the service then uses its own default),
   * with `facts` of its connection for authorization; throws ServiceError for AWS errors.
   */
  invoke(action: string, body: unknown, format: WireFormat, principal?: P, facts?: RequestFacts): Promise<unknown>;
}

/**
 * A REST API (the coming S3 and Lambda APIs), recognised by the first segments of its paths
 * (`/2015-03-31/functions/`): a request whose path starts with one of `pathPrefixes` goes to it
 * instead of the RPC pipeline, after authentication, with its body read within the server's bound.
 */
export interface RestApi<P = unknown> {
  readonly pathPrefixes: readonly string[];
  /** The SigV4 signing name (credential scope); `kinesis` if absent. */
  readonly signingName?: string;
  /**
   * The largest body it takes, when not the server's `requestBytesMax` (Lambda's CreateFunction
   * carries a 50 MB zip as base64 JSON): a larger one is refused with 413 before the API sees it.
   */
  readonly requestBytesMax?: number;
  /** Its own answer to a body past `requestBytesMax` (Lambda's RequestEntityTooLargeException); the server's generic 413 otherwise. */
  tooLargeAnswer?(request: { method: string; path: string }): ResponseToSend;
  /**
   * Whether the API checks this request's authenticity itself (a URL carrying its own signature
   * in the query, as S3's presigned ones do: Lambda's code download locations). Such a request
   * skips SigV4 authentication under `--auth sigv4` and reaches `respond` without a principal, so
   * the API must refuse it unless its own signature holds. Absent: every request is authenticated.
   */
  authenticatesItself?(request: ReceivedRequest): boolean;
  /** Answers the request; `principal` as for AwsService.invoke. A thrown ServiceError answers in JSON. */
  respond(request: ReceivedRequest, principal?: P): Promise<ResponseToSend>;
}
