/**
 * Holds AWS requests while a reset replaces the services (app.ts): a closed gate lets the calls
 * already running finish and makes new ones wait until it opens again, so no request ever sees a
 * half-dropped state or a stopped service. The services behind the routed wrappers are read at
 * each call, so a reset swaps them without the HTTP server knowing.
 */
import type { DeepBody } from "../protocol/body-scan.js";
import type { AwsService, RestApi } from "../protocol/aws-service.js";
import type { StreamingApi } from "../protocol/streaming-api.js";

export class ServiceGate {
  private running = 0;
  private opened: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private idle: (() => void) | undefined;

  /** Runs `call` when the gate is open, counting it as running until it settles. */
  async pass<T>(call: () => Promise<T>): Promise<T> {
    while (this.opened !== undefined) await this.opened;
    this.running++;
    try {
      return await call();
    } finally {
      this.running--;
      if (this.running === 0) this.idle?.();
    }
  }

  /** Stops new calls and resolves once the running ones have settled. */
  async close(): Promise<void> {
    this.opened ??= new Promise<void>((resolve) => (this.openGate = resolve));
    if (this.running > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.idle = undefined;
  }

  /** Lets waiting and new calls through. */
  open(): void {
    const release = this.openGate;
    this.opened = undefined;
    this.openGate = undefined;
    release?.();
  }
}

/** A stable service for the HTTP server that calls whichever service `current` names now, through the gate. */
export function gatedService<P>(current: () => AwsService<P>, gate: ServiceGate): AwsService<P> {
  const first = current();
  return {
    targetPrefix: first.targetPrefix,
    ...(first.signingName !== undefined && { signingName: first.signingName }),
    ...(first.dialect !== undefined && { dialect: first.dialect }),
    ...(first.qualifyErrorType !== undefined && { qualifyErrorType: (type: string) => current().qualifyErrorType!(type) }),
    hasAction: (name) => current().hasAction(name),
    ...(first.deepBodyError !== undefined && { deepBodyError: (action: string, deep: DeepBody) => current().deepBodyError!(action, deep) }),
    invoke: (action, body, format, principal, facts) => gate.pass(() => current().invoke(action, body, format, principal, facts)),
  };
}

/** A stable REST API for the HTTP server that calls whichever API `current` names now, through the gate. */
export function gatedRestApi<P>(current: () => RestApi<P>, gate: ServiceGate): RestApi<P> {
  const first = current();
  return {
    pathPrefixes: first.pathPrefixes,
    ...(first.signingName !== undefined && { signingName: first.signingName }),
    ...(first.requestBytesMax !== undefined && { requestBytesMax: first.requestBytesMax }),
    ...(first.tooLargeAnswer !== undefined && { tooLargeAnswer: (request: { method: string; path: string }) => current().tooLargeAnswer!(request) }),
    ...(first.authenticatesItself !== undefined && { authenticatesItself: (request) => current().authenticatesItself?.(request) === true }),
    respond: (request, principal) => gate.pass(() => current().respond(request, principal)),
  };
}

/**
 * A stable streamed API that asks whichever API `current` names now. Claims are read without the
 * gate (headers only); the handling passes through it until the answer is ready to stream.
 */
export function gatedStreamingApi(current: () => StreamingApi, gate: ServiceGate): StreamingApi {
  return {
    claims: (head) => current().claims(head),
    handle: (head, body) => gate.pass(() => current().handle(head, body)),
  };
}
