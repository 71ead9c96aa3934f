/**
 * The port through which the RPC pipeline (respond.ts) learns who is calling. Implemented in
 * src/auth (`--auth none`: the anonymous principal; `--auth sigv4`: the signature's key); the
 * caller type `P` is opaque here, so the protocol layer imports nothing of auth.
 */
import type { ServiceError } from "./service-error.js";

/** The parts of a received request authentication reads. */
export interface RequestToAuthenticate {
  method: string;
  /** The path as received (still percent-encoded), without the query. */
  path: string;
  /** The raw query string after `?`, or "" . */
  query: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** The signing name of the service the request targets (`kinesis`, `dynamodb`): its credential scope must name it. */
  signingService?: string;
}

export type Authentication<P> = { ok: true; principal: P } | { ok: false; error: ServiceError };

export interface Authenticator<P> {
  /**
   * The body of the 403 for a request that is not an RPC call at all (GET, an unknown content
   * type), when the authenticator has its own: AWS answers an unsigned one MissingAuthenticationToken
   * where signing is on. Undefined: the pipeline's AccessDenied.
   */
  notRpcAnswer(request: RequestToAuthenticate): string | undefined;
  authenticate(request: RequestToAuthenticate): Promise<Authentication<P>>;
}
