/**
 * Which stream an ARN names, for the in-process readers of StreamAccess: the account and name it
 * parses to (checked against the server's region) and that account's view of the registry, as a
 * request of that account would see it. Only the parse is cached, never the stream: every read
 * looks the stream up in the registry's catalog copy (a Map lookup), so a stream deleted and
 * created again under the name is never read through its old incarnation.
 */
import { parseStreamArn } from "../../core/arn.js";
import type { StreamsContext } from "../context.js";

export interface StreamTarget {
  readonly accountId: string;
  readonly streamName: string;
  /** The service's context acting on the stream's account (its streams, ARNs and messages). */
  readonly context: StreamsContext;
}

/** ARNs remembered at most; past it the cache starts over (readers name a few streams each). */
const targetsMax = 1024;

export class StreamTargets {
  /** ARN → its target, or null for text that names no stream of this server (another region, not an ARN). */
  private readonly byArn = new Map<string, StreamTarget | null>();
  /** One context per account named so far. */
  private readonly contexts = new Map<string, StreamsContext>();

  constructor(private readonly context: StreamsContext) {}

  /** The stream an ARN names, or undefined for one this server cannot hold. */
  resolve(streamArn: string): StreamTarget | undefined {
    const known = this.byArn.get(streamArn);
    if (known !== undefined) return known ?? undefined;
    const parsed = parseStreamArn(streamArn);
    const target = parsed === undefined || parsed.region !== this.context.config.region
      ? null
      : { accountId: parsed.accountId, streamName: parsed.streamName, context: this.contextOf(parsed.accountId) };
    if (this.byArn.size >= targetsMax) this.byArn.clear();
    this.byArn.set(streamArn, target);
    return target ?? undefined;
  }

  /** The service's context as a request of `accountId` sees it. */
  contextOf(accountId: string): StreamsContext {
    if (accountId === this.context.accountId) return this.context;
    let context = this.contexts.get(accountId);
    if (context === undefined) {
      const registry = this.context.streams.registry;
      context = { ...this.context, accountId, streams: registry.forAccount(accountId) };
      this.contexts.set(accountId, context);
    }
    return context;
  }
}
