import { defineAction } from "../action.js";
import { consumerResource } from "../authorization/action-resources.js";
import { StreamId } from "../shapes/common.js";
import {
  changeConsumers, consumerReference, consumerStreamName, pickConsumer, type ConsumerMeta, type ConsumerReference,
} from "../consumers/index.js";

/**
 * DeregisterStreamConsumer: the consumer shows DELETING for config.deleteStreamMs, then is gone
 * (and its name free again). A CREATING consumer may be deregistered too (AWS documents no
 * ResourceInUseException for this action); deregistering a DELETING one changes nothing.
 */
export const deregisterStreamConsumer = defineAction<ConsumerReference, undefined>({
  iamAction: "kinesis:DeregisterStreamConsumer",
  resources: consumerResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "stream" },
  shape: { type: "structure", members: { ...consumerReference, StreamId } },
  async run(context, input) {
    const streamName = consumerStreamName(context, input);
    await changeConsumers(context, streamName, (meta, consumers, nowMs) => {
      const target = pickConsumer(context, meta, consumers, input);
      if (target.ConsumerStatus === "DELETING") return { result: undefined };
      const dueAtMs = nowMs + context.config.deleteStreamMs;
      const leaving: ConsumerMeta = { ...target, ConsumerStatus: "DELETING", statusDueAtMs: dueAtMs };
      return { consumers: consumers.map((consumer) => (consumer === target ? leaving : consumer)), result: undefined };
    });
    return undefined;
  },
});
