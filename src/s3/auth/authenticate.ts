/**
 * Who an S3 request is from, and how its body's integrity is declared. Under `--auth none` every
 * request is the account's anonymous principal; under `--auth sigv4` the signature is checked in
 * S3's order — form, scope (date, region, service `s3`, terminator), time (15 minutes either way,
 * or a presigned URL's lifetime), access key, session token, signed x-amz-* headers,
 * x-amz-content-sha256, then the signature in constant time. Either way the x-amz-content-sha256
 * header says how the body is to be read and checked (src/s3/body), so a signed aws-chunked body
 * is decoded under `--auth none` too; only its chunk signatures go unchecked there.
 */
import { parseQuery, signingKey, stringToSign } from "../../auth/sigv4/canonical.js";
import { constantTimeEqual, redactToken } from "../../auth/sigv4/verify.js";
import { firstHeader } from "../../auth/sigv4/parse.js";
import { anonymousPrincipal, type Principal } from "../../auth/principal.js";
import type { CredentialsFile } from "../../auth/credentials-file.js";
import type { RequestHead } from "../../protocol/streaming-api.js";
import type { Clock } from "../../util/clock.js";
import type { S3Error } from "../s3-error.js";
import { s3CanonicalRequest, hmacHex } from "./canonical.js";
import { s3AuthErrors, s3ClockSkewMsMax } from "./errors.js";
import { s3Errors } from "../errors.js";
import { parseHeaderClaim, parseQueryClaim, signatureForm, type S3SignatureClaim } from "./signature-claim.js";

export type S3AuthMode = { mode: "none"; accountId: string } | { mode: "sigv4"; credentials: Pick<CredentialsFile, "lookup"> };

export interface S3AuthDeps {
  region: string;
  auth: S3AuthMode;
  clock: Clock;
}

/** The signing details chunk and trailer signatures chain on (API Reference, "Transferring Payload in Multiple Chunks"). */
export interface ChunkSigning {
  /** The request's own signature: the first chunk's string to sign names it as the previous signature. */
  seedSignature: string;
  /** The derived signing key; undefined under `--auth none`, where chunk signatures are read but not checked. */
  signingKey?: Buffer;
  /** `20130524/us-east-1/s3/aws4_request` */
  scope: string;
  /** The request's signing time, YYYYMMDD'T'HHMMSS'Z'. */
  timestamp: string;
  /** For SignatureDoesNotMatch's AWSAccessKeyId and CanonicalRequest elements. */
  accessKeyId: string;
  canonicalRequest: string;
}

/** How the body's integrity is to be checked, as the signature declares it (x-amz-content-sha256). */
export type PayloadSigning =
  | { kind: "unsigned" }
  | { kind: "sha256"; expectedHex: string }
  | ({ kind: "streaming-signed"; trailer: boolean } & ChunkSigning)
  | { kind: "streaming-unsigned-trailer" };

export type S3Authentication = { ok: true; principal: Principal; payload: PayloadSigning } | { ok: false; error: S3Error };

/** Signing keys derived once per (secret, day, region): four HMACs saved per request. */
export const s3SigningKeyCacheEntriesMax = 1024;
const signingKeys = new Map<string, Buffer>();

function cachedSigningKey(secret: string, date: string, region: string): Buffer {
  const cacheKey = `${date}\n${region}\n${secret}`;
  let key = signingKeys.get(cacheKey);
  if (key === undefined) {
    if (signingKeys.size >= s3SigningKeyCacheEntriesMax) signingKeys.clear();
    key = signingKey(secret, date, region, "s3");
    signingKeys.set(cacheKey, key);
  }
  return key;
}

const streamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const streamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
const streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

type Declared = { ok: true; payload: PayloadSigning | "streaming-signed" | "streaming-signed-trailer" } | { ok: false; error: S3Error };

