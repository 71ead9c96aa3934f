/**
 * Function tags (CreateFunction's Tags, TagResource, UntagResource, ListTags): at most 50 per
 * function, keys up to 128 characters and values up to 256, on the unqualified function only.
 */
import { lambdaErrors } from "../errors.js";

export const tagsPerResourceMax = 50;

export function readTags(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw lambdaErrors.invalidRequestContent("Could not parse request body into json: Tags must be an object");
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(value as Record<string, unknown>)) {
    if (typeof tag !== "string") throw lambdaErrors.invalidRequestContent(`Could not parse request body into json: the tag ${key} must be a string`);
    if (key.length < 1 || key.length > 128 || tag.length > 256) throw lambdaErrors.invalidParameterValue("The tag key or value is not valid.");
    tags[key] = tag;
  }
  return checkTagCount(tags);
}

export function checkTagCount(tags: Record<string, string>): Record<string, string> {
  if (Object.keys(tags).length > tagsPerResourceMax) throw lambdaErrors.invalidParameterValue("Number of tags exceeds resource tag limit.");
  return tags;
}
