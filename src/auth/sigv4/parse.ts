/**
 * Finds the signature a request claims, from the Authorization header or a presigned query
 * string, and checks it is complete — in AWS's order and with its messages (kinesalite's
 * connection tests record them): both forms → InvalidSignature; neither → MissingAuthenticationToken;
 * missing parts → IncompleteSignature, all named in one message; then the algorithm, the
 * credential's five elements, `host`, `content-type`, `x-amz-target` and every other `x-amz-*`
 * header of the request among the signed headers (InvalidSignature), and the date's format.
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kinesis/aws4_request,
 *                  SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79…
 *   ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=300
 *    &X-Amz-SignedHeaders=host&X-Amz-Signature=…[&X-Amz-Security-Token=…]
 */
import type { ServiceError } from "../../protocol/service-error.js";
import { algorithm, headerValue, type HeaderValues } from "./canonical.js";
import { authErrors } from "./errors.js";

/** AWS's cap on a presigned URL's lifetime: one week. */
export const presignedExpiresSecondsMax = 604_800;

export interface SignatureClaim {
  presigned: boolean;
  accessKeyId: string;
  /** The credential scope's parts, as sent: YYYYMMDD, region, service, terminator. */
  scopeDate: string;
  scopeRegion: string;
  scopeService: string;
  scopeTerminator: string;
  signedHeaders: string[];
  signature: string;
  /** The signing time as YYYYMMDD'T'HHMMSS'Z', and where it came from. */
  timestamp: string;
  timestampMs: number;
  timestampSource: "X-Amz-Date" | "Date";
  /** Presigned only: seconds the URL stays valid after its timestamp. */
  expiresSeconds?: number;
  securityToken?: string;
}

export type ClaimOutcome = { ok: true; claim: SignatureClaim } | { ok: false; error: ServiceError };

/** Whether the request carries any signature at all (AWS then answers XML errors differently). */
export function hasSignature(headers: HeaderValues, query: readonly (readonly [string, string])[]): boolean {
  return Boolean(headerValue(headers, "authorization")) || query.some(([name]) => name === "X-Amz-Algorithm");
}

export function parseSignature(headers: HeaderValues, query: readonly (readonly [string, string])[]): ClaimOutcome {
  const authorization = firstHeader(headers, "authorization");
  const fromQuery = query.some(([name]) => name === "X-Amz-Algorithm");
  if (authorization && fromQuery) return { ok: false, error: authErrors.headerAndQuery() };
  if (!authorization && !fromQuery) return { ok: false, error: authErrors.missingAuthenticationToken() };
  return authorization ? parseHeaderClaim(authorization, headers) : parseQueryClaim(query, headers);
}

