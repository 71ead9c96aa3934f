/**
 * The Kinesis Data Streams error catalog: every wire error the service sends is built here, with
 * AWS's type, status and wording. Actions call these factories; they never build messages inline.
 */
import { ServiceError } from "../protocol/service-error.js";

export { ServiceError };

export const streamsErrors = {
  unknownOperation: () => new ServiceError("UnknownOperationException", undefined, 400),
  serialization: (message?: string) => new ServiceError("SerializationException", message, 400),
  validation: (message: string) => new ServiceError("ValidationException", message, 400),
  streamNotFound: (streamName: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Stream ${streamName} under account ${accountId} not found.`, 400),
  shardNotFound: (shardId: string, streamName: string, accountId: string) =>
    new ServiceError("ResourceNotFoundException", `Shard ${shardId} in stream ${streamName} under account ${accountId} does not exist`, 400),
  resourceNotFound: (message: string) => new ServiceError("ResourceNotFoundException", message, 400),
  resourceInUse: (message: string) => new ServiceError("ResourceInUseException", message, 400),
  streamInUse: (streamName: string, accountId: string) =>
    new ServiceError("ResourceInUseException", `Stream ${streamName} under account ${accountId} already exists.`, 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceededException", message, 400),
  invalidArgument: (message: string) => new ServiceError("InvalidArgumentException", message, 400),
  expiredIterator: (message: string) => new ServiceError("ExpiredIteratorException", message, 400),
  throughputExceeded: (message: string) => new ServiceError("ProvisionedThroughputExceededException", message, 400),
  accessDenied: (message: string) => new ServiceError("AccessDeniedException", message, 400),
  /** Storage could not make a write durable (disk full, I/O error): retriable. */
  storageUnavailable: (cause: unknown) =>
    new ServiceError("InternalFailure", "The service could not store the request. Please retry the request.", 500, { cause }),
} as const;
