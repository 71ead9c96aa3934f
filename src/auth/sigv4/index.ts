/**
 * AWS Signature Version 4 verification (docs/auth.md). Example:
 *
 *   const verifier = createSigV4Verifier({ region: "us-east-1", service: "kinesis", lookup });
 *   const outcome = await verifier.verify({ method, path, query: parseQuery(rawQuery), headers, body }, clock.nowMs());
 *   if (!outcome.ok) answer outcome.error; else outcome.identity is whoever the key belongs to.
 */
export { createSigV4Verifier, clockSkewMsMax, type SignedRequest, type SigningCredential, type SigV4Verifier, type VerifyOutcome } from "./verify.js";
export { hasSignature, parseSignature, presignedExpiresSecondsMax, type SignatureClaim } from "./parse.js";
export { parseQuery, canonicalRequest, signingKey, signatureHex, stringToSign, sha256Hex, uriEncode } from "./canonical.js";
export { authErrors, missingAuthenticationTokenXml } from "./errors.js";
export { sigV4Authenticator, kinesisSigningService } from "./authenticator.js";
