/**
 * The authentication errors AWS answers for Kinesis, with its types and wording (kinesalite's
 * connection tests record the missing/incomplete ones; the rest as AWS's Coral front end sends
 * them). Every one is a 400 in the request's wire format, like any other service error. They are
 * the same for every AWS service, so they live beside the verifier rather than in one service's
 * catalog.
 *
 * No message here carries a secret: the mismatch message shows the canonical request with the
 * session token's value blanked out, and echoed Authorization headers have long signatures cut.
 */
import { ServiceError } from "../../protocol/service-error.js";

export const authErrors = {
  missingAuthenticationToken: () => new ServiceError("MissingAuthenticationTokenException", "Missing Authentication Token", 400),
  incompleteSignature: (message: string) => new ServiceError("IncompleteSignatureException", message, 400),
  invalidSignature: (message: string) => new ServiceError("InvalidSignatureException", message, 400),
  /** `quotedName`: `'Host' or ':authority'`, `'X-Amz-Target'`, `'x-amz-security-token'`… (parse.ts says whose texts). */
  mustBeSigned: (quotedName: string) => new ServiceError("InvalidSignatureException", `${quotedName} must be a 'SignedHeader' in the AWS Authorization.`, 400),
  headerAndQuery: () =>
    new ServiceError("InvalidSignatureException", "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.", 400),
  signatureMismatch: (canonicalRequest: string, stringToSign: string) =>
    new ServiceError(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. " +
        "Consult the service documentation for details.\n\n" +
        `The Canonical String for this request should have been\n'${canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${stringToSign}'\n`,
      400,
    ),
  signatureExpired: (signedStamp: string, earliestStamp: string, nowStamp: string, window: string) =>
    new ServiceError("InvalidSignatureException", `Signature expired: ${signedStamp} is now earlier than ${earliestStamp} (${nowStamp} - ${window}.)`, 400),
  signatureNotYetCurrent: (signedStamp: string, latestStamp: string, nowStamp: string) =>
    new ServiceError("InvalidSignatureException", `Signature not yet current: ${signedStamp} is still later than ${latestStamp} (${nowStamp} + 5 min.)`, 400),
  unrecognizedClient: () => new ServiceError("UnrecognizedClientException", "The security token included in the request is invalid.", 400),
};

/** The bodies AWS sends when the request is not even a JSON/CBOR call (non-POST, unknown content type). */
export const missingAuthenticationTokenXml =
  "<MissingAuthenticationTokenException>\n  <Message>Missing Authentication Token</Message>\n</MissingAuthenticationTokenException>\n";
