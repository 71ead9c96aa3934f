import { defineAction } from "../action.js";
import { namedResource } from "../authorization/action-resources.js";
import { ResourceARN, StreamId, TagMap } from "../shapes/common.js";
import { changeTags } from "../tags.js";
import { streamOfResource } from "../resource-arn.js";

interface TagResourceInput {
  Tags: Record<string, string>;
  ResourceARN: string;
}

/** TagResource: AddTagsToStream for a resource named by ARN (streams; consumers have no tags yet). */
export const tagResource = defineAction<TagResourceInput, undefined>({
  iamAction: "kinesis:TagResource",
  resources: namedResource,
  plane: "control",
  shape: { type: "structure", members: { Tags: { ...TagMap, required: true }, ResourceARN: { ...ResourceARN, required: true }, StreamId } },
  async run(context, input) {
    await changeTags(context, streamOfResource(input.ResourceARN), { add: input.Tags });
    return undefined;
  },
});
