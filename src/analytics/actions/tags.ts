/** TagResource, UntagResource, ListTagsForResource: by the application's ARN; tags change no version. */
import { defineAction, type AnalyticsContext } from "../context.js";
import { kinesisAnalyticsRequestShapes } from "../shapes/v1.generated.js";
import { analyticsErrors } from "../errors.js";
import type { StoredApplication, Tag } from "../model.js";
import { findApplication, parseApplicationArn } from "./common.js";
import { checkTags, mergedTags } from "./tag-rules.js";

export const tagResource = defineAction<{ ResourceARN: string; Tags: Tag[] }, Record<string, never>>({
  iamAction: "kinesisanalytics:TagResource",
  shape: kinesisAnalyticsRequestShapes.TagResource,
  async run(context, input) {
    await changeTags(context, input.ResourceARN, (tags) => {
      const next = mergedTags(tags, input.Tags);
      checkTags(next);
      return next;
    });
    return {};
  },
});

export const untagResource = defineAction<{ ResourceARN: string; TagKeys: string[] }, Record<string, never>>({
  iamAction: "kinesisanalytics:UntagResource",
  shape: kinesisAnalyticsRequestShapes.UntagResource,
  async run(context, input) {
    const removed = new Set(input.TagKeys);
    await changeTags(context, input.ResourceARN, (tags) => tags.filter((tag) => !removed.has(tag.Key)));
    return {};
  },
});

export const listTagsForResource = defineAction<{ ResourceARN: string }, { Tags: Tag[] }>({
  iamAction: "kinesisanalytics:ListTagsForResource",
  shape: kinesisAnalyticsRequestShapes.ListTagsForResource,
  async run(context, input) {
    const application = await applicationOfArn(context, input.ResourceARN);
    return { Tags: application.tags };
  },
});

export async function applicationOfArn(context: AnalyticsContext, arn: string): Promise<StoredApplication> {
  const parsed = parseApplicationArn(arn, context.config.region);
  if (parsed === undefined || parsed.accountId !== context.accountId) throw analyticsErrors.arnNotFound(arn);
  const application = await findApplication(context, parsed.name);
  if (application === undefined) throw analyticsErrors.arnNotFound(arn);
  return application;
}

export async function changeTags(context: AnalyticsContext, arn: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
  const application = await applicationOfArn(context, arn);
  const updated = await context.store.update(context.accountId, application.ApplicationName, (stored) => {
    if (stored.incarnationId !== application.incarnationId) throw analyticsErrors.arnNotFound(arn);
    return { ...stored, tags: change(stored.tags) };
  });
  if (updated === undefined) throw analyticsErrors.arnNotFound(arn);
}
