/**
 * The Lambda service's one error catalog. Lambda (restJson1) answers an error with its HTTP
 * status, the `x-amzn-errortype` header and a JSON body `{"Type":"User","message":"…"}`
 * (src/lambda/respond.ts writes it). Build errors through the named factories below; a factory
 * that is missing is added here.
 */
export class LambdaError extends Error {
  constructor(
    /** The wire type: ResourceNotFoundException, InvalidParameterValueException… */
    readonly type: string,
    message: string,
    readonly statusCode: number,
    /** "User" for the caller's mistakes, "Service" for ours (Lambda's Type member). */
    readonly kind: "User" | "Service" = statusCode >= 500 ? "Service" : "User",
    /** Extra members of the body (TooManyRequestsException's Reason, retryAfterSeconds…). */
    readonly extra: Readonly<Record<string, string>> = {},
    /** Extra response headers (Retry-After). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = type;
  }
}

/** The runtimes Lambda has retired for creating and updating functions (InvalidParameterValueException). */
export function runtimeDeprecatedMessage(runtime: string): string {
  return `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`;
}

export const lambdaErrors = {
  resourceNotFound: (message: string) => new LambdaError("ResourceNotFoundException", message, 404),
  /** GetFunction, Invoke… on a function, version or alias that does not exist. */
  functionNotFound: (arn: string) => new LambdaError("ResourceNotFoundException", `Function not found: ${arn}`, 404),
  aliasNotFound: (aliasArn: string) => new LambdaError("ResourceNotFoundException", `Cannot find alias arn: ${aliasArn}`, 404),
  layerVersionNotFound: (layerVersionArn: string) => new LambdaError("ResourceNotFoundException", `Layer version ${layerVersionArn} does not exist.`, 404),
  /** A full ARN naming another region than the server's. */
  otherRegion: (arnRegion: string, region: string) =>
    new LambdaError("ResourceNotFoundException", `Functions from '${arnRegion}' are not reachable in this region ('${region}')`, 404),
  resourceConflict: (message: string) => new LambdaError("ResourceConflictException", message, 409),
  /** Invoke (and changes) while a creation is settling: the function is Pending (recorded from AWS). */
  functionNotActive: (state: string) =>
    new LambdaError("ResourceConflictException", `The operation cannot be performed at this time. The function is currently in the following state: ${state}`, 409),
  /** A change while the last update is still InProgress (recorded from AWS). */
  updateInProgress: (functionArn: string) =>
    new LambdaError("ResourceConflictException", `The operation cannot be performed at this time. An update is in progress for resource: ${functionArn}`, 409),
  functionExists: (name: string) => new LambdaError("ResourceConflictException", `Function already exist: ${name}`, 409),
  aliasExists: (aliasArn: string) => new LambdaError("ResourceConflictException", `Alias already exists: ${aliasArn}`, 409),
  invalidParameterValue: (message: string) => new LambdaError("InvalidParameterValueException", message, 400),
  /** A member outside its constraint, worded as Lambda's model validation words it ("1 validation error detected: …"). */
  validation: (messages: readonly string[]) =>
    new LambdaError("ValidationException", `${messages.length} validation error${messages.length === 1 ? "" : "s"} detected: ${messages.join("; ")}`, 400),
  /** A body that is not JSON (and Invoke's payload that is not JSON). */
  invalidRequestContent: (message: string) => new LambdaError("InvalidRequestContentException", message, 400),
  /** RevisionId given and not the current one. */
  preconditionFailed: (api = "GetFunction/GetAlias") =>
    new LambdaError(
      "PreconditionFailedException",
      `The Revision Id provided does not match the latest Revision Id. Call the ${api} API to retrieve the latest Revision Id`,
      412,
    ),
  tooManyRequests: (message: string, reason: string) =>
    new LambdaError("TooManyRequestsException", message, 429, "User", { Reason: reason }, { "retry-after": "1" }),
  requestTooLarge: (message: string) => new LambdaError("RequestTooLargeException", message, 413),
  /**
   * What Lambda actually answers for a request or payload past its bound (recorded: "Request must
   * be smaller than 6291456 bytes for the InvokeFunction operation"), though its model also names
   * RequestTooLargeException.
   */
  requestEntityTooLarge: (message: string) => new LambdaError("RequestEntityTooLargeException", message, 413),
  unsupportedMediaType: (message: string) => new LambdaError("UnsupportedMediaTypeException", message, 415),
  accessDenied: (message: string) => new LambdaError("AccessDeniedException", message, 403),
  /** A route that is none of Lambda's operations. */
  unknownOperation: () => new LambdaError("UnknownOperationException", "Unknown operation", 404),
  /** Functions are off on this server (`--functions off`): nothing runs. */
  functionsDisabled: () =>
    new LambdaError("ServiceException", "Functions are disabled on this server (--functions off): the function was not run.", 500, "Service"),
  /** Anything unexpected: never a crash, never an empty 500. */
  service: (message = "An internal error occurred.") => new LambdaError("ServiceException", message, 500, "Service"),
};
