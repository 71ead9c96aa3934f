/**
 * Kinesis Data Analytics' wire errors (docs/analytics/api.md, "Errors"): one catalog of named
 * factories with the service's texts. The service speaks JSON 1.1 with unqualified `__type`s; every
 * error answers HTTP 400 except ServiceUnavailableException (503) and the internal failure (500).
 */
import { ServiceError } from "../protocol/service-error.js";
import type { SqlCompileError } from "./sql/types.js";

export const analyticsErrors = {
  notFound: (name: string) => new ServiceError("ResourceNotFoundException", `Application ${name} is not found.`, 400),
  arnNotFound: (arn: string) => new ServiceError("ResourceNotFoundException", `Resource ${arn} is not found.`, 400),
  /** An input, output, reference data source or logging option id the application does not have. */
  itemNotFound: (what: string, id: string, name: string) => new ServiceError("ResourceNotFoundException", `${what} id ${id} is not found in application ${name}.`, 400),
  alreadyExists: (name: string) => new ServiceError("ResourceInUseException", `Application ${name} already exists.`, 400),
  /** An action the application's status does not allow (StartApplication while RUNNING, an update while STARTING). */
  inUse: (name: string, status: string) => new ServiceError("ResourceInUseException", `Application ${name} is in ${status} state, operation is not allowed in this state.`, 400),
  versionMismatch: (name: string, current: number, given: number) =>
    new ServiceError("ConcurrentModificationException", `Application ${name} has been updated concurrently: the current version is ${current}, the version given is ${given}.`, 400),
  concurrentToken: (name: string) => new ServiceError("ConcurrentModificationException", `The ConditionalToken given for application ${name} does not match its current one.`, 400),
  createTimestampMismatch: (name: string) => new ServiceError("ResourceNotFoundException", `Application ${name} with the given create timestamp is not found.`, 400),
  invalidArgument: (message: string) => new ServiceError("InvalidArgumentException", message, 400),
  invalidConfiguration: (message: string) => new ServiceError("InvalidApplicationConfigurationException", message, 400),
  limitExceeded: (message: string) => new ServiceError("LimitExceededException", message, 400),
  tooManyTags: (message: string) => new ServiceError("TooManyTagsException", message, 400),
  unsupported: (message: string) => new ServiceError("UnsupportedOperationException", message, 400),
  /** An application of the other API (a v2 SQL application named in a v1 call). */
  otherApi: (name: string) =>
    new ServiceError("UnsupportedOperationException", `${name} was created/updated by kinesisanalyticsv2 SDK. Please use kinesisanalyticsv2 SDK to make changes to ${name}.`, 400),
  code: (error: SqlCompileError) => new ServiceError("CodeValidationException", codeMessage(error), 400),
  /** AWS's answer also lists the raw records it sampled; the envelope here carries the message only. */
  unableToDetectSchema: (message: string) => new ServiceError("UnableToDetectSchemaException", message, 400),
  throughputExceeded: (message: string) => new ServiceError("ResourceProvisionedThroughputExceededException", message, 400),
  internal: (cause: unknown) => new ServiceError("InternalFailure", "An internal error occurred. Please retry the request.", 500, { cause }),
  storageUnavailable: (cause: unknown) => new ServiceError("ServiceUnavailableException", "The service is unavailable. Back off and retry the operation.", 503, { cause }),
};

/** The service names where the code is wrong: the line and column of the first error. */
export function codeMessage(error: SqlCompileError): string {
  const position = error.position;
  if (position === undefined || /\bline \d+/i.test(error.message)) return error.message;
  return `SQL error at line ${position.line}, column ${position.column}: ${error.message}`;
}
