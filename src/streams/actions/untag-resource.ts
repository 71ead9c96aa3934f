import { defineAction } from "../action.js";
import { namedResource } from "../authorization/action-resources.js";
import { ResourceARN, StreamId, TagKeyList } from "../shapes/common.js";
import { changeTags } from "../tags.js";
import { streamOfResource } from "../resource-arn.js";

interface UntagResourceInput {
  TagKeys: string[];
  ResourceARN: string;
}

/** UntagResource: RemoveTagsFromStream for a resource named by ARN. */
export const untagResource = defineAction<UntagResourceInput, undefined>({
  iamAction: "kinesis:UntagResource",
  resources: namedResource,
  plane: "control",
  shape: { type: "structure", members: { TagKeys: { ...TagKeyList, required: true }, ResourceARN: { ...ResourceARN, required: true }, StreamId } },
  async run(context, input) {
    await changeTags(context, streamOfResource(input.ResourceARN), { remove: input.TagKeys });
    return undefined;
  },
});
