/**
 * S3's request authentication (SigV4 header and presigned-query forms, S3's canonical rules and
 * errors) and the signing details the body reader needs to check aws-chunked chunk signatures.
 *
 *   const auth = await authenticateS3(head, { region, auth: config.auth, clock });
 *   if (!auth.ok) answer auth.error; else payloadOf(head, body, auth.payload) (src/s3/body)
 */
export { authenticateS3, type ChunkSigning, type PayloadSigning, type S3AuthDeps, type S3AuthMode, type S3Authentication } from "./authenticate.js";
export { canonicalTrailers, chunkStringToSign, s3CanonicalRequest, s3CanonicalUri, trailerStringToSign } from "./canonical.js";
export { s3AuthErrors, s3ClockSkewMsMax, s3PayloadErrors, spacedHexBytes } from "./errors.js";