/** A header's first value (a repeated header counts once, as AWS reads it). */
export function firstHeader(headers: HeaderValues, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

interface RawClaim {
  algorithm: string;
  credential: string;
  signedHeaders: string;
  signature: string;
  timestampText: string;
  timestampSource: "X-Amz-Date" | "Date";
  expires?: string;
  securityToken?: string;
}

function parseHeaderClaim(authorization: string, headers: HeaderValues): ClaimOutcome {
  const tokens = authorization.split(/,| /);
  const params = new Map<string, string>();
  for (const token of tokens.slice(1)) {
    const trimmed = token.trim();
    if (trimmed === "") continue;
    const equals = trimmed.indexOf("=");
    params.set(equals < 0 ? trimmed : trimmed.slice(0, equals), equals < 0 ? "" : trimmed.slice(equals + 1));
  }
  let message = "";
  for (const name of ["Credential", "Signature", "SignedHeaders"]) {
    if (!params.get(name)) message += `Authorization header requires '${name}' parameter. `;
  }
  const amzDate = firstHeader(headers, "x-amz-date");
  const date = firstHeader(headers, "date");
  if (!amzDate && !date) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (message) return { ok: false, error: authErrors.incompleteSignature(message + "Authorization=" + redactSignature(authorization)) };
  const securityToken = firstHeader(headers, "x-amz-security-token");
  return checkClaim(headers, {
    algorithm: tokens[0]!,
    credential: params.get("Credential")!,
    signedHeaders: params.get("SignedHeaders")!,
    signature: params.get("Signature")!,
    timestampText: amzDate ? amzDate : date!,
    timestampSource: amzDate ? "X-Amz-Date" : "Date",
    ...(securityToken !== undefined && { securityToken }),
  });
}

const queryParamsRequired = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"] as const;

function parseQueryClaim(query: readonly (readonly [string, string])[], headers: HeaderValues): ClaimOutcome {
  const params = new Map<string, string>();
  for (const [name, value] of query) if (!params.has(name)) params.set(name, value);
  let message = "";
  for (const name of queryParamsRequired) {
    if (!params.get(name)) message += `AWS query-string parameters must include '${name}'. `;
  }
  if (message) return { ok: false, error: authErrors.incompleteSignature(message + "Re-examine the query-string parameters.") };
  const securityToken = params.get("X-Amz-Security-Token");
  return checkClaim(headers, {
    algorithm: params.get("X-Amz-Algorithm")!,
    credential: params.get("X-Amz-Credential")!,
    signedHeaders: params.get("X-Amz-SignedHeaders")!,
    signature: params.get("X-Amz-Signature")!,
    timestampText: params.get("X-Amz-Date")!,
    timestampSource: "X-Amz-Date",
    expires: params.get("X-Amz-Expires") ?? "",
    ...(securityToken !== undefined && { securityToken }),
  });
}

function checkClaim(headers: HeaderValues, raw: RawClaim): ClaimOutcome {
  const fail = (error: ServiceError): ClaimOutcome => ({ ok: false, error });
  if (raw.algorithm !== algorithm) return fail(authErrors.incompleteSignature(`Unsupported AWS 'algorithm': '${raw.algorithm}'.`));
  const scope = raw.credential.split("/");
  if (scope.length !== 5) {
    return fail(
      authErrors.incompleteSignature(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${raw.credential}'`),
    );
  }
  const signedHeaders = raw.signedHeaders.split(";").map((name) => name.trim().toLowerCase());
  if (!signedHeaders.includes("host") && !signedHeaders.includes(":authority")) return fail(authErrors.mustBeSigned("'Host' or ':authority'"));
  const time = raw.timestampSource === "Date" ? httpDate(raw.timestampText) : basicIsoDate(raw.timestampText);
  if (time === undefined) {
    return fail(authErrors.incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${raw.timestampText}'. See http://en.wikipedia.org/wiki/ISO_8601`));
  }
  let expiresSeconds: number | undefined;
  if (raw.expires !== undefined) {
    expiresSeconds = /^\d{1,7}$/.test(raw.expires) ? Number(raw.expires) : Number.NaN;
    if (!(expiresSeconds >= 1 && expiresSeconds <= presignedExpiresSecondsMax)) {
      return fail(
        authErrors.incompleteSignature(
          `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${presignedExpiresSecondsMax} seconds`,
        ),
      );
    }
  }
  // After the date (dynalite recorded AWS checking the date before the signed headers), before the scope.
  const unsigned = unsignedRequiredHeader(headers, signedHeaders);
  if (unsigned !== undefined) return fail(authErrors.mustBeSigned(`'${unsigned}'`));
  const [accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator] = scope as [string, string, string, string, string];
  return {
    ok: true,
    claim: {
      presigned: raw.expires !== undefined,
      accessKeyId,
      scopeDate,
      scopeRegion,
      scopeService,
      scopeTerminator,
      signedHeaders,
      signature: raw.signature,
      timestamp: time.stamp,
      timestampMs: time.ms,
      timestampSource: raw.timestampSource,
      ...(expiresSeconds !== undefined && { expiresSeconds }),
      ...(raw.securityToken !== undefined && { securityToken: raw.securityToken }),
    },
  };
}

/**
 * The first header the request carries that must be signed and is not: `Content-Type` and
 * `X-Amz-Target`, which choose how the body is read and which action runs, and every other
 * `x-amz-*` header (the session token, the date, the content hash). Without this, a request
 * signed over `host;x-amz-date` alone could be replayed with another X-Amz-Target — a signed
 * DescribeStreamSummary turned into a DeleteStream. Every SDK signs them all (the JavaScript
 * SDK's signer leaves out only hop-by-hop headers, user-agent and x-amzn-trace-id; botocore only
 * expect, transfer-encoding, user-agent and x-amzn-trace-id), so real clients are unaffected. AWS's
 * front end answers a header its service requires signed with `'<Header>' must be a
 * 'SignedHeader' in the AWS Authorization.` — the family of its Host check (recorded from AWS by
 * dynalite; `'Host' or ':authority' …` reported against Kinesis in aws-sdk-js-v3#3796), and
 * scratchstack-aws-signature, which models AWS's validation, words its required `Content-Type`
 * and `x-amz-` prefix checks the same way. Both signature forms are held to it: a presigned
 * URL carrying an unsigned X-Amz-Target header could be re-targeted just the same.
 */
function unsignedRequiredHeader(headers: HeaderValues, signedHeaders: readonly string[]): string | undefined {
  const signed = new Set(signedHeaders);
  if (headers["content-type"] !== undefined && !signed.has("content-type")) return "Content-Type";
  if (headers["x-amz-target"] !== undefined && !signed.has("x-amz-target")) return "X-Amz-Target";
  for (const name of Object.keys(headers)) {
    if (name.startsWith("x-amz-") && headers[name] !== undefined && !signed.has(name)) return name;
  }
  return undefined;
}

/** YYYYMMDD'T'HHMMSS'Z' with a real calendar date and time (S3's claim parser shares it). */
export function basicIsoDate(text: string): { stamp: string; ms: number } | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return toBasicIso(ms) === text ? { stamp: text, ms } : undefined;
}

/** An HTTP Date header (RFC 7231's IMF-fixdate, or what Date.parse reads), as a basic ISO stamp. */
function httpDate(text: string): { stamp: string; ms: number } | undefined {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) return undefined;
  const whole = Math.floor(ms / 1000) * 1000;
  return { stamp: toBasicIso(whole), ms: whole };
}

export function toBasicIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

/**
 * AWS echoes the Authorization header in IncompleteSignature messages. Here a signature in it is
 * cut to its first characters — the Signature parameter's value, and any long run of hex digits
 * (a signature under a mangled parameter name) — so no usable signature reaches a log or an
 * error display.
 */
export const echoedSignatureCharsMax = 8;

function redactSignature(authorization: string): string {
  const cut = (value: string) => (value.length > echoedSignatureCharsMax ? `${value.slice(0, echoedSignatureCharsMax)}...` : value);
  return authorization
    .replace(/(Signature=)([^,\s]*)/g, (_whole, prefix: string, value: string) => prefix + cut(value))
    .replace(/[0-9a-fA-F]{16,}/g, cut);
}
