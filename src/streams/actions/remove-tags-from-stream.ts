import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { TagKeyList, streamReference } from "../shapes/common.js";
import { changeTags } from "../tags.js";
import type { StreamReference } from "../stream-registry.js";

interface RemoveTagsFromStreamInput extends StreamReference {
  TagKeys: string[];
}

/** RemoveTagsFromStream: keys the stream does not have are ignored; the stream must be ACTIVE. */
export const removeTagsFromStream = defineAction<RemoveTagsFromStreamInput, undefined>({
  iamAction: "kinesis:RemoveTagsFromStream",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: { type: "structure", members: { TagKeys: { ...TagKeyList, required: true }, ...streamReference } },
  async run(context, input) {
    await changeTags(context, input, { remove: input.TagKeys });
    return undefined;
  },
});
