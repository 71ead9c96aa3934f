/**
 * The S3 service's StreamingApi: which requests are S3's (`claims`), and for each claimed request
 * the one path every answer takes — the address (virtual host or path style), the action's name,
 * authentication (src/s3/auth), the key's length, authorization (src/s3/authorize.ts), the action
 * from the registry — with `x-amz-request-id` and `x-amz-id-2` on every answer, errors as S3's XML.
 *
 * An action answers with a StreamedResponse or throws an S3Error (its answer); anything else it
 * throws is logged and answered as InternalError.
 */
import type { Readable } from "node:stream";
import type { RequestHead, StreamedResponse, StreamingApi } from "../protocol/streaming-api.js";
import type { S3Action, S3ActionName, S3Context, S3Request } from "./action.js";
import { nameAction } from "./action-name.js";
import { addressOf, hostOf, queryOf, virtualHostBucket } from "./address.js";
import { authorizeS3, isAnonymous } from "./authorize.js";
import { s3Errors } from "./errors.js";
import { headerOf } from "./headers.js";
import { errorResponse } from "./responses.js";
import { S3Error } from "./s3-error.js";
import type { authenticateS3 } from "./auth/index.js";

/** S3's limit on a key: 1,024 bytes of UTF-8 (S3 User Guide, "Naming Amazon S3 objects"). */
export const keyBytesMax = 1024;

/** The authenticator's call, bound to its options (src/s3/auth `authenticateS3(head, {region, auth, clock})`). */
export type S3Authenticate = (head: RequestHead) => ReturnType<typeof authenticateS3>;

export interface S3RouterDeps {
  context: S3Context;
  authenticate: S3Authenticate;
  actions: Partial<Record<S3ActionName, S3Action>>;
}

/**
 * The claim rule (shared brief): never a request with `X-Amz-Target` (Kinesis, DynamoDB); otherwise
 * any path but "/", a virtual-hosted Host, an `x-amz-content-sha256` header (only S3 signs with it),
 * or a SigV4 credential scope naming the `s3` service. A bare unsigned `GET /` stays with the RPC pipeline.
 */
export function claimsS3(head: RequestHead): boolean {
  if (head.headers["x-amz-target"] !== undefined) return false;
  if (head.path !== "/" && head.path !== "") return true;
  if (virtualHostBucket(hostOf(head)) !== undefined) return true;
  if (head.headers["x-amz-content-sha256"] !== undefined) return true;
  if (/\/s3\/aws4_request/.test(headerOf(head, "authorization") ?? "")) return true;
  return /(^|&)X-Amz-Credential=[^&]*(\/|%2F)s3(\/|%2F)aws4_request/i.test(head.query);
}

export function createS3Router(deps: S3RouterDeps): StreamingApi {
  const { context } = deps;
  return {
    claims: claimsS3,
    async handle(head: RequestHead, body: Readable | Buffer): Promise<StreamedResponse> {
      // One draw for both ids: 8 bytes of request id (16 hex digits), 48 of host id (64 base64 characters).
      const ids = context.random.bytes(56);
      const requestId = ids.toString("hex", 0, 8).toUpperCase();
      const hostId = ids.toString("base64", 8, 56);
      let response: StreamedResponse;
      try {
        response = await route(deps, head, body, requestId);
      } catch (error) {
        if (!(error instanceof S3Error)) {
          // A body that failed (the client went away, or stalled past the server's idle deadline) is the
          // client's doing: the server sends nothing more on that request anyway.
          if (!Buffer.isBuffer(body) && body.errored !== null && body.errored !== undefined) context.logger.warn({ err: error, method: head.method, path: head.path }, "s3 request body failed");
          else context.logger.error({ err: error, method: head.method, path: head.path }, "s3 request failed");
        }
        response = errorResponse(error instanceof S3Error ? error : s3Errors.internalError(), head.method, requestId, hostId);
        if (head.accessNote !== undefined) head.accessNote.errorType = error instanceof S3Error ? error.code : "InternalError";
      }
      response.headers["x-amz-request-id"] = requestId;
      response.headers["x-amz-id-2"] = hostId;
      return response;
    },
  };
}

async function route(deps: S3RouterDeps, head: RequestHead, body: Readable | Buffer, requestId: string): Promise<StreamedResponse> {
  const address = addressOf(head);
  const query = queryOf(head.query);
  if (address === undefined || query === undefined) throw s3Errors.invalidUri();
  const naming = nameAction(head.method, address.bucket, address.key, query, headerOf(head, "x-amz-copy-source") !== undefined);
  // The access log's line (src/server/access-log.ts): the operation and the bucket, never the key.
  if (head.accessNote !== undefined) Object.assign(head.accessNote, { service: "s3", action: naming.kind === "action" ? naming.name : undefined, resource: address.bucket });
  const authentication = await deps.authenticate(head);
  if (!authentication.ok) throw authentication.error;
  if (naming.kind === "method-not-allowed") throw s3Errors.methodNotAllowed(head.method, naming.resourceType);
  if (naming.kind === "unsupported") throw s3Errors.notImplemented();
  if (address.key !== undefined) {
    const keyBytes = Buffer.byteLength(address.key, "utf8");
    if (keyBytes > keyBytesMax) throw s3Errors.keyTooLong(keyBytes);
  }
  const request: S3Request = {
    head,
    requestId,
    ...(address.bucket !== undefined && { bucket: address.bucket }),
    ...(address.key !== undefined && { key: address.key }),
    query,
    principal: authentication.principal,
    payload: authentication.payload,
    body,
  };
  // The anonymous principal (--auth none) may do anything: no policy to wait for.
  if (!isAnonymous(request.principal)) {
    const denied = await authorizeS3(deps.context, request, naming.name);
    if (denied !== undefined) throw denied;
  }
  const action = deps.actions[naming.name];
  if (action === undefined) throw s3Errors.notImplemented();
  return action(deps.context, request);
}