/** What x-amz-content-sha256 declares (Swift s3request.py `_validate_sha256` records S3's answers). */
function declaredPayload(value: string | undefined, required: boolean): Declared {
  if (value === undefined) return required ? { ok: false, error: s3AuthErrors.missingContentSha256() } : { ok: true, payload: { kind: "unsigned" } };
  if (value === "UNSIGNED-PAYLOAD") return { ok: true, payload: { kind: "unsigned" } };
  if (value === streamingUnsignedTrailer) return { ok: true, payload: { kind: "streaming-unsigned-trailer" } };
  if (value === streamingSigned) return { ok: true, payload: "streaming-signed" };
  if (value === streamingSignedTrailer) return { ok: true, payload: "streaming-signed-trailer" };
  if (value.startsWith("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")) {
    // SigV4A's streaming signatures (ECDSA): S3's NotImplemented, naming the header (real S3 answers carry no final period).
    return { ok: false, error: s3Errors.notImplemented("x-amz-content-sha256") };
  }
  if (/^[0-9a-fA-F]{64}$/.test(value)) return { ok: true, payload: { kind: "sha256", expectedHex: value.toLowerCase() } };
  return { ok: false, error: s3AuthErrors.invalidContentSha256(value) };
}

export async function authenticateS3(head: RequestHead, deps: S3AuthDeps): Promise<S3Authentication> {
  const contentSha256 = firstHeader(head.headers, "x-amz-content-sha256")?.trim();
  if (deps.auth.mode === "none") {
    const declared = declaredPayload(contentSha256, false);
    if (!declared.ok) return declared;
    const principal = anonymousPrincipal(deps.auth.accountId);
    if (typeof declared.payload !== "string") return { ok: true, principal, payload: declared.payload };
    // Signed chunks without a key to check them against: decoded, signatures read and ignored.
    const payload: PayloadSigning = {
      kind: "streaming-signed",
      trailer: declared.payload === "streaming-signed-trailer",
      seedSignature: "",
      scope: "",
      timestamp: "",
      accessKeyId: "",
      canonicalRequest: "",
    };
    return { ok: true, principal, payload };
  }
  return verifySigV4(head, deps, deps.auth.credentials, contentSha256);
}

async function verifySigV4(head: RequestHead, deps: S3AuthDeps, credentials: Pick<CredentialsFile, "lookup">, contentSha256: string | undefined): Promise<S3Authentication> {
  const query = parseQuery(head.query);
  const form = signatureForm(head.headers, query);
  if (form === "both") return { ok: false, error: s3AuthErrors.headerAndQuery() };
  if (form === "none") return { ok: false, error: s3AuthErrors.accessDenied() };
  if (form === "sigv2-query") return { ok: false, error: s3AuthErrors.unsupportedMechanism() };
  const parsed = form === "header" ? parseHeaderClaim(head.headers) : parseQueryClaim(query);
  if (!parsed.ok) return parsed;
  const claim = parsed.claim;
  const nowMs = deps.clock.nowMs();
  const problem = scopeProblem(claim, deps.region) ?? timeProblem(claim, nowMs);
  if (problem !== undefined) return { ok: false, error: problem };

  const credential = await credentials.lookup(claim.accessKeyId);
  if (credential === undefined || (credential.sessionToken !== undefined && claim.securityToken === undefined)) {
    return { ok: false, error: s3AuthErrors.invalidAccessKeyId(claim.accessKeyId) };
  }
  if (claim.securityToken !== undefined && (credential.sessionToken === undefined || !constantTimeEqual(credential.sessionToken, claim.securityToken))) {
    return { ok: false, error: s3AuthErrors.invalidToken() };
  }
  const unsigned = unsignedAmzHeaders(head.headers, claim);
  if (unsigned.length > 0) return { ok: false, error: s3AuthErrors.headersNotSigned(unsigned) };

  // A presigned URL carries no body hash: its payload is UNSIGNED-PAYLOAD (API Reference, "Authenticating Requests: Using Query Parameters").
  const declared = claim.presigned ? ({ ok: true, payload: { kind: "unsigned" } } as const) : declaredPayload(contentSha256, true);
  if (!declared.ok) return declared;

  const canonical = s3CanonicalRequest({
    method: head.method,
    path: head.path,
    query,
    ...(claim.presigned && { omitQuery: "X-Amz-Signature" }),
    headers: head.headers,
    signedHeaders: claim.signedHeaders,
    payloadHash: claim.presigned ? "UNSIGNED-PAYLOAD" : contentSha256!,
  });
  const scope = `${claim.scopeDate}/${deps.region}/s3/aws4_request`;
  const toSign = stringToSign(claim.timestamp, scope, canonical);
  const key = cachedSigningKey(credential.secretAccessKey, claim.scopeDate, deps.region);
  if (!constantTimeEqual(hmacHex(key, toSign), claim.signature)) {
    return {
      ok: false,
      error: s3AuthErrors.signatureDoesNotMatch(claim.accessKeyId, toSign, claim.signature, redactToken(canonical, claim.securityToken)),
    };
  }
  const principal = credential.identity;
  if (typeof declared.payload !== "string") return { ok: true, principal, payload: declared.payload };
  return {
    ok: true,
    principal,
    payload: {
      kind: "streaming-signed",
      trailer: declared.payload === "streaming-signed-trailer",
      seedSignature: claim.signature,
      signingKey: key,
      scope,
      timestamp: claim.timestamp,
      accessKeyId: claim.accessKeyId,
      canonicalRequest: redactToken(canonical, claim.securityToken),
    },
  };
}

