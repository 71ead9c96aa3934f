/**
 * SubscribeToShard: a registered, ACTIVE consumer's 5-minute subscription to one shard, answered
 * as an event stream (src/protocol/event-stream-output.ts) pushed from the shard's log as records
 * become durable (streams/subscriptions).
 *
 * Checked in this order, each failure a plain error answer: the consumer exists
 * (ResourceNotFoundException) and is ACTIVE (ResourceInUseException); the shard exists; the
 * StartingPosition, by GetShardIterator's rules and with its messages (AWS answers SubscribeToShard
 * with GetShardIterator's texts: KCL issue #391 quotes "Invalid StartingSequenceNumber. It encodes
 * …" from SubscribeToShard); then AWS's 5-second rule for the consumer and shard, across every node
 * sharing the engine. From the initial-response on, errors travel as exception messages.
 */
import { defineAction } from "../action.js";
import { consumerResource } from "../authorization/action-resources.js";
import { DryRun, SequenceNumber, ShardId, StreamId } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { ConsumerARN, createdSeconds, findConsumer } from "../consumers/index.js";
import { continuationBefore, runSubscription } from "../subscriptions/index.js";
import { iteratorTypes, shardAt, startOffset, type ShardAt, type ShardIteratorType } from "./get-shard-iterator.js";
import { EventStreamOutput } from "../../protocol/event-stream-output.js";

interface SubscribeToShardInput {
  ConsumerARN: string;
  ShardId: string;
  StartingPosition: {
    Type: ShardIteratorType;
    SequenceNumber?: string;
    /** Epoch milliseconds (the shape checker converts both wire forms). */
    Timestamp?: number;
  };
  DryRun?: boolean;
}

export const subscribeToShard = defineAction<SubscribeToShardInput, EventStreamOutput>({
  iamAction: "kinesis:SubscribeToShard",
  resources: consumerResource,
  plane: "data",
  rate: { callsPerSecond: 1, scope: "consumer-shard" },
  shape: {
    type: "structure",
    members: {
      ConsumerARN: { ...ConsumerARN, required: true },
      StreamId,
      ShardId: { ...ShardId, required: true },
      StartingPosition: {
        type: "structure",
        required: true,
        members: {
          Type: { type: "string", required: true, enum: iteratorTypes },
          SequenceNumber,
          Timestamp: { type: "timestamp" },
        },
      },
      DryRun,
    },
  },
  async run(context, input) {
    const { accountId } = context;
    const found = findConsumer(context, input.ConsumerARN);
    if (found === undefined) throw streamsErrors.consumerNotFound(input.ConsumerARN, accountId);
    const { consumer } = found;
    const streamName = found.meta.StreamName;
    if (consumer.ConsumerStatus !== "ACTIVE") {
      throw streamsErrors.consumerNotActive(consumer.ConsumerName, createdSeconds(consumer.createdAtMs), streamName, accountId);
    }

    // As GetShardIterator: a due reshard applied first, so a closed shard's subscriber learns its children.
    const at = await shardAt(context, streamName, input.ShardId, accountId);
    const { meta, shard, log } = at;
    const shardIndex = shard.shardIndex;
    const offset = await startingOffset(at, input);
    const continuation = await continuationBefore(log, meta.shards, shard, offset);
    if (input.DryRun === true) throw streamsErrors.dryRunSucceeded();

    const metrics = context.metrics.consumer(meta.accountId, streamName, consumer.ConsumerName);
    // On an engine nodes share, the rule holds across them: a catalog record per consumer and shard (subscriptions/shared-claims.ts).
    const claim = await context.subscriptions.acquire(meta.accountId, input.ConsumerARN, shardIndex, context.clock.nowMs(), () => {
      metrics?.rateExceeded();
      return streamsErrors.subscriptionInUse(accountId, streamName, shard.ShardId, consumer.ConsumerName);
    });
    metrics?.subscribed();
    const start = {
      streamName,
      streamId: meta.streamId,
      shardIndex,
      consumerArn: input.ConsumerARN,
      consumerName: consumer.ConsumerName,
      offset,
      continuation,
      claim,
    };
    return new EventStreamOutput((sink, signal) => runSubscription(context, start, sink, signal));
  },
});

/**
 * The first offset to send: GetShardIterator's rules for the same position (including the shard's
 * own StartingSequenceNumber, which AWS gives as the ContinuationSequenceNumber of an empty shard
 * and the KCL then resubscribes AFTER_SEQUENCE_NUMBER with).
 */
async function startingOffset(at: ShardAt, input: SubscribeToShardInput): Promise<number> {
  const { Type, SequenceNumber: sequenceNumber, Timestamp } = input.StartingPosition;
  return startOffset(at, {
    ShardId: input.ShardId,
    ShardIteratorType: Type,
    ...(sequenceNumber !== undefined && { StartingSequenceNumber: sequenceNumber }),
    ...(Timestamp !== undefined && { Timestamp }),
  });
}
