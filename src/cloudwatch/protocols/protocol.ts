/**
 * Which of CloudWatch's three protocols a request speaks, from its head alone (the server asks
 * before reading any body, src/protocol/streaming-api.ts):
 *
 *   json   POST, `X-Amz-Target: GraniteServiceVersion20100801.<Action>` (awsJson1_0; the AWS SDKs' default)
 *   cbor   POST /service/GraniteServiceVersion20100801/operation/<Action> (Smithy RPC v2 CBOR; the
 *          spec's optional path prefix and the service's absolute name, com.amazonaws.cloudwatch.
 *          GraniteServiceVersion20100801, are taken too, a prefixed path only with the
 *          smithy-protocol header so that S3 keeps such keys)
 *   query  POST / with a form-encoded body (awsQuery: the AWS CLI v2, boto3); claimed unless its
 *          signature names another service, since other query services (STS, SNS) use `POST /` too
 */
import type { RequestHead } from "../../protocol/streaming-api.js";

export type CloudWatchProtocol = "json" | "cbor" | "query";

export const cloudWatchTargetPrefix = "GraniteServiceVersion20100801";
const cborPath = /^(\/.*)?\/service\/(?:com\.amazonaws\.cloudwatch\.)?GraniteServiceVersion20100801\/operation\/([^/]*)$/;
export const signingName = "monitoring";

export function protocolOf(head: RequestHead): CloudWatchProtocol | undefined {
  if (head.method !== "POST") return undefined;
  const cbor = cborPath.exec(head.path);
  if (cbor !== null && (cbor[1] === undefined || headerOf(head, "smithy-protocol") !== undefined)) return "cbor";
  const target = headerOf(head, "x-amz-target");
  if (target !== undefined) return target.startsWith(`${cloudWatchTargetPrefix}.`) ? "json" : undefined;
  if (head.path === "/" && mediaType(headerOf(head, "content-type")) === "application/x-www-form-urlencoded" && signsFor(head, signingName)) return "query";
  return undefined;
}

/** The action a JSON or CBOR request names (its target or its path); the query protocol's is in its body. */
export function actionOf(head: RequestHead, protocol: "json" | "cbor"): string {
  if (protocol === "json") return headerOf(head, "x-amz-target")!.slice(cloudWatchTargetPrefix.length + 1);
  return decodeURIComponentSafe(cborPath.exec(head.path)![2]!);
}

export function headerOf(head: RequestHead, name: string): string | undefined {
  const value = head.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

/** An unsigned request, or one whose credential scope names `service`. */
function signsFor(head: RequestHead, service: string): boolean {
  const authorization = headerOf(head, "authorization");
  if (authorization === undefined) return true;
  const scope = /Credential=[^/,\s]*\/\d{8}\/[^/,\s]*\/([^/,\s]*)\//.exec(authorization);
  return scope === null || scope[1] === service;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
