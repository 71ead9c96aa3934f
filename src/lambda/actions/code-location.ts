/**
 * Where GetFunction and GetLayerVersion say the code can be downloaded: a URL on this server's
 * own port (GET /2015-03-31/code-locations/{Token}, download-code.ts) that answers the zip for ten
 * minutes, as Lambda's presigned S3 URL does. The token is the code's object key with an expiry,
 * signed with a key derived from the engine's secret (src/lambda/index.ts), so any node sharing the
 * engine serves a URL another node answered.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { ApiContext } from "../api-context.js";
import type { CodeRef } from "../model.js";

export const codeLocationTtlMs = 10 * 60 * 1000;
export const codeLocationPathPrefix = "/2015-03-31/code-locations/";

function sign(secret: Buffer, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

export function codeLocation(context: ApiContext, code: CodeRef): string {
  const expiresMs = context.clock.nowMs() + codeLocationTtlMs;
  const payload = Buffer.from(JSON.stringify({ k: code.objectKey, s: code.sha256Base64, n: code.sizeBytes, e: expiresMs })).toString("base64url");
  const token = `${payload}.${sign(context.codeLocationKey.secret, payload)}`;
  return `${context.endpointUrl() ?? ""}${codeLocationPathPrefix}${token}`;
}

/** The code a token names if it is ours and unexpired. */
export function codeOfToken(context: ApiContext, token: string): CodeRef | undefined {
  const [payload, signature] = token.split(".");
  if (payload === undefined || signature === undefined) return undefined;
  const expected = Buffer.from(sign(context.codeLocationKey.secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { k: string; s: string; n: number; e: number };
  if (context.clock.nowMs() > fields.e) return undefined;
  return { objectKey: fields.k, sha256Base64: fields.s, sizeBytes: fields.n };
}
