import { defineAction } from "../action.js";
import { consumerResource } from "../authorization/action-resources.js";
import { StreamId } from "../shapes/common.js";
import { consumerDescription, consumerReference, requireConsumer, type ConsumerReference } from "../consumers/index.js";
import { streamArn } from "../../core/arn.js";

/** DescribeStreamConsumer: one consumer, by its ARN or by its stream's ARN and its name. */
export const describeStreamConsumer = defineAction<ConsumerReference, unknown>({
  iamAction: "kinesis:DescribeStreamConsumer",
  resources: consumerResource,
  plane: "control",
  rate: { callsPerSecond: 20, scope: "stream" },
  shape: { type: "structure", members: { ...consumerReference, StreamId } },
  async run(context, input) {
    const { meta, consumer } = requireConsumer(context, input);
    const { region } = context.config;
    const { accountId } = context;
    return { ConsumerDescription: consumerDescription(consumer, streamArn(region, accountId, meta.StreamName)) };
  },
});
