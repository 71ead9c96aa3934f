/**
 * The generic tagging APIs (TagResource, UntagResource, ListTagsForResource) name a resource by
 * ARN. Data stream ARNs resolve to the stream; any other Kinesis ARN (a consumer's) is refused
 * until those resources carry tags.
 */
import { streamsErrors } from "./errors.js";
import type { StreamReference } from "./stream-registry.js";
import { parseStreamArn } from "../core/arn.js";

export function streamOfResource(resourceArn: string): StreamReference {
  if (!parseStreamArn(resourceArn)) throw streamsErrors.unsupportedResourceArn(resourceArn);
  return { StreamARN: resourceArn };
}
