/**
 * Runs an event stream answer (src/protocol/event-stream-output.ts) on an HTTP response: HTTP/2
 * (what the SDKs use) or HTTP/1.1 with chunked transfer encoding (what boto3 and clients that
 * speak plain HTTP/1.1 use — AWS streams SubscribeToShard to them too, though it documents
 * HTTP/2 only).
 *
 * Backpressure: a write the transport cannot take at once (`write()` returned false: the HTTP/2
 * stream's flow-control window or the socket is full) holds the next `send` until 'drain', so a
 * subscriber that stops reading holds at most one event in memory and stalls only its own
 * stream; others on the same connection carry on.
 */
import type { ServerResponse } from "node:http";
import { constants, type Http2ServerResponse } from "node:http2";
import { frameEvent, frameException, type EventSink } from "../protocol/event-stream-output.js";
import type { EventStreamToRun } from "../protocol/respond.js";
import { ServiceError, internalFailure } from "../protocol/service-error.js";
import type { Logger } from "../util/logger.js";
import { systemClock, type Clock } from "../util/clock.js";

type AnyResponse = ServerResponse | Http2ServerResponse;

/** How long a stopping server lets an ended event stream flush before it resets it. */
export const eventStreamStopGraceMs = 1_000;

/** One event stream being served. */
export interface OpenEventStream {
  /**
   * The server is stopping: abort the run and end the stream now — cleanly when the client reads
   * what was written, by a reset after eventStreamStopGraceMs when it does not (it would never drain).
   */
  stop(): void;
  /** Resolves when the response has closed. */
  readonly closed: Promise<void>;
}

/** The signal's reason when the client went away. */
export class EventStreamClosedError extends Error {
  override name = "AbortError";
}

/**
 * Sends the 200 headers at once (so the client sees the answer before the first event), then
 * runs the stream. Never throws: failures of `run` become exception messages.
 */
export function openEventStream(
  response: AnyResponse,
  headers: Record<string, string>,
  stream: EventStreamToRun,
  logger: Logger,
  /** The transport's clock, for the stop grace (wall time against the reader). */
  clock: Clock = systemClock,
): OpenEventStream {
  const controller = new AbortController();
  const signal = controller.signal;
  let ended = false;
  let closedFlag = false;
  let drainWaiter: Promise<void> | undefined;
  let exceptionSent: ServiceError | undefined;

  const closed = new Promise<void>((resolve) => {
    response.once("close", () => {
      closedFlag = true;
      if (!signal.aborted) controller.abort(new EventStreamClosedError("the client closed the event stream"));
      resolve();
    });
  });

  const end = () => {
    if (ended) return;
    ended = true;
    if (!closedFlag) response.end();
  };

  /** Resolves once the transport has room again; rejects when the stream is aborted first. */
  const drained = (): Promise<void> => {
    drainWaiter ??= new Promise<void>((resolve, reject) => {
      const settle = () => {
        response.off("drain", onDrain);
        signal.removeEventListener("abort", onAbort);
        drainWaiter = undefined;
      };
      const onDrain = () => {
        settle();
        resolve();
      };
      const onAbort = () => {
        settle();
        reject(signal.reason);
      };
      response.on("drain", onDrain);
      signal.addEventListener("abort", onAbort);
    });
    return drainWaiter;
  };

  const write = (frame: Buffer): Promise<void> => {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (ended) return Promise.reject(new Error(`${stream.action}: an event was sent after its event stream ended`));
    return (response as ServerResponse).write(frame) ? Promise.resolve() : drained();
  };

  const sink: EventSink = {
    send: (eventType, payload) => {
      if (signal.aborted) return Promise.reject(signal.reason);
      try {
        return write(frameEvent(stream.format, eventType, payload));
      } catch (error) {
        // A payload the codec cannot encode: the caller's promise says so, as for any failed send.
        return Promise.reject(error);
      }
    },
    sendException: async (error) => {
      exceptionSent = error;
      logError(logger, stream, error);
      const written = write(frameException(stream.format, error));
      end();
      await written;
    },
  };

  (response as ServerResponse).writeHead(200, headers);
  // Both response kinds have it; the HTTP/2 one is missing from @types/node.
  (response as ServerResponse).flushHeaders();

  Promise.resolve()
    .then(() => stream.output.run(sink, signal))
    .then(
      () => end(),
      (error: unknown) => {
        // Once aborted the stream is gone or being stopped: whatever the run throws on its way
        // out (the rejected send, most often) has nobody to go to.
        if (signal.aborted || ended) {
          if (!signal.aborted && error !== exceptionSent) logger.error({ err: error, action: stream.action, requestId: stream.requestId }, "event stream failed after it ended");
          return;
        }
        const wireError = error instanceof ServiceError ? error : internalFailure(error);
        if (error instanceof ServiceError) logError(logger, stream, wireError);
        else logger.error({ err: error, action: stream.action, requestId: stream.requestId }, "event stream failed");
        void write(frameException(stream.format, wireError)).catch(() => {});
        end();
      },
    );

  return {
    closed,
    stop() {
      if (closedFlag) return;
      if (!signal.aborted) controller.abort(new EventStreamClosedError("the server is stopping"));
      end();
      // A reader gets what was written and a clean end; one that has stopped reading would hold
      // the stop until the drain bound, so it is reset instead.
      const timer = clock.setTimeout(() => reset(response), eventStreamStopGraceMs, { unref: true });
      void closed.then(() => clock.clearTimer(timer));
    },
  };
}

/** Ends the stream abruptly: RST_STREAM (CANCEL) on HTTP/2 — the connection's other streams go on — or the connection on HTTP/1.1. */
function reset(response: AnyResponse): void {
  if ("stream" in response) response.stream.close(constants.NGHTTP2_CANCEL);
  else response.destroy();
}

function logError(logger: Logger, stream: EventStreamToRun, error: ServiceError): void {
  if (error.statusCode < 500) return;
  if (error.injected) logger.debug({ type: error.type, action: stream.action, requestId: stream.requestId }, "injected fault answered");
  else logger.error({ err: error.cause ?? error, action: stream.action, requestId: stream.requestId }, "event stream failed");
}
