/**
 * Stream tags: the checks AWS applies after the shape (characters, the reserved `aws:` prefix,
 * the per-stream count), shared by CreateStream, AddTagsToStream / RemoveTagsFromStream and
 * TagResource / UntagResource, and the wire form ListTagsForStream returns.
 */
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";
import type { StreamsContext } from "./context.js";
import type { StreamReference } from "./stream-registry.js";

/** Unicode letters, digits and spaces, and `_ . / = + - @ :` — plus `%`, which AWS only rejects later, with other wording. */
const tagTextPattern = /^[\p{L}\p{N}\p{Zs}_.\/=+\-@:%]*$/u;
const reservedPrefix = "aws:";

type Verb = "add tags to" | "remove tags from";

export type TagChange = { add: Readonly<Record<string, string>>; remove?: undefined } | { remove: readonly string[]; add?: undefined };

/**
 * Adds or removes one stream's tags, in AWS's order: the stream exists, is ACTIVE (AWS takes no
 * tag changes while a stream is CREATING, UPDATING or DELETING), then the tag text, then the count.
 */
export async function changeTags(context: StreamsContext, reference: StreamReference, change: TagChange): Promise<void> {
  const streamName = context.streams.nameOf(reference);
  await context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require(reference);
    const { accountId } = context;
    if (meta.StreamStatus !== "ACTIVE") throw streamsErrors.streamNotActive(meta.StreamName, accountId, meta.StreamStatus);
    let tags: Record<string, string>;
    if (change.add) {
      checkTagText("add tags to", Object.keys(change.add), Object.values(change.add), meta.StreamName, accountId);
      tags = withTags(meta.Tags, change.add, meta.StreamName, accountId);
    } else {
      checkTagText("remove tags from", change.remove, [], meta.StreamName, accountId);
      tags = withoutTags(meta.Tags, change.remove);
    }
    await context.streams.put({ ...meta, Tags: tags });
  });
}

/** Checks tag keys (and values, when adding) in AWS's order: character set, then '%', then the reserved prefix. */
export function checkTagText(verb: Verb, keys: readonly string[], values: readonly string[], streamName: string, accountId: string): void {
  const texts = [...keys, ...values];
  if (!texts.every((text) => tagTextPattern.test(text))) throw streamsErrors.tagsInvalidCharacters();
  if (texts.some((text) => text.includes("%"))) throw streamsErrors.tagsIllegalCharacters(verb, streamName, accountId);
  if (keys.some((key) => key.toLowerCase().startsWith(reservedPrefix))) throw streamsErrors.tagsReservedPrefix(verb, streamName, accountId);
}

/** The stream's tags after adding `added`, or throws if the stream would hold more than AWS allows. */
export function withTags(current: Readonly<Record<string, string>>, added: Readonly<Record<string, string>>, streamName: string, accountId: string): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(added)) defineTag(next, key, value);
  if (Object.keys(next).length > limits.tagsPerStreamMax) throw streamsErrors.tooManyTags(streamName, accountId);
  return next;
}

export function withoutTags(current: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  const removed = new Set(keys);
  const next: Record<string, string> = {};
  for (const [key, value] of Object.entries(current)) if (!removed.has(key)) defineTag(next, key, value);
  return next;
}

/** Tags as the list AWS returns, sorted by key (the order ExclusiveStartTagKey pages through). */
export function tagList(tags: Readonly<Record<string, string>>): { Key: string; Value: string }[] {
  return Object.keys(tags)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((key) => ({ Key: key, Value: tags[key]! }));
}

/** A tag key is client text: define it as data so a key such as `__proto__` stays an ordinary tag. */
function defineTag(tags: Record<string, string>, key: string, value: string): void {
  Object.defineProperty(tags, key, { value, enumerable: true, writable: true, configurable: true });
}
