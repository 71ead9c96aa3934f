/** The service's rules for tags: at most 50 per application, no key in the reserved `aws:` prefix. */
import type { Tag } from "../model.js";
import { analyticsErrors } from "../errors.js";

export const tagsMax = 50;

export function checkTags(tags: readonly Tag[]): void {
  if (new Set(tags.map((tag) => tag.Key)).size > tagsMax) throw analyticsErrors.tooManyTags(`Number of tags exceeds the limit of ${tagsMax}.`);
  const reserved = tags.find((tag) => tag.Key.toLowerCase().startsWith("aws:"));
  if (reserved !== undefined) throw analyticsErrors.invalidArgument(`Tag key ${reserved.Key} is invalid: keys beginning with "aws:" are reserved.`);
}

/** `tags` with `added` merged in by key (a key given again takes the new value). */
export function mergedTags(tags: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(tags.map((tag) => [tag.Key, tag]));
  for (const tag of added) byKey.set(tag.Key, tag);
  return [...byKey.values()];
}
