import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import type { StreamReference } from "../stream-registry.js";
import { consumersOf, deregisterAll, isRegistered, withConsumers } from "../consumers/index.js";
import { streamArn } from "../../core/arn.js";

interface DeleteStreamInput extends StreamReference {
  EnforceConsumerDeletion?: boolean;
}

/**
 * DeleteStream: the stream shows DELETING for config.deleteStreamMs, then is gone (the registry's
 * sweeper releases its storage). AWS lets a CREATING stream be deleted; its shards never came
 * into being, so it is described with none (kinesalite's test against AWS shows `Shards: []`).
 * A stream with registered consumers (CREATING or ACTIVE) is refused with AWS's
 * ResourceInUseException unless EnforceConsumerDeletion is true; then its consumers show DELETING
 * and go with the stream.
 */
export const deleteStream = defineAction<DeleteStreamInput, undefined>({
  iamAction: "kinesis:DeleteStream",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: { ...streamReference, EnforceConsumerDeletion: { type: "boolean" } },
  },
  async run(context, input) {
    const streamName = context.streams.nameOf(input);
    await context.streams.exclusive(streamName, async () => {
      const meta = context.streams.require(input);
      // Deleting twice is harmless: the first deletion's schedule stands.
      if (meta.StreamStatus === "DELETING") return;
      const nowMs = context.clock.nowMs();
      const consumers = consumersOf(meta, nowMs);
      if (input.EnforceConsumerDeletion !== true && consumers.some(isRegistered)) {
        throw streamsErrors.streamHasConsumers(streamArn(context.config.region, context.accountId, meta.StreamName), meta.StreamName);
      }
      const dueAtMs = nowMs + context.config.deleteStreamMs;
      await context.streams.put({
        ...withConsumers(meta, deregisterAll(consumers, dueAtMs)),
        StreamStatus: "DELETING",
        statusDueAtMs: dueAtMs,
        shards: meta.StreamStatus === "CREATING" ? [] : meta.shards,
      });
      // The stream counts against the account's quotas while it is visible, until its deletion falls due.
      await context.streams.releaseQuota(meta.streamId, (claim) => ({ ...claim, untilMs: dueAtMs, atMs: nowMs }));
    });
    return undefined;
  },
});
