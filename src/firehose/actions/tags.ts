/** TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream: at most 50 tags a stream. */
import { defineAction } from "../context.js";
import { firehoseRequestShapes } from "../shapes/model.generated.js";
import { firehoseErrors } from "../errors.js";
import { requireStream } from "./common.js";

type Tag = { Key: string; Value?: string };
const tagsMax = 50;
const listLimitDefault = 50;

export const tagDeliveryStream = defineAction<{ DeliveryStreamName: string; Tags: Tag[] }, Record<string, never>>({
  iamAction: "firehose:TagDeliveryStream",
  shape: firehoseRequestShapes.TagDeliveryStream,
  async run(context, input) {
    await requireStream(context, input.DeliveryStreamName);
    const updated = await context.store.update(context.accountId, input.DeliveryStreamName, (stream) => {
      const byKey = new Map(stream.tags.map((tag) => [tag.Key, tag]));
      for (const tag of input.Tags) byKey.set(tag.Key, tag);
      if (byKey.size > tagsMax) throw firehoseErrors.limitExceeded(`Firehose ${stream.DeliveryStreamName} cannot have more than ${tagsMax} tags.`);
      return { ...stream, tags: [...byKey.values()] };
    });
    if (updated === undefined) throw firehoseErrors.resourceNotFound(input.DeliveryStreamName, context.accountId);
    return {};
  },
});

export const untagDeliveryStream = defineAction<{ DeliveryStreamName: string; TagKeys: string[] }, Record<string, never>>({
  iamAction: "firehose:UntagDeliveryStream",
  shape: firehoseRequestShapes.UntagDeliveryStream,
  async run(context, input) {
    await requireStream(context, input.DeliveryStreamName);
    const removed = new Set(input.TagKeys);
    const updated = await context.store.update(context.accountId, input.DeliveryStreamName, (stream) => ({ ...stream, tags: stream.tags.filter((tag) => !removed.has(tag.Key)) }));
    if (updated === undefined) throw firehoseErrors.resourceNotFound(input.DeliveryStreamName, context.accountId);
    return {};
  },
});

export const listTagsForDeliveryStream = defineAction<{ DeliveryStreamName: string; ExclusiveStartTagKey?: string; Limit?: number }, { Tags: Tag[]; HasMoreTags: boolean }>({
  iamAction: "firehose:ListTagsForDeliveryStream",
  shape: firehoseRequestShapes.ListTagsForDeliveryStream,
  async run(context, input) {
    const stream = await requireStream(context, input.DeliveryStreamName);
    let tags = stream.tags;
    if (input.ExclusiveStartTagKey !== undefined) {
      const at = tags.findIndex((tag) => tag.Key === input.ExclusiveStartTagKey);
      if (at >= 0) tags = tags.slice(at + 1);
    }
    const limit = input.Limit ?? listLimitDefault;
    return { Tags: tags.slice(0, limit), HasMoreTags: tags.length > limit };
  },
});
