/**
 * S3's authentication and payload-integrity errors, with S3's codes, statuses, messages and extra
 * elements. Sources, checked against each other:
 * - OpenStack Swift's s3api (swift/common/middleware/s3api/s3response.py, s3request.py) and its
 *   test/s3api/test_input_errors.py, which is run against AWS S3 and asserts the exact elements;
 * - LocalStack's S3 presigned-URL validation (services/s3/presigned_url.py), snapshot-tested on AWS;
 * - SignatureDoesNotMatch bodies as AWS S3 sends them (StringToSignBytes as space-separated
 *   lower-case hex bytes, "41 57 53 34 …", quoted in many public bug reports).
 */
import { S3Error } from "../s3-error.js";

/** S3's window between a request's signing time and the server's clock, either way (RequestTimeTooSkewed). */
export const s3ClockSkewMsMax = 15 * 60 * 1000;

/** "41 57 53 34": how S3 shows the bytes of a string it signed. */
export function spacedHexBytes(text: string): string {
  return Buffer.from(text, "utf8").toString("hex").replace(/(..)(?!$)/g, "$1 ");
}

/** 2026-12-06T21:53:50Z: ServerTime and Expires as S3 writes them. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export const s3AuthErrors = {
  /** An anonymous request where signing is required (S3's answer to unsigned access of a private bucket). */
  accessDenied: () => new S3Error("AccessDenied", "Access Denied", 403),

  headerAndQuery: () =>
    new S3Error(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
      400,
      { ArgumentName: "Authorization" },
    ),

  /** SigV2 (`AWS AKID:sig`) and anything but AWS4-HMAC-SHA256: S3 regions opened since 2014 answer this. */
  unsupportedMechanism: () => new S3Error("InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.", 400),

  headerMalformed: (message = "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.", fields: Record<string, string> = {}) =>
    new S3Error("AuthorizationHeaderMalformed", message, 400, fields),

  queryParametersError: (message: string, fields: Record<string, string> = {}) => new S3Error("AuthorizationQueryParametersError", message, 400, fields),

  missingDate: () => new S3Error("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header", 403),

  requestTimeTooSkewed: (requestTime: string, nowMs: number) =>
    new S3Error("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403, {
      RequestTime: requestTime,
      ServerTime: isoSeconds(nowMs),
      MaxAllowedSkewMilliseconds: String(s3ClockSkewMsMax),
    }),

  requestExpired: (expiresSeconds: number, expiresMs: number, nowMs: number) =>
    new S3Error("AccessDenied", "Request has expired", 403, {
      "X-Amz-Expires": String(expiresSeconds),
      Expires: isoSeconds(expiresMs),
      ServerTime: isoSeconds(nowMs),
    }),

  requestNotYetValid: () => new S3Error("AccessDenied", "Request is not valid yet", 403),

  headersNotSigned: (names: readonly string[]) =>
    new S3Error("AccessDenied", "There were headers present in the request which were not signed", 403, { HeadersNotSigned: names.join(", ") }),

  invalidAccessKeyId: (accessKeyId: string) =>
    new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403, { AWSAccessKeyId: accessKeyId }),

  invalidToken: () => new S3Error("InvalidToken", "The provided token is malformed or otherwise invalid.", 400),

  signatureDoesNotMatch: (accessKeyId: string, stringToSign: string, signatureProvided: string, canonicalRequest: string) =>
    new S3Error("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", 403, {
      AWSAccessKeyId: accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: signatureProvided,
      StringToSignBytes: spacedHexBytes(stringToSign),
      CanonicalRequest: canonicalRequest,
      CanonicalRequestBytes: spacedHexBytes(canonicalRequest),
    }),

  missingContentSha256: () => new S3Error("InvalidRequest", "Missing required header for this request: x-amz-content-sha256", 400),

  invalidContentSha256: (value: string) =>
    new S3Error(
      "InvalidArgument",
      "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
      400,
      { ArgumentName: "x-amz-content-sha256", ArgumentValue: value },
    ),
};

/** Errors found while reading a request's payload (src/s3/body). */
export const s3PayloadErrors = {
  contentSha256Mismatch: (clientComputed: string, s3Computed: string) =>
    new S3Error("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, {
      ClientComputedContentSHA256: clientComputed,
      S3ComputedContentSHA256: s3Computed,
    }),

  /** Content-MD5 that is not the base64 of 16 bytes; AWS echoes it (Swift's test_input_errors notes the element). */
  invalidDigest: (contentMd5: string) => new S3Error("InvalidDigest", "The Content-MD5 you specified was invalid.", 400, { "Content-MD5": contentMd5 }),

  /** ExpectedDigest is the client's MD5 in hex, CalculatedDigest ours in base64 (as test_input_errors records AWS doing). */
  badDigestMd5: (expectedHex: string, calculatedBase64: string) =>
    new S3Error("BadDigest", "The Content-MD5 you specified did not match what we received.", 400, { ExpectedDigest: expectedHex, CalculatedDigest: calculatedBase64 }),

  badChecksum: (algorithm: string) => new S3Error("BadDigest", `The ${algorithm} you specified did not match the calculated checksum.`, 400),

  invalidChecksumHeader: (headerName: string) => new S3Error("InvalidRequest", `Value for ${headerName} header is invalid.`, 400),

  invalidChecksumTrailer: (trailerName: string) => new S3Error("InvalidRequest", `Value for ${trailerName} trailing header is invalid.`, 400),

  unknownChecksumAlgorithm: () => new S3Error("InvalidRequest", "The algorithm type you specified in x-amz-checksum- header is invalid.", 400),

  multipleChecksums: (headerAndTrailer: boolean) =>
    new S3Error("InvalidRequest", headerAndTrailer ? "Expecting a single x-amz-checksum- header" : "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.", 400),

  sdkAlgorithmWithoutChecksum: () =>
    new S3Error("InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.", 400),

  sdkAlgorithmMismatch: () => new S3Error("InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.", 400),

  unsupportedTrailer: () => new S3Error("InvalidRequest", "The value specified in the x-amz-trailer header is not supported", 400),

  malformedTrailer: () => new S3Error("MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.", 400),

  /** A body cut short or not in aws-chunked form. */
  bodyTerminated: () => new S3Error("IncompleteBody", "The request body terminated unexpectedly", 400),

  incompleteBody: (expectedBytes: number, providedBytes: number) =>
    new S3Error("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header", 400, {
      NumberBytesExpected: String(expectedBytes),
      NumberBytesProvided: String(providedBytes),
    }),

  /** x-amz-decoded-content-length missing or not a number: S3 names Content-Length all the same. */
  missingContentLength: () => new S3Error("MissingContentLength", "You must provide the Content-Length HTTP header.", 411),

  /** AWS answers 403, and names the chunk after the short one (Swift's test_input_errors records both). */
  chunkTooSmall: (chunkNumber: number, badChunkSizeBytes: number) =>
    new S3Error("InvalidChunkSizeError", "Only the last chunk is allowed to have a size less than 8192 bytes", 403, {
      Chunk: String(chunkNumber),
      BadChunkSize: String(badChunkSizeBytes),
    }),
};
