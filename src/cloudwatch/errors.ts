/**
 * CloudWatch's wire errors (docs/cloudwatch.md, "Errors"). CloudWatch is an awsQuery service that
 * also speaks JSON 1.0 and RPC v2 CBOR under the awsQueryCompatible trait, so every error has two
 * names: its query `Code` (`InvalidParameterValue`, what the AWS CLI prints and the
 * `x-amzn-query-error: Code;Sender` header carries) and, in JSON and CBOR, the `__type` of its
 * model shape (`com.amazonaws.cloudwatch#InvalidParameterValueException`). Errors the model does
 * not name (ValidationError, AccessDenied, the authentication ones) carry Coral's own types.
 *
 * Texts are CloudWatch's where a real answer is on record (the sources are in docs/cloudwatch.md);
 * the few this server had to word itself say so there.
 */
import { ServiceError } from "../protocol/service-error.js";

export type Fault = "Sender" | "Receiver";

export class CloudWatchError extends ServiceError {
  constructor(
    /** The query protocol's `Code`. */
    readonly code: string,
    /** The JSON/CBOR `__type`. */
    type: string,
    message: string,
    statusCode: number,
    readonly fault: Fault = statusCode >= 500 ? "Receiver" : "Sender",
    options?: { cause?: unknown },
  ) {
    super(type, message, statusCode, options);
  }
}

const modelled = (name: string) => `com.amazonaws.cloudwatch#${name}`;

/** The statistics GetMetricStatistics' Statistics names, in the order CloudWatch lists them in its message. */
export const statisticNames = ["Minimum", "Maximum", "Average", "SampleCount", "Sum"] as const;

export const cloudWatchErrors = {
  invalidParameterValue: (message: string) => new CloudWatchError("InvalidParameterValue", modelled("InvalidParameterValueException"), message, 400),
  missingParameter: (message: string) => new CloudWatchError("MissingParameter", modelled("MissingRequiredParameterException"), message, 400),
  invalidParameterCombination: (message: string) =>
    new CloudWatchError("InvalidParameterCombination", modelled("InvalidParameterCombinationException"), message, 400),
  invalidNextToken: (message: string) => new CloudWatchError("InvalidNextToken", modelled("InvalidNextToken"), message, 400),
  /** GetMetricData's checks: one line per problem, each ending in a newline, as CloudWatch sends them. */
  validation: (lines: readonly string[]) =>
    new CloudWatchError("ValidationError", "com.amazon.coral.validate#ValidationException", lines.map((line) => `${line}\n`).join(""), 400),
  /** A value of the wrong type for its member (a JSON string where a number belongs). */
  serialization: (message: string) => new CloudWatchError("SerializationException", "com.amazon.coral.service#SerializationException", message, 400),
  tooManyDatapoints: (requested: number, limit: number) =>
    new CloudWatchError(
      "InvalidParameterCombination",
      modelled("InvalidParameterCombinationException"),
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${limit}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
      400,
    ),
  accessDenied: (principalArn: string, iamAction: string, explicit: boolean) =>
    new CloudWatchError(
      "AccessDenied",
      "com.amazon.coral.service#AccessDeniedException",
      `User: ${principalArn} is not authorized to perform: ${iamAction} ` +
        (explicit ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${iamAction} action`),
      403,
    ),
  invalidAction: (action: string) =>
    new CloudWatchError("InvalidAction", "com.amazon.coral.service#InvalidActionException", `The action ${action} is not valid for this web service.`, 400),
  missingAction: () => new CloudWatchError("MissingAction", "com.amazon.coral.service#MissingActionException", "Missing Action", 400),
  unknownOperation: (operation: string) =>
    new CloudWatchError("UnknownOperationException", "com.amazon.coral.service#UnknownOperationException", `The operation ${operation} is not supported by this server.`, 400),
  tooLarge: (bytesMax: number) =>
    new CloudWatchError("RequestEntityTooLarge", "com.amazon.coral.service#RequestEntityTooLargeException", `Request body exceeds the maximum size of ${bytesMax} bytes.`, 413),
  internal: (cause: unknown) => new CloudWatchError("InternalServiceError", modelled("InternalServiceFault"), "Internal service error.", 500, "Receiver", { cause }),
};

/**
 * An authentication failure from the shared SigV4 authenticator (src/auth/sigv4: Kinesis-style
 * JSON types) as a query service answers it: the query codes STS, IAM and CloudWatch use, 403 but
 * for an incomplete signature.
 */
export function asCloudWatchAuthError(error: ServiceError): CloudWatchError {
  const message = error.wireMessage ?? error.type;
  switch (error.type) {
    case "MissingAuthenticationTokenException":
      return new CloudWatchError("MissingAuthenticationToken", "com.amazon.coral.service#MissingAuthenticationTokenException", message, 403);
    case "IncompleteSignatureException":
      return new CloudWatchError("IncompleteSignature", "com.amazon.coral.service#IncompleteSignatureException", message, 400);
    case "UnrecognizedClientException":
      return new CloudWatchError("InvalidClientTokenId", "com.amazon.coral.service#UnrecognizedClientException", message, 403);
    case "InvalidSignatureException":
      return new CloudWatchError("SignatureDoesNotMatch", "com.amazon.coral.service#InvalidSignatureException", message, 403);
    default:
      return new CloudWatchError(error.type, error.type, message, error.statusCode);
  }
}
