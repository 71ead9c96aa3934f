import { defineAction } from "../action.js";
import { streamReference } from "../shapes/common.js";
import type { StreamReference } from "../stream-registry.js";

interface DeleteStreamInput extends StreamReference {
  EnforceConsumerDeletion?: boolean;
}

/**
 * DeleteStream: the stream shows DELETING for config.deleteStreamMs, then is gone (the registry's
 * sweeper releases its storage). AWS lets a CREATING stream be deleted; its shards never came
 * into being, so it is described with none (kinesalite's test against AWS shows `Shards: []`).
 * EnforceConsumerDeletion is accepted; no stream has registered consumers yet, so it changes nothing.
 */
export const deleteStream = defineAction<DeleteStreamInput, undefined>({
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
      await context.streams.put({
        ...meta,
        StreamStatus: "DELETING",
        statusDueAtMs: nowMs + context.config.deleteStreamMs,
        shards: meta.StreamStatus === "CREATING" ? [] : meta.shards,
      });
    });
    return undefined;
  },
});