/** The credential scope against this server, in Swift's order (date, region, service, terminator), each with S3's message. */
function scopeProblem(claim: S3SignatureClaim, region: string): S3Error | undefined {
  const malformed = (headerMessage: string, queryMessage: string, fields: Record<string, string> = {}) =>
    claim.presigned
      ? s3AuthErrors.queryParametersError(`Error parsing the X-Amz-Credential parameter; ${queryMessage}`, fields)
      : s3AuthErrors.headerMalformed(`The authorization header is malformed; ${headerMessage}`, fields);
  const signedDate = claim.timestamp.slice(0, 8);
  if (claim.scopeDate !== signedDate) {
    const message = `Invalid credential date "${claim.scopeDate}". This date is not the same as X-Amz-Date: "${signedDate}".`;
    return claim.presigned ? s3AuthErrors.queryParametersError(message) : s3AuthErrors.headerMalformed(message);
  }
  if (claim.scopeRegion !== region) {
    const message = `the region '${claim.scopeRegion}' is wrong; expecting '${region}'`;
    return malformed(message, message, { Region: region });
  }
  if (claim.scopeService !== "s3") {
    const message = `incorrect service "${claim.scopeService}". This endpoint belongs to "s3".`;
    return malformed(message, message);
  }
  if (claim.scopeTerminator !== "aws4_request") {
    const message = `incorrect terminal "${claim.scopeTerminator}". This endpoint uses "aws4_request".`;
    return malformed(message, message);
  }
  return undefined;
}

function timeProblem(claim: S3SignatureClaim, nowMs: number): S3Error | undefined {
  if (claim.expiresSeconds !== undefined) {
    // minio's signature-v4.go answers a presigned URL dated in the future this way; expiry only looks back.
    if (claim.timestampMs > nowMs + s3ClockSkewMsMax) return s3AuthErrors.requestNotYetValid();
    const expiresMs = claim.timestampMs + claim.expiresSeconds * 1000;
    if (nowMs > expiresMs) return s3AuthErrors.requestExpired(claim.expiresSeconds, expiresMs, nowMs);
    return undefined;
  }
  if (Math.abs(claim.timestampMs - nowMs) > s3ClockSkewMsMax) return s3AuthErrors.requestTimeTooSkewed(claim.timestampText, nowMs);
  return undefined;
}

/**
 * x-amz-* headers the request carries but did not sign: each could change what the request does
 * (checksums, copy sources, metadata, the session token) without breaking the signature. Every
 * SDK and botocore sign them all. A presigned URL's x-amz-content-sha256 is left out: the URL's
 * payload is UNSIGNED-PAYLOAD whatever the header says (LocalStack's presigned_url.py ignores it too).
 */
function unsignedAmzHeaders(headers: RequestHead["headers"], claim: S3SignatureClaim): string[] {
  const signed = new Set(claim.signedHeaders);
  return Object.keys(headers).filter(
    (name) => name.startsWith("x-amz-") && headers[name] !== undefined && !signed.has(name) && !(claim.presigned && name === "x-amz-content-sha256"),
  );
}



