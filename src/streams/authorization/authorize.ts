/**
 * Authorization of Kinesis requests: for each resource an action touches (its `resources`, kinesis-actions.ts),
 * the caller's identity policies and the resource's policy (a stream's, or a consumer's) are
 * evaluated by AWS's logic (policy/evaluate.ts), and a denied request answers
 * AccessDeniedException in AWS's words. It runs after the shape check and before the action.
 *
 * Under `--auth none` every caller is the anonymous principal, which is allowed everything: that
 * costs one comparison. Without Conditions, decisions are cached per principal (policy/cache.ts),
 * so a PutRecords or GetRecords stream pays a few map lookups. Resource policies are read from a
 * `ResourcePolicyIndex` kept beside the catalog, not from the catalog itself, whose reads copy the
 * whole stream (as much again as the action's own read); the index sees every write, so a
 * changed policy applies to the next request.
 *
 * Streams belong to accounts. A stream named by StreamName is the caller's account's; one named by
 * ARN (StreamARN, ConsumerARN, ResourceARN, or the stream a shard iterator or page token was issued
 * for) is the ARN's account's, and a caller of another account reaches it only where the resource's
 * policy grants it. `authorize` answers the account the request then acts on, for the action's view.
 */
import { anonymousPrincipal, type Principal } from "../../auth/principal.js";
import { kinesisActionOf, type ResourceLocator } from "./kinesis-actions.js";
import { EvaluationCache, type ConditionContext, type PolicyDocument } from "../../auth/policy/index.js";
import type { StreamsContext } from "../context.js";
import { streamsErrors } from "../errors.js";
import { streamArn as formatStreamArn, parseStreamArn } from "../../core/arn.js";
import { decodeIterator } from "../../core/iterator-token.js";
import { assert } from "../../util/assert.js";
import { decodePageToken } from "../../core/page-token.js";
import { consumersOf, parseConsumerArn } from "../consumers/index.js";
import type { StreamMeta } from "../model.js";
import type { StreamsCache, StreamsCatalog } from "../stream-catalog.js";
import { CatalogCache } from "../../storage/catalog-cache.js";
import type { RequestFacts } from "../../protocol/aws-service.js";

export type { RequestFacts };

export class KinesisAuthorizer {
  private readonly cache = new EvaluationCache();
  /** Per caller account (StreamName resolves in it); accounts come from the credentials file, so they are few. */
  private readonly locators = new Map<string, ResourceLocator>();

  constructor(
    private readonly context: StreamsContext,
    private readonly policies: ResourcePolicyIndex,
  ) {}

  /**
   * Throws AccessDeniedException unless `principal` may run the action on every resource the
   * input names. `input` has passed the action's shape check. Returns the account whose streams
   * the request acts on: the caller's, or another account's whose resource policy granted the call.
   */
  authorize(principal: Principal, actionName: string, input: Record<string, unknown>, facts: RequestFacts = {}): string {
    if (principal === anonymousPrincipal(principal.accountId)) return principal.accountId;
    const action = kinesisActionOf(actionName);
    // Every action declares its IAM action and resources (kinesis-actions.ts; test/auth/authorization.test.ts checks).
    assert(action !== undefined, `no authorization entry for ${actionName}`);
    const { config } = this.context;
    const identityConditions = principal.policies.some((policy) => policy.hasConditions);
    let conditions: ConditionContext | undefined;
    let actingAccountId = principal.accountId;
    for (const resource of action.resources(input, this.locatorOf(principal.accountId))) {
      const owner = resource === "*" ? { accountId: principal.accountId, region: config.region, path: "*" } : ownerOf(resource);
      const resourcePolicy = owner && this.resourcePolicyOf(resource, owner);
      const resourceArn = resource === "*" ? `arn:aws:kinesis:${config.region}:${principal.accountId}:*` : resource;
      // The condition keys cost a clock read and a date format: only policies with conditions read them.
      const context =
        identityConditions || resourcePolicy?.hasConditions
          ? (conditions ??= conditionContext(principal, config.region, this.context.clock.nowMs(), facts))
          : noConditions;
      const evaluation = this.cache.explain({
        principal,
        action: action.iamAction,
        resource: resourceArn,
        context,
        ...(resourcePolicy && { resourcePolicy }),
        resourceAccountId: owner?.accountId ?? principal.accountId,
      });
      if (evaluation.decision !== "allow") {
        throw streamsErrors.notAuthorized(principal.arn, action.iamAction, resourceArn, evaluation.policyKind, evaluation.decision === "explicit-deny");
      }
      if (owner !== undefined && owner.accountId !== principal.accountId && accountIdPattern.test(owner.accountId)) actingAccountId = owner.accountId;
    }
    return actingAccountId;
  }

  private locatorOf(accountId: string): ResourceLocator {
    let locator = this.locators.get(accountId);
    if (locator === undefined) {
      locator = resourceLocator(this.context, accountId);
      this.locators.set(accountId, locator);
    }
    return locator;
  }

  /** The policy of a stream or consumer this server holds; none for anything else. */
  private resourcePolicyOf(resource: string, owner: ArnOwner): PolicyDocument | undefined {
    if (owner.region !== this.context.config.region) return undefined;
    const { path, accountId } = owner;
    if (!path.startsWith("stream/")) return undefined;
    if (path.indexOf("/", streamPrefixLength) < 0) {
      return this.cache.resourcePolicy(this.policies.streamPolicy(accountId, path.slice(streamPrefixLength)));
    }
    const consumer = parseConsumerArn(resource);
    return consumer && this.cache.resourcePolicy(this.policies.consumerPolicy(accountId, consumer.streamName, resource));
  }
}

