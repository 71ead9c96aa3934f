import { defineAction } from "../action.js";
import { TagKeyList, streamReference } from "../shapes/common.js";
import { changeTags } from "../tags.js";
import type { StreamReference } from "../stream-registry.js";

interface RemoveTagsFromStreamInput extends StreamReference {
  TagKeys: string[];
}

/** RemoveTagsFromStream: keys the stream does not have are ignored; the stream must be ACTIVE. */
export const removeTagsFromStream = defineAction<RemoveTagsFromStreamInput, undefined>({
  shape: { type: "structure", members: { TagKeys: { ...TagKeyList, required: true }, ...streamReference } },
  async run(context, input) {
    await changeTags(context, input, { remove: input.TagKeys });
    return undefined;
  },
});
