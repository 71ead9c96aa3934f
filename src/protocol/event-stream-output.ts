/**
 * Event stream answers (SubscribeToShard): an action returns an `EventStreamOutput` instead of a
 * plain output, the pipeline answers HTTP 200 with `application/vnd.amazon.eventstream`, and the
 * server runs it with a sink that frames each event (src/protocol/eventstream.ts) and writes it
 * to the response with backpressure (src/server/event-stream-response.ts).
 *
 * What goes on the wire, as AWS sends it to the SDKs:
 * - an event: `:message-type` event, `:event-type` (`initial-response`, `SubscribeToShardEvent`),
 *   `:content-type` `application/json` (or `application/cbor` for a CBOR request), and the
 *   event's members as the payload in the request's wire format;
 * - an error: `:message-type` exception, `:exception-type` the error's type (`ResourceInUseException`),
 *   the same `:content-type`, and `{"message": …}` as the payload. The SDK for JavaScript
 *   v3 throws it from the event iterator as the modelled exception.
 */
import { encodeCbor } from "./cbor-codec.js";
import { encodeJson } from "./json-codec.js";
import { encodeEventMessage } from "./eventstream.js";
import type { ServiceError } from "./service-error.js";
import type { WireFormat } from "./wire-format.js";

export const eventStreamContentType = "application/vnd.amazon.eventstream";

/** Where an event stream's events go. */
export interface EventSink {
  /**
   * Serialises `payload` in the request's wire format (Dates, Buffers and self-encoding members
   * as in any response), frames it as an `eventType` event and writes it. Resolves once the
   * transport has room for more, so a reader that stops reading stalls only its own stream;
   * rejects with the signal's reason once the stream is aborted (the server drops that error).
   * Events go out in the order of the calls.
   */
  send(eventType: string, payload: Record<string, unknown>): Promise<void>;
  /** Sends `error` as an exception message; the stream ends after it (nothing more is written). */
  sendException(error: ServiceError): Promise<void>;
}

/**
 * What an action returns when its answer is an event stream. The server sends the HTTP 200
 * headers, then calls `run`: its first `send` is the `initial-response` event. When `run`
 * resolves the stream ends; a ServiceError it throws goes out as an exception message (anything
 * else as InternalFailureException, and is logged). `signal` aborts when the client resets or
 * closes the stream, or the server stops.
 *
 * @example
 * return new EventStreamOutput(async (sink, signal) => {
 *   await sink.send("initial-response", {});
 *   while (!signal.aborted) await sink.send("SubscribeToShardEvent", await nextEvent(signal));
 * });
 */
export class EventStreamOutput {
  constructor(readonly run: (sink: EventSink, signal: AbortSignal) => Promise<void>) {}
}

/** The `:content-type` of event payloads in each wire format. */
export function eventPayloadContentType(format: WireFormat): string {
  return format === "json" ? "application/json" : "application/cbor";
}

/** One event, framed. */
export function frameEvent(format: WireFormat, eventType: string, payload: Record<string, unknown>): Buffer {
  const body = format === "json" ? encodeJson(payload) : encodeCbor(payload);
  return encodeEventMessage({ ":message-type": "event", ":event-type": eventType, ":content-type": eventPayloadContentType(format) }, body);
}

/**
 * An error, framed as an exception message. The event stream's errors are modelled with AWS's
 * exception names, so InternalFailure (the RPC error type) is sent as InternalFailureException,
 * the member the SDKs know.
 */
export function frameException(format: WireFormat, error: ServiceError): Buffer {
  const payload: Record<string, string> = {};
  if (error.wireMessage !== undefined) payload.message = error.wireMessage;
  const body = format === "json" ? encodeJson(payload) : encodeCbor(payload);
  const exceptionType = error.type === "InternalFailure" ? "InternalFailureException" : error.type;
  return encodeEventMessage({ ":message-type": "exception", ":exception-type": exceptionType, ":content-type": eventPayloadContentType(format) }, body);
}
