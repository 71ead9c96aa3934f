/**
 * Resource-based policies (PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy) on a data
 * stream or a registered consumer, named by ResourceARN. The policy is stored as the client sent
 * it, with the stream or with the consumer (StreamMeta.consumers), once its IAM grammar checks
 * out; src/streams/authorization/authorize.ts enforces it. A resource without a policy answers `{}`. A consumer's policy changes only while the consumer is
 * ACTIVE (AWS answers ResourceInUseException for one still CREATING) and goes with the consumer.
 */
import type { StreamsContext } from "./context.js";
import { streamsErrors } from "./errors.js";
import { limits } from "./limits.js";
import type { StreamReference } from "./stream-registry.js";
import type { ConsumerMeta, StreamMeta } from "./model.js";
import { parseStreamArn } from "../core/arn.js";
import { changeConsumers, consumersOf, createdSeconds, parseConsumerArn } from "./consumers/index.js";
import { parsePolicyDocument } from "../auth/policy/index.js";

/** GetResourcePolicy's answer for a resource without a policy. */
export const noPolicy = "{}";

/** What a ResourceARN names: a stream, or (with `consumerArn`) a consumer registered with it. */
export interface PolicyTarget {
  stream: StreamReference;
  consumerArn?: string;
}

/**
 * The resource a ResourceARN names. A consumer must exist (its stream first) before anything else
 * is checked; a stream's existence is checked when its policy is read or changed.
 */
export function policyTarget(context: StreamsContext, resourceArn: string): PolicyTarget {
  if (parseStreamArn(resourceArn)) return { stream: { StreamARN: resourceArn } };
  const consumer = parseConsumerArn(resourceArn);
  if (!consumer) throw streamsErrors.invalidResourceArn(resourceArn);
  const stream = { StreamARN: consumer.streamArn };
  consumerOf(context, context.streams.require(stream), resourceArn);
  return { stream, consumerArn: resourceArn };
}

/** The consumer with this ARN among the stream's, as of now, or ResourceNotFoundException. */
function consumerOf(context: StreamsContext, meta: StreamMeta, consumerArn: string, consumers = consumersOf(meta, context.clock.nowMs())): ConsumerMeta {
  const found = consumers.find((candidate) => candidate.ConsumerARN === consumerArn);
  if (!found) throw streamsErrors.consumerNotFound(consumerArn, context.accountId);
  return found;
}

/** The resource's policy document, or `{}`. */
export function readPolicy(context: StreamsContext, target: PolicyTarget): string {
  const meta = context.streams.require(target.stream);
  const holder = target.consumerArn === undefined ? meta : consumerOf(context, meta, target.consumerArn);
  return holder.resourcePolicy ?? noPolicy;
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

/**
 * Checks a policy's IAM grammar (src/auth/policy: a resource policy names a Principal, Effect and
 * Action; conditions and ARNs are well formed), once the resource is known to exist.
 */
function checkGrammar(policy: string | undefined): void {
  if (policy === undefined) return;
  const parsed = parsePolicyDocument(policy, "resource");
  if (!parsed.ok) throw streamsErrors.resourcePolicyInvalid(parsed.message);
}

/** Sets (a string) or removes (undefined) the resource's policy, after any earlier change to its stream. */
export async function changePolicy(context: StreamsContext, target: PolicyTarget, policy: string | undefined): Promise<void> {
  const reference = target.stream;
  const streamName = context.streams.nameOf(reference);
  if (target.consumerArn !== undefined) return changeConsumerPolicy(context, streamName, target.consumerArn, policy);
  await context.streams.exclusive(streamName, async () => {
    const meta = context.streams.require(reference);
    checkGrammar(policy);
    if (meta.resourcePolicy === policy) return;
    const { resourcePolicy: _previous, ...rest } = meta;
    const next: StreamMeta = policy === undefined ? rest : { ...rest, resourcePolicy: policy };
    await context.streams.put(next);
  });
}

async function changeConsumerPolicy(context: StreamsContext, streamName: string, consumerArn: string, policy: string | undefined): Promise<void> {
  await changeConsumers(context, streamName, (meta, consumers) => {
    const consumer = consumerOf(context, meta, consumerArn, consumers);
    if (consumer.ConsumerStatus !== "ACTIVE") {
      throw streamsErrors.consumerNotActive(consumer.ConsumerName, createdSeconds(consumer.createdAtMs), meta.StreamName, context.accountId);
    }
    checkGrammar(policy);
    if (consumer.resourcePolicy === policy) return { result: undefined };
    const { resourcePolicy: _previous, ...rest } = consumer;
    const next: ConsumerMeta = policy === undefined ? rest : { ...rest, resourcePolicy: policy };
    return { consumers: consumers.map((candidate) => (candidate === consumer ? next : candidate)), result: undefined };
  });
}
