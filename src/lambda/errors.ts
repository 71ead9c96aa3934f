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

export const lambdaErrors = {
  resourceNotFound: (message: string) => new LambdaError("ResourceNotFoundException", message, 404),
  resourceConflict: (message: string) => new LambdaError("ResourceConflictException", message, 409),
  invalidParameterValue: (message: string) => new LambdaError("InvalidParameterValueException", message, 400),
  tooManyRequests: (message: string, reason: string) =>
    new LambdaError("TooManyRequestsException", message, 429, "User", { Reason: reason }, { "retry-after": "1" }),
  requestTooLarge: (message: string) => new LambdaError("RequestTooLargeException", message, 413),
  /** Anything unexpected: never a crash, never an empty 500. */
  service: (message = "An internal error occurred.") => new LambdaError("ServiceException", message, 500, "Service"),
};
