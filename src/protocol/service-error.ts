/**
 * A wire error: what the client receives as `{__type, message}` with an HTTP status. Services
 * build these through their error catalog's named factories (streams/errors.ts), never by hand.
 */
export class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string | undefined,
    readonly statusCode: number = 400,
    options?: { cause?: unknown; injected?: boolean },
  ) {
    super(message ?? type, options);
    this.name = type;
    this.wireMessage = message;
    this.injected = options?.injected === true;
  }
  /** The message as sent; AWS omits it for some errors (SerializationException on bad JSON). */
  readonly wireMessage: string | undefined;
  /** Raised on purpose by fault injection rather than by a failure: logged at debug, not as an error. */
  readonly injected: boolean;
}

/** The last-resort answer for anything unexpected: never a crash, never an empty 500. */
export function internalFailure(cause: unknown): ServiceError {
  return new ServiceError("InternalFailure", "An internal error occurred. Please retry the request.", 500, { cause });
}
