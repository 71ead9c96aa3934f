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
