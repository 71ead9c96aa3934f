import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { TagMap, streamReference } from "../shapes/common.js";
import { changeTags } from "../tags.js";
import type { StreamReference } from "../stream-registry.js";

interface AddTagsToStreamInput extends StreamReference {
  Tags: Record<string, string>;
}

/** AddTagsToStream: adds or overwrites tags, up to 50 on the stream; the stream must be ACTIVE. */
export const addTagsToStream = defineAction<AddTagsToStreamInput, undefined>({
  iamAction: "kinesis:AddTagsToStream",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: { type: "structure", members: { Tags: { ...TagMap, required: true }, ...streamReference } },
  async run(context, input) {
    await changeTags(context, input, { add: input.Tags });
    return undefined;
  },
});
