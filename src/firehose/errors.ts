/**
 * Firehose's wire errors (docs/firehose.md, "Errors"): one catalog of named factories with the
 * service's own texts. Firehose speaks JSON 1.1 with unqualified `__type`s; every error answers
 * HTTP 400 except ServiceUnavailableException (503) and the internal failure (500).
 */
import { ServiceError } from "../protocol/service-error.js";

export const firehoseErrors = {
  resourceNotFound: (name: string, accountId: string) => new ServiceError("ResourceNotFoundException", `Firehose ${name} under account ${accountId} not found.`, 400),
  resourceInUse: (name: string, accountId: string) => new ServiceError("ResourceInUseException", `Firehose ${name} under accountId ${accountId} already exists`, 400),
  /** A change to a stream that is not ACTIVE (still CREATING, or DELETING). */
  notActive: (name: string, status: string) => new ServiceError("ResourceInUseException", `Firehose ${name} is not in the ACTIVE state (current state: ${status}).`, 400),
  invalidArgument: (message: string) => new ServiceError("InvalidArgumentException", message, 400),
  oneDestination: () => new ServiceError("InvalidArgumentException", "Exactly one destination configuration is supported for a Firehose", 400),
  putOnKinesisSource: () => new ServiceError("InvalidArgumentException", "This operation is not permitted on KinesisStreamAsSource delivery stream type.", 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceededException", message, 400),
  concurrentModification: (name: string, currentVersionId: string, givenVersionId: string) =>
    new ServiceError("ConcurrentModificationException", `Cannot update firehose: ${name} since the current version id: ${currentVersionId} and specified version id: ${givenVersionId} do not match`, 400),
  /** The delivery stream's undelivered backlog is past its bound: Firehose's throttle. */
  slowDown: () => new ServiceError("ServiceUnavailableException", "Slow down.", 503),
  validation: (message: string) => new ServiceError("ValidationException", message, 400),
  internal: (cause: unknown) => new ServiceError("InternalFailure", "An internal error occurred. Please retry the request.", 500, { cause }),
  storageUnavailable: (cause: unknown) => new ServiceError("ServiceUnavailableException", "The service is unavailable. Back off and retry the operation.", 503, { cause }),
};
