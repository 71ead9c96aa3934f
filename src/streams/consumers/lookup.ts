/**
 * Finding a consumer. DescribeStreamConsumer and DeregisterStreamConsumer name one by its ARN, or
 * by the stream's ARN and the consumer's name, or by all three as long as they agree (AWS's API
 * reference); SubscribeToShard and the resource-policy actions by its ARN alone.
 */
import type { ConsumerMeta, StreamMeta } from "../model.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { parseConsumerArn } from "./consumer-arn.js";
import { consumersOf } from "./status.js";

export interface ConsumerReference {
  StreamARN?: string;
  ConsumerName?: string;
  ConsumerARN?: string;
}

export interface FoundConsumer {
  meta: StreamMeta;
  consumer: ConsumerMeta;
}

/**
 * The consumer with this ARN and its stream, status as of now; undefined for an ARN that names
 * no consumer, or one whose deregistration (or its stream's deletion) is done.
 *
 * @example
 *   const found = findConsumer(context, input.ConsumerARN);
 *   if (found?.consumer.ConsumerStatus !== "ACTIVE") throw …;
 */
export function findConsumer(context: StreamsContext, consumerArn: string): FoundConsumer | undefined {
  const parsed = parseConsumerArn(consumerArn);
  if (!parsed) return undefined;
  const meta = context.streams.get(parsed.streamName);
  if (!meta) return undefined;
  const consumer = consumersOf(meta, context.clock.nowMs()).find((candidate) => candidate.ConsumerARN === consumerArn);
  return consumer && { meta, consumer };
}

/**
 * The name of the stream a consumer reference names, after checking the reference is complete
 * and agrees with itself. A ConsumerARN of another account or region is refused as a StreamARN is.
 */
export function consumerStreamName(context: StreamsContext, reference: ConsumerReference): string {
  const { ConsumerARN, StreamARN, ConsumerName } = reference;
  if (ConsumerARN !== undefined) {
    const parsed = parseConsumerArn(ConsumerARN);
    if (!parsed) throw streamsErrors.invalidConsumerArn(ConsumerARN);
    const streamName = context.streams.nameOf({ StreamARN: parsed.streamArn });
    if (StreamARN !== undefined && StreamARN !== parsed.streamArn) throw streamsErrors.consumerArnConflict(ConsumerARN, "StreamARN", StreamARN);
    if (ConsumerName !== undefined && ConsumerName !== parsed.consumerName) {
      throw streamsErrors.consumerArnConflict(ConsumerARN, "ConsumerName", ConsumerName);
    }
    return streamName;
  }
  if (StreamARN !== undefined && ConsumerName !== undefined) return context.streams.nameOf({ StreamARN });
  throw streamsErrors.consumerReferenceMissing();
}

/** The consumer a checked reference names among `consumers` (its stream's, as of now), or ResourceNotFoundException. */
export function pickConsumer(context: StreamsContext, meta: StreamMeta, consumers: readonly ConsumerMeta[], reference: ConsumerReference): ConsumerMeta {
  const { accountId } = context;
  if (reference.ConsumerARN !== undefined) {
    const consumerArn = reference.ConsumerARN;
    const found = consumers.find((candidate) => candidate.ConsumerARN === consumerArn);
    if (!found) throw streamsErrors.consumerNotFound(consumerArn, accountId);
    return found;
  }
  const found = consumers.find((candidate) => candidate.ConsumerName === reference.ConsumerName);
  if (!found) throw streamsErrors.consumerNameNotFound(reference.ConsumerName!, meta.StreamName, accountId);
  return found;
}

/** Resolves a consumer reference to the consumer and its stream, or throws AWS's error. */
export function requireConsumer(context: StreamsContext, reference: ConsumerReference): FoundConsumer {
  const streamName = consumerStreamName(context, reference);
  const meta = context.streams.require({ StreamName: streamName });
  const consumer = pickConsumer(context, meta, consumersOf(meta, context.clock.nowMs()), reference);
  return { meta, consumer };
}