const accountIdPattern = /^\d{12}$/;

interface StreamPolicies {
  stream?: string;
  /** By consumer ARN. */
  consumers: Map<string, string>;
}

/**
 * The resource policies of the catalog's streams and consumers, by account and stream name, kept
 * current by following the catalog's watch through the service's cache (`catalog`, which the
 * stream registry and account settings read). Only streams with a policy are held.
 */
export class ResourcePolicyIndex {
  readonly catalog: StreamsCache;
  /** Per account, per stream name. */
  private readonly byAccount = new Map<string, Map<string, StreamPolicies>>();

  constructor(inner: StreamsCatalog) {
    this.catalog = new CatalogCache(inner);
    for (const meta of this.catalog.list()) this.record(meta.accountId, meta.StreamName, meta);
    this.catalog.onChange((change) => {
      if (change.kind === "entry") this.record(change.accountId, change.name, change.entry);
    });
  }

  streamPolicy(accountId: string, streamName: string): string | undefined {
    return this.byAccount.get(accountId)?.get(streamName)?.stream;
  }

  consumerPolicy(accountId: string, streamName: string, consumerArn: string): string | undefined {
    return this.byAccount.get(accountId)?.get(streamName)?.consumers.get(consumerArn);
  }

  private record(accountId: string, streamName: string, meta: StreamMeta | undefined): void {
    const consumers = new Map<string, string>();
    for (const consumer of meta?.consumers ?? []) {
      if (consumer.resourcePolicy !== undefined) consumers.set(consumer.ConsumerARN, consumer.resourcePolicy);
    }
    let byStream = this.byAccount.get(accountId);
    if (meta?.resourcePolicy === undefined && consumers.size === 0) {
      byStream?.delete(streamName);
      if (byStream?.size === 0) this.byAccount.delete(accountId);
      return;
    }
    if (byStream === undefined) {
      byStream = new Map();
      this.byAccount.set(accountId, byStream);
    }
    byStream.set(streamName, { ...(meta?.resourcePolicy !== undefined && { stream: meta.resourcePolicy }), consumers });
  }
}

const noConditions: ConditionContext = Object.freeze({});

const streamPrefixLength = "stream/".length;

interface ArnOwner {
  region: string;
  accountId: string;
  /** The resource part: `stream/<name>` or `stream/<name>/consumer/<name>:<seconds>`. */
  path: string;
}

/** The region, account and resource part of an ARN, or undefined for text that is not one (by colons, not a regular expression: this runs per request). */
function ownerOf(arn: string): ArnOwner | undefined {
  if (!arn.startsWith("arn:")) return undefined;
  const service = arn.indexOf(":", 4);
  const region = service < 0 ? -1 : arn.indexOf(":", service + 1);
  const account = region < 0 ? -1 : arn.indexOf(":", region + 1);
  const path = account < 0 ? -1 : arn.indexOf(":", account + 1);
  if (path < 0) return undefined;
  return { region: arn.slice(region + 1, account), accountId: arn.slice(account + 1, path), path: arn.slice(path + 1) };
}

/**
 * The global condition keys Tributary knows of a request. aws:userid is left out: IAM's value is
 * the caller's unique id (AIDA…), which the credentials file does not give.
 */
function conditionContext(principal: Principal, region: string, nowMs: number, facts: RequestFacts): ConditionContext {
  const context: Record<string, string> = {
    "aws:CurrentTime": new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(nowMs / 1000)),
    "aws:PrincipalArn": principal.arn,
    "aws:PrincipalAccount": principal.accountId,
    "aws:RequestedRegion": region,
  };
  const user = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:.*\/)?([^/]+)$/.exec(principal.arn);
  if (user) context["aws:username"] = user[1]!;
  if (facts.sourceIp !== undefined) context["aws:SourceIp"] = facts.sourceIp;
  if (facts.secureTransport !== undefined) context["aws:SecureTransport"] = String(facts.secureTransport);
  return context;
}

/**
 * Finds the resources requests of `accountId`'s callers name, over the streams the server holds:
 * a StreamName is the caller's account's stream; an iterator or page token names the account of
 * the stream it was issued for.
 */
function resourceLocator(context: StreamsContext, accountId: string): ResourceLocator {
  const { region } = context.config;
  const registry = context.streams.registry;
  return {
    streamArn: ({ StreamName, StreamARN }) => StreamARN ?? (StreamName !== undefined ? formatStreamArn(region, accountId, StreamName) : undefined),
    iteratorStreamArn: (shardIterator) => {
      const position = decodeIterator(context.iteratorKey, shardIterator);
      return position && formatStreamArn(region, position.accountId, position.streamName);
    },
    pageTokenStreamArn: (nextToken) => {
      const payload = decodePageToken(context.iteratorKey, nextToken)?.payload as { streamName?: unknown; accountId?: unknown } | undefined;
      if (typeof payload?.streamName !== "string" || typeof payload.accountId !== "string") return undefined;
      return formatStreamArn(region, payload.accountId, payload.streamName);
    },
    consumerArn: ({ StreamARN, ConsumerName, ConsumerARN }) => {
      if (ConsumerARN !== undefined) return ConsumerARN;
      if (StreamARN === undefined || ConsumerName === undefined) return undefined;
      const stream = parseStreamArn(StreamARN);
      if (!stream || stream.region !== region) return undefined;
      const meta = registry.get(stream.accountId, stream.streamName);
      return meta && consumersOf(meta, context.clock.nowMs()).find((consumer) => consumer.ConsumerName === ConsumerName)?.ConsumerARN;
    },
  };
}
