import { defineAction } from "../action.js";
import { namedResource } from "../authorization/action-resources.js";
import { ResourceARN, StreamId } from "../shapes/common.js";
import { tagList } from "../tags.js";
import { streamOfResource } from "../resource-arn.js";

interface ListTagsForResourceInput {
  ResourceARN: string;
}

/** ListTagsForResource: every tag of the resource, in key order (no paging in this API). */
export const listTagsForResource = defineAction<ListTagsForResourceInput, unknown>({
  iamAction: "kinesis:ListTagsForResource",
  resources: namedResource,
  plane: "control",
  shape: { type: "structure", members: { ResourceARN: { ...ResourceARN, required: true }, StreamId } },
  async run(context, input) {
    const meta = context.streams.require(streamOfResource(input.ResourceARN));
    return { Tags: tagList(meta.Tags) };
  },
});
