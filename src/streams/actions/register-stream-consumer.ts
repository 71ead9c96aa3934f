import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { StreamARN, StreamId, TagMap } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { checkTagText, withTags } from "../tags.js";
import {
  ConsumerName, changeConsumers, consumerArn, consumerLimits, consumerOutput, creatingCount, type ConsumerMeta,
} from "../consumers/index.js";
import { streamArn } from "../../core/arn.js";

interface RegisterStreamConsumerInput {
  StreamARN: string;
  ConsumerName: string;
  Tags?: Record<string, string>;
}

/**
 * RegisterStreamConsumer: the consumer is CREATING for config.createStreamMs, then ACTIVE. Checked
 * in this order: the stream exists and is ACTIVE (or UPDATING: resharding does not stop a
 * registration), the name is free on the stream (a consumer still DELETING holds it), the stream
 * has fewer than 20 consumers, the account fewer than 5 in CREATING, then the tags as CreateStream
 * checks them. The answer shows the consumer CREATING, as AWS's always does.
 */
export const registerStreamConsumer = defineAction<RegisterStreamConsumerInput, unknown>({
  iamAction: "kinesis:RegisterStreamConsumer",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      StreamARN: { ...StreamARN, required: true },
      ConsumerName: { ...ConsumerName, required: true },
      StreamId,
      Tags: TagMap,
    },
  },
  async run(context, input) {
    const streamName = context.streams.nameOf({ StreamARN: input.StreamARN });
    const { region } = context.config;
    const { accountId } = context;
    const registered = await changeConsumers(context, streamName, (meta, consumers, nowMs) => {
      if (meta.StreamStatus !== "ACTIVE" && meta.StreamStatus !== "UPDATING") {
        throw streamsErrors.streamNotActive(meta.StreamName, accountId, meta.StreamStatus);
      }
      if (consumers.some((consumer) => consumer.ConsumerName === input.ConsumerName)) {
        throw streamsErrors.consumerInUse(input.ConsumerName, meta.StreamName, accountId);
      }
      if (consumers.length >= consumerLimits.consumersPerStreamMax) {
        throw streamsErrors.consumersPerStreamExceeded(meta.StreamName, accountId, consumerLimits.consumersPerStreamMax);
      }
      if (creatingCount(context, nowMs) >= consumerLimits.consumersCreatingMax) {
        throw streamsErrors.consumersCreatingExceeded(accountId, consumerLimits.consumersCreatingMax);
      }
      const consumer: ConsumerMeta = {
        ConsumerName: input.ConsumerName,
        ConsumerARN: consumerArn(streamArn(region, accountId, meta.StreamName), input.ConsumerName, nowMs),
        ConsumerStatus: "CREATING",
        createdAtMs: nowMs,
        statusDueAtMs: nowMs + context.config.createStreamMs,
      };
      if (input.Tags !== undefined) {
        checkTagText("add tags to", Object.keys(input.Tags), Object.values(input.Tags), meta.StreamName, accountId);
        consumer.Tags = withTags({}, input.Tags, meta.StreamName, accountId);
      }
      return { consumers: [...consumers, consumer], result: consumer };
    });
    return { Consumer: consumerOutput(registered) };
  },
});
