/**
 * The reset admin endpoint for test suites, beside the faults endpoint (docs/fault-injection.md):
 *
 *   POST /_tributary/reset   → 200 {"dropped": {"streams": n, "tables": n}} once every stream,
 *                              consumer, policy, table and account setting is gone and the server
 *                              serves as freshly started (the start's fault rules, the init file
 *                              applied again); AWS requests that arrive meanwhile wait for it.
 *
 * Who may call it: under `--auth none`, a client on this machine (a loopback peer address — a
 * server that --allow-unauthenticated opened to the network still refuses other machines); under
 * `--auth sigv4`, a request signed (service `kinesis`, the server's region) by an access key whose
 * credentials-file entry says `"admin": true` (docs/auth.md). Refusals are 403 with a JSON message;
 * a bad signature gets the signature error's type and message.
 */
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";
import type { HttpRoute } from "./create-server.js";
import { readBody } from "./request-body.js";
import type { ResponseToSend } from "../protocol/respond.js";
import type { Authenticator } from "../auth/principal.js";
import type { DroppedState } from "./drop-all-state.js";

export const resetPath = "/_tributary/reset";

/** The body is not used (a signed request may carry one); past this the request is refused unread. */
const resetBodyBytesMax = 64 * 1024;

export interface ResetRouteDeps {
  reset(): Promise<DroppedState>;
  authenticator: Authenticator;
  /** `--auth sigv4`: callers are authenticated and must be admins; otherwise they must be on loopback. */
  signed: boolean;
}

export function resetRoute(deps: ResetRouteDeps): HttpRoute {
  return {
    path: resetPath,
    methods: ["POST"],
    async respond(request) {
      const refusal = await refuse(deps, request);
      if (refusal !== undefined) return refusal;
      try {
        return json(200, { dropped: await deps.reset() });
      } catch (error) {
        return json(500, { message: `the reset failed: ${(error as Error).message}` });
      }
    },
  };
}

/** Why this caller may not reset, as the answer to send; undefined when it may. */
async function refuse(deps: ResetRouteDeps, request: IncomingMessage | Http2ServerRequest): Promise<ResponseToSend | undefined> {
  const declared = request.headers["content-length"];
  const declaredLength = typeof declared === "string" && /^\d+$/.test(declared) ? Number(declared) : undefined;
  const read = await readBody(request, resetBodyBytesMax, declaredLength, resetBodyBytesMax);
  if (!read.ok) {
    const tooLarge = json(read.reason === "aborted" ? 400 : 413, { message: `a reset request's body must be at most ${resetBodyBytesMax} bytes` });
    tooLarge.headers.connection = "close";
    return tooLarge;
  }
  if (!deps.signed) {
    const peer = request.socket.remoteAddress ?? "";
    return isLoopbackAddress(peer) ? undefined : json(403, { message: `reset is served only to clients on this machine under --auth none; ${peer} is not a loopback address` });
  }
  const url = request.url ?? "/";
  const queryStart = url.indexOf("?");
  const authentication = await deps.authenticator.authenticate({
    method: request.method ?? "POST",
    path: queryStart < 0 ? url : url.slice(0, queryStart),
    query: queryStart < 0 ? "" : url.slice(queryStart + 1),
    headers: request.headers,
    body: read.body,
  });
  if (!authentication.ok) {
    const error = authentication.error;
    return json(error.statusCode, { __type: error.type, message: error.wireMessage ?? error.type });
  }
  if (authentication.principal.admin !== true) {
    return json(403, { message: `${authentication.principal.arn} may not reset: only an access key marked "admin": true in the credentials file may` });
  }
  return undefined;
}

/** A peer address on this machine: 127.0.0.0/8 or ::1, also as an IPv4-mapped IPv6 address. */
export function isLoopbackAddress(address: string): boolean {
  return address === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/i.test(address);
}

function json(statusCode: number, value: unknown): ResponseToSend {
  return { statusCode, headers: { "content-type": "application/json" }, body: Buffer.from(JSON.stringify(value)) };
}
