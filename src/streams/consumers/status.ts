/**
 * A consumer's status as clients see it. The catalog stores the status with the time its next
 * transition falls due; reads apply a due transition (CREATING → ACTIVE, DELETING → gone), as the
 * stream registry does for streams, so a client sees ACTIVE the moment the delay has passed. The
 * next change to the stream's consumers stores what reads already showed.
 */
import type { ConsumerMeta, StreamMeta } from "../model.js";

/** The consumer as of `nowMs`, or undefined once its deregistration is done. */
export function consumerAsOf(consumer: ConsumerMeta, nowMs: number): ConsumerMeta | undefined {
  if (nowMs < consumer.statusDueAtMs) return consumer;
  switch (consumer.ConsumerStatus) {
    case "CREATING":
      return { ...consumer, ConsumerStatus: "ACTIVE" };
    case "DELETING":
      return undefined;
    default:
      return consumer;
  }
}

/** The stream's consumers as of `nowMs`, in the order registered. */
export function consumersOf(meta: StreamMeta, nowMs: number): ConsumerMeta[] {
  const out: ConsumerMeta[] = [];
  for (const consumer of meta.consumers ?? []) {
    const seen = consumerAsOf(consumer, nowMs);
    if (seen) out.push(seen);
  }
  return out;
}

/** Consumers that hold on to a stream: those not being deregistered (ConsumerCount counts all). */
export function isRegistered(consumer: ConsumerMeta): boolean {
  return consumer.ConsumerStatus !== "DELETING";
}

/** The stream with `consumers` as its consumer list; the member is left out when there are none. */
export function withConsumers(meta: StreamMeta, consumers: ConsumerMeta[]): StreamMeta {
  const { consumers: _previous, ...rest } = meta;
  return consumers.length === 0 ? rest : { ...rest, consumers };
}
