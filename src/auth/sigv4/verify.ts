/**
 * Verifies a request's SigV4 signature as AWS does for Kinesis, after parse.ts found it complete:
 * credential scope (date matching the signing time, the server's region, the `kinesis` service,
 * `aws4_request`), the 5-minute clock-skew window (or a presigned URL's lifetime), the access key,
 * the session token, then the signature itself, compared in constant time. The payload hash is
 * always the SHA-256 of the body received: a client's X-Amz-Content-Sha256 (or UNSIGNED-PAYLOAD)
 * never stands in for it, so a changed body cannot keep a valid signature.
 */
import { timingSafeEqual } from "node:crypto";
import type { ServiceError } from "../../protocol/service-error.js";
import {
  canonicalRequest, scopeTerminator, sha256Hex, signatureHex, signingKey, stringToSign, uriEncode, type HeaderValues,
} from "./canonical.js";
import { authErrors } from "./errors.js";
import { parseSignature, toBasicIso, type SignatureClaim } from "./parse.js";

/** AWS's allowed clock skew between a signature's time and the server's, either way. */
export const clockSkewMsMax = 5 * 60 * 1000;

/** Signing keys are derived once per (secret, day, region, service): four HMACs saved per request. */
export const signingKeyCacheEntriesMax = 1024;

export interface SignedRequest {
  method: string;
  /** The request path as received, still percent-encoded, without the query. */
  path: string;
  /** Query pairs, decoded (canonical.ts parseQuery). */
  query: readonly (readonly [string, string])[];
  headers: HeaderValues;
  body: Buffer;
}

/** What a credentials source knows about one access key. */
export interface SigningCredential<Identity> {
  secretAccessKey: string;
  sessionToken?: string;
  identity: Identity;
}

export interface SigV4Verifier<Identity> {
  /** `service`: the signing name the request's target expects (default: the options' service). */
  verify(request: SignedRequest, nowMs: number, service?: string): Promise<VerifyOutcome<Identity>>;
}

export type VerifyOutcome<Identity> = { ok: true; identity: Identity } | { ok: false; error: ServiceError };

export interface SigV4VerifierOptions<Identity> {
  region: string;
  service: string;
  lookup(accessKeyId: string): Promise<SigningCredential<Identity> | undefined>;
}

export function createSigV4Verifier<Identity>(options: SigV4VerifierOptions<Identity>): SigV4Verifier<Identity> {
  const keys = new Map<string, Buffer>();
  const keyFor = (secret: string, date: string, service: string): Buffer => {
    const cacheKey = `${date}\n${service}\n${secret}`;
    let key = keys.get(cacheKey);
    if (key === undefined) {
      if (keys.size >= signingKeyCacheEntriesMax) keys.clear();
      key = signingKey(secret, date, options.region, service);
      keys.set(cacheKey, key);
    }
    return key;
  };

  return {
    async verify(request, nowMs, service = options.service) {
      const parsed = parseSignature(request.headers, request.query);
      if (!parsed.ok) return parsed;
      const claim = parsed.claim;
      const scopeError = checkScope(claim, options.region, service) ?? checkTime(claim, nowMs);
      if (scopeError) return { ok: false, error: scopeError };
      const credential = await options.lookup(claim.accessKeyId);
      if (credential === undefined || !sessionTokenMatches(credential.sessionToken, claim.securityToken)) {
        return { ok: false, error: authErrors.unrecognizedClient() };
      }
      const canonical = canonicalRequest({
        method: request.method,
        path: request.path,
        query: request.query,
        ...(claim.presigned && { omitQuery: "X-Amz-Signature" }),
        headers: request.headers,
        signedHeaders: claim.signedHeaders,
        payloadHash: sha256Hex(request.body),
      });
      const scope = `${claim.scopeDate}/${options.region}/${service}/${scopeTerminator}`;
      const toSign = stringToSign(claim.timestamp, scope, canonical);
      const expected = signatureHex(keyFor(credential.secretAccessKey, claim.scopeDate, service), toSign);
      if (!constantTimeEqual(expected, claim.signature)) {
        return { ok: false, error: authErrors.signatureMismatch(redactToken(canonical, claim.securityToken), toSign) };
      }
      return { ok: true, identity: credential.identity };
    },
  };
}

/** The scope's region, service and terminator, each named when wrong (AWS lists them together), then its date. */
function checkScope(claim: SignatureClaim, region: string, service: string): ServiceError | undefined {
  let message = "";
  if (claim.scopeRegion !== region) message += `Credential should be scoped to a valid region, not '${claim.scopeRegion}'. `;
  if (claim.scopeService !== service) message += `Credential should be scoped to correct service: '${service}'. `;
  if (claim.scopeTerminator !== scopeTerminator) {
    message += `Credential should be scoped with a valid terminator: '${scopeTerminator}', not '${claim.scopeTerminator}'. `;
  }
  if (message) return authErrors.invalidSignature(message);
  const signedDate = claim.timestamp.slice(0, 8);
  if (claim.scopeDate !== signedDate) {
    return authErrors.invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claim.scopeDate}' != '${signedDate}', from '${claim.timestampSource}'.`,
    );
  }
  return undefined;
}

function checkTime(claim: SignatureClaim, nowMs: number): ServiceError | undefined {
  const now = Math.floor(nowMs / 1000) * 1000;
  if (claim.timestampMs > now + clockSkewMsMax) {
    return authErrors.signatureNotYetCurrent(claim.timestamp, toBasicIso(now + clockSkewMsMax), toBasicIso(now));
  }
  if (claim.expiresSeconds !== undefined) {
    const lifetimeMs = claim.expiresSeconds * 1000;
    if (claim.timestampMs < now - lifetimeMs) {
      return authErrors.signatureExpired(claim.timestamp, toBasicIso(now - lifetimeMs), toBasicIso(now), `${claim.expiresSeconds} sec`);
    }
    return undefined;
  }
  if (claim.timestampMs < now - clockSkewMsMax) {
    return authErrors.signatureExpired(claim.timestamp, toBasicIso(now - clockSkewMsMax), toBasicIso(now), "5 min");
  }
  return undefined;
}

/** A key with a session token needs that token; a key without one refuses any token. */
function sessionTokenMatches(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined) return given === undefined;
  return given !== undefined && constantTimeEqual(expected, given);
}

/** Whether two secrets match, in time that does not depend on where they differ (S3's verifier shares it). */
export function constantTimeEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(given, "utf8");
  // Lengths differ: compare the expected value with itself so the time spent does not depend on it.
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The session token is a credential: blanked (header or query form) in the canonical request AWS would otherwise echo. */
export function redactToken(canonical: string, token: string | undefined): string {
  if (!token) return canonical;
  const header = `x-amz-security-token:${token.trim().replace(/\s+/g, " ")}\n`;
  const query = `X-Amz-Security-Token=${uriEncode(token)}`;
  return canonical.split(header).join("x-amz-security-token:<redacted>\n").split(query).join("X-Amz-Security-Token=<redacted>");
}
