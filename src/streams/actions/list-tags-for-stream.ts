import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { TagKey, streamReference } from "../shapes/common.js";
import { limits } from "../limits.js";
import { tagList } from "../tags.js";
import type { StreamReference } from "../stream-registry.js";

interface ListTagsForStreamInput extends StreamReference {
  ExclusiveStartTagKey?: string;
  Limit?: number;
}

/** ListTagsForStream: tags in key order, after ExclusiveStartTagKey, Limit at a time (all of them by default). */
export const listTagsForStream = defineAction<ListTagsForStreamInput, unknown>({
  iamAction: "kinesis:ListTagsForStream",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      Limit: { type: "integer", min: 1, max: limits.tagKeysPerRequestMax },
      ExclusiveStartTagKey: TagKey,
      ...streamReference,
    },
  },
  async run(context, input) {
    const meta = context.streams.require(input);
    const after = input.ExclusiveStartTagKey;
    const tags = tagList(meta.Tags).filter((tag) => after === undefined || tag.Key > after);
    const page = tags.slice(0, input.Limit ?? limits.tagsPerStreamMax);
    return { Tags: page, HasMoreTags: tags.length > page.length };
  },
});
