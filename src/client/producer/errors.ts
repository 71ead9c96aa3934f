/**
 * Why a record was not written. `code` is the PutRecords entry's ErrorCode
 * (ProvisionedThroughputExceededException, InternalFailure, KMS…), the name of the error a whole
 * call failed with (ResourceNotFoundException, AccessDeniedException, …), or one of the
 * producer's own: InvalidRecord, ProducerClosed, ShardMapUnavailable.
 */
export class ProducerError extends Error {
  override name = "ProducerError";
  constructor(
    readonly code: string,
    message: string,
    /** How many times the record was sent (0 if never). */
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Entry ErrorCodes and call errors worth another attempt: throttling and the service's own failures. */
const retriableCodes = new Set([
  "ProvisionedThroughputExceededException",
  "LimitExceededException",
  "ThrottlingException",
  "InternalFailure",
  "InternalFailureException",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  "KMSThrottlingException",
  "RequestTimeout",
  "RequestTimeoutException",
]);

export function isRetriableCode(code: string): boolean {
  return retriableCodes.has(code);
}

/** Whether a failed call (an SDK exception or a network error) may succeed if sent again. */
export function isRetriableCallError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata, $retryable } = error as { name?: string; code?: unknown; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  if (name !== undefined && isRetriableCode(name)) return true;
  if ($retryable) return true;
  const status = $metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500;
  // No answer at all: a socket error (ECONNRESET, ECONNREFUSED, …) or a timeout is worth a retry;
  // anything else (a TypeError from a bug) is not.
  return typeof code === "string" || name === "TimeoutError";
}
