import type { WireDialect, WireFormat } from "./wire-format.js";
import type { DeepBody } from "./body-scan.js";
import type { ServiceError } from "./service-error.js";
import type { Principal } from "../auth/principal.js";

/** What the transport knows of a request's connection, for the aws:SourceIp and aws:SecureTransport condition keys. */
export interface RequestFacts {
  /** The client's address as the socket reports it, an IPv4-mapped IPv6 address given as IPv4. */
  sourceIp?: string;
  /** Whether the request came over TLS. */
  secureTransport?: boolean;
}

/** A service the protocol layer routes to by the X-Amz-Target prefix (`Kinesis_20131202`). */
export interface AwsService {
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
  invoke(action: string, body: unknown, format: WireFormat, principal?: Principal, facts?: RequestFacts): Promise<unknown>;
}
