/**
 * Reads the SigV4 signature an S3 request claims — from the Authorization header or a presigned
 * query — into one shape, with S3's errors for each way it can be malformed (the messages of
 * AWS S3 as OpenStack Swift's s3api reproduces them, s3request.py `_parse_header_authentication`,
 * `_parse_query_authentication`, `_validate_expire_param`; LocalStack's presigned_url.py for the
 * missing-parameter message):
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3/aws4_request,
 *                  SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb8…
 *   ?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=…&X-Amz-Date=…&X-Amz-Expires=86400
 *    &X-Amz-SignedHeaders=host&X-Amz-Signature=…
 */
import { headerValue, type HeaderValues } from "../../auth/sigv4/canonical.js";
import { basicIsoDate, firstHeader, presignedExpiresSecondsMax, toBasicIso, type SignatureClaim } from "../../auth/sigv4/parse.js";
import type { S3Error } from "../s3-error.js";
import { s3AuthErrors } from "./errors.js";

/** The Kinesis verifier's claim (auth/sigv4/parse.ts), with the signing time also as it was sent. */
export interface S3SignatureClaim extends Omit<SignatureClaim, "timestampSource"> {
  timestampText: string;
}

export type ClaimOutcome = { ok: true; claim: S3SignatureClaim } | { ok: false; error: S3Error };

const algorithmName = "AWS4-HMAC-SHA256";
const presignedParameters = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"] as const;

/** Which form of authentication the request uses, before any of it is checked. */
export function signatureForm(headers: HeaderValues, query: readonly (readonly [string, string])[]): "header" | "query" | "both" | "sigv2-query" | "none" {
  const header = firstHeader(headers, "authorization") !== undefined;
  const presigned = query.some(([name]) => name === "X-Amz-Algorithm" || name === "X-Amz-Credential" || name === "X-Amz-Signature");
  const sigV2Query = query.some(([name]) => name === "AWSAccessKeyId" || name === "Signature");
  if (header && (presigned || sigV2Query)) return "both";
  if (header) return "header";
  if (presigned) return "query";
  return sigV2Query ? "sigv2-query" : "none";
}

const fail = (error: S3Error): ClaimOutcome => ({ ok: false, error });

export function parseHeaderClaim(headers: HeaderValues): ClaimOutcome {
  const authorization = firstHeader(headers, "authorization")!.trim();
  const space = authorization.indexOf(" ");
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm !== algorithmName) return fail(s3AuthErrors.unsupportedMechanism());
  const params = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) params.set(part.slice(0, equals).trim(), part.slice(equals + 1).trim());
  }
  const credential = params.get("Credential");
  const signedHeaders = params.get("SignedHeaders");
  const signature = params.get("Signature");
  if (!credential || !signedHeaders || !signature) return fail(s3AuthErrors.headerMalformed());
  const scope = splitCredential(credential);
  if (scope === undefined) {
    return fail(
      s3AuthErrors.headerMalformed('The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".'),
    );
  }
  const amzDate = firstHeader(headers, "x-amz-date");
  const date = firstHeader(headers, "date");
  const time = amzDate !== undefined ? basicIsoDate(amzDate.trim()) : date !== undefined ? httpDate(date) : undefined;
  if (time === undefined) return fail(s3AuthErrors.missingDate());
  const securityToken = headerValue(headers, "x-amz-security-token");
  return {
    ok: true,
    claim: {
      presigned: false,
      ...scope,
      signedHeaders: signedHeaders.split(";").map((name) => name.trim().toLowerCase()),
      signature,
      timestamp: time.stamp,
      timestampText: (amzDate ?? date)!.trim(),
      timestampMs: time.ms,
      ...(securityToken !== undefined && { securityToken }),
    },
  };
}

export function parseQueryClaim(query: readonly (readonly [string, string])[]): ClaimOutcome {
  const params = new Map<string, string>();
  for (const [name, value] of query) if (!params.has(name)) params.set(name, value);
  if (presignedParameters.some((name) => !params.get(name) && !(name === "X-Amz-Expires" && params.has(name)))) {
    return fail(
      s3AuthErrors.queryParametersError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      ),
    );
  }
  if (params.get("X-Amz-Algorithm") !== algorithmName) return fail(s3AuthErrors.queryParametersError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"'));
  const scope = splitCredential(params.get("X-Amz-Credential")!);
  if (scope === undefined) {
    return fail(
      s3AuthErrors.queryParametersError(
        'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
      ),
    );
  }
  const dateText = params.get("X-Amz-Date")!;
  const time = basicIsoDate(dateText);
  if (time === undefined) return fail(s3AuthErrors.queryParametersError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""));
  const expiresText = params.get("X-Amz-Expires")!;
  let expiresProblem: string | undefined;
  if (!/^-?\d{1,15}$/.test(expiresText)) expiresProblem = "X-Amz-Expires should be a number";
  else if (Number(expiresText) < 0) expiresProblem = "X-Amz-Expires must be non-negative";
  else if (Number(expiresText) > presignedExpiresSecondsMax) {
    expiresProblem = `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${presignedExpiresSecondsMax} seconds`;
  }
  if (expiresProblem !== undefined) return fail(s3AuthErrors.queryParametersError(expiresProblem));
  const securityToken = params.get("X-Amz-Security-Token");
  return {
    ok: true,
    claim: {
      presigned: true,
      ...scope,
      signedHeaders: params.get("X-Amz-SignedHeaders")!.split(";").map((name) => name.trim().toLowerCase()),
      signature: params.get("X-Amz-Signature")!,
      timestamp: time.stamp,
      timestampText: dateText,
      timestampMs: time.ms,
      expiresSeconds: Number(expiresText),
      ...(securityToken !== undefined && { securityToken }),
    },
  };
}

function splitCredential(credential: string) {
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[0] === "") return undefined;
  const [accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator] = parts as [string, string, string, string, string];
  return { accessKeyId, scopeDate, scopeRegion, scopeService, scopeTerminator };
}

/** An HTTP Date header, as the basic ISO stamp the string to sign carries. */
function httpDate(text: string): { stamp: string; ms: number } | undefined {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  const whole = Math.floor(ms / 1000) * 1000;
  return { stamp: toBasicIso(whole), ms: whole };
}
