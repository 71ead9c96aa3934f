/**
 * Resource-based policies (PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy) on a data
 * stream or a registered consumer, named by ResourceARN. The policy is stored with the stream as
 * the client sent it; enforcing it is a later step. A resource without a policy answers `{}`.
 * Consumers cannot be registered yet, so a consumer ARN names nothing: once its stream is found,
 * it is a ResourceNotFoundException.
 */
import type { StreamsContext } from "./context.js";
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";
import type { StreamReference } from "./stream-registry.js";
import type { StreamMeta } from "../storage/types.js";
import { parseStreamArn } from "../core/arn.js";

/** GetResourcePolicy's answer for a resource without a policy. */
export const noPolicy = "{}";

const consumerArnPattern = /^(arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128})\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+$/;

/** The stream a ResourceARN names; throws for a consumer (none exist yet) or an ARN that names neither. */
export function policyStream(context: StreamsContext, resourceArn: string): StreamReference {
  if (parseStreamArn(resourceArn)) return { StreamARN: resourceArn };
  const consumer = consumerArnPattern.exec(resourceArn);
  if (!consumer) throw streamsErrors.invalidResourceArn(resourceArn);
  context.streams.require({ StreamARN: consumer[1]! });
  throw streamsErrors.consumerNotFound(resourceArn, context.config.accountId);
}

/** Checks a policy document as PutResourcePolicy does: within the size limit, and a JSON object. */
export function checkPolicy(policy: string): void {
  const bytes = Buffer.byteLength(policy, "utf8");
  if (bytes > limits.resourcePolicyBytesMax) throw streamsErrors.resourcePolicyTooLarge(bytes, limits.resourcePolicyBytesMax);
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw streamsErrors.resourcePolicyNotJson();
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw streamsErrors.resourcePolicyNotJson();
}

/** Sets (a string) or removes (undefined) the stream's policy, after any earlier change to the stream. */
export async function changePolicy(context: StreamsContext, reference: StreamReference, policy: string | undefined): Promise<void> {
  const streamName = context.streams.nameOf(reference);
  await context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require(reference);
    if (meta.resourcePolicy === policy) return;
    const { resourcePolicy: _previous, ...rest } = meta;
    const next: StreamMeta = policy === undefined ? rest : { ...rest, resourcePolicy: policy };
    await context.streams.put(next);
  });
}
