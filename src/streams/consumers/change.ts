/**
 * Changes to a stream's consumers. Consumers live in their stream's catalog entry, so a change is
 * a read-modify-write of the whole entry and runs in the stream's `exclusive` queue, after any
 * earlier change to the stream (another registration, a tag change, a reshard taking effect).
 */
import type { ConsumerMeta, StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import { consumersOf, isRegistered, withConsumers } from "./status.js";

export interface ConsumersChange<T> {
  /** The stream's consumers after the change; undefined when nothing changed (nothing is stored). */
  consumers?: ConsumerMeta[];
  result: T;
}

/**
 * Applies `change` to the stream's consumers as of now (deregistrations that are done already
 * dropped) and stores the result. `change` throws AWS's error to refuse; nothing is stored then.
 */
export async function changeConsumers<T>(
  context: StreamsContext,
  streamName: string,
  change: (meta: StreamMeta, consumers: ConsumerMeta[], nowMs: number) => ConsumersChange<T>,
): Promise<T> {
  return context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require({ StreamName: streamName });
    const nowMs = context.clock.nowMs();
    const outcome = change(meta, consumersOf(meta, nowMs), nowMs);
    if (outcome.consumers !== undefined) await context.streams.put(withConsumers(meta, outcome.consumers));
    return outcome.result;
  });
}

/**
 * DeleteStream with EnforceConsumerDeletion: every consumer starts deregistering, due no later
 * than the stream's own deletion. (Once the stream is gone, so are they, whatever they store.)
 */
export function deregisterAll(consumers: readonly ConsumerMeta[], dueAtMs: number): ConsumerMeta[] {
  return consumers.map((consumer) => ({
    ...consumer,
    ConsumerStatus: "DELETING",
    statusDueAtMs: isRegistered(consumer) ? dueAtMs : Math.min(consumer.statusDueAtMs, dueAtMs),
  }));
}

/** Consumers in CREATING across the account, as of `nowMs`. */
export function creatingCount(context: StreamsContext, nowMs: number): number {
  let count = 0;
  for (const meta of context.streams.list()) {
    for (const consumer of consumersOf(meta, nowMs)) if (consumer.ConsumerStatus === "CREATING") count++;
  }
  return count;
}
