import { defineAction } from "../action.js";
import { streamResource } from "../authorization/action-resources.js";
import { NextToken, StreamARN, StreamId } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import type { StreamsContext } from "../context.js";
import { consumerLimits, consumerOutput, consumersOf, type ConsumerMeta } from "../consumers/index.js";
import { decodePageToken, encodePageToken } from "../../core/page-token.js";

interface ListStreamConsumersInput {
  StreamARN: string;
  NextToken?: string;
  MaxResults?: number;
  StreamCreationTimestamp?: number;
}

interface ListStreamConsumersToken {
  action: "ListStreamConsumers";
  streamName: string;
  /** The stream incarnation the listing started on: a stream created again under the name is another. */
  streamId: string;
  /** The last consumer already returned, by the listing's order. */
  afterCreatedAtMs: number;
  afterName: string;
}

/**
 * ListStreamConsumers: the stream's consumers, CREATING, ACTIVE and DELETING alike, oldest
 * registration first (then by name). Pages of at most 100; the NextToken is signed, names its
 * stream and expires after 300 seconds as ListShards' does. StreamCreationTimestamp, compared to
 * the second, picks the incarnation of the stream name (a mismatch is ResourceNotFoundException).
 */
export const listStreamConsumers = defineAction<ListStreamConsumersInput, unknown>({
  iamAction: "kinesis:ListStreamConsumers",
  resources: streamResource,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "stream" },
  shape: {
    type: "structure",
    members: {
      StreamARN: { ...StreamARN, required: true },
      NextToken,
      MaxResults: { type: "integer", min: 1, max: consumerLimits.listResultsMax },
      StreamCreationTimestamp: { type: "timestamp" },
      StreamId,
    },
  },
  async run(context, input) {
    if (input.NextToken !== undefined && input.StreamCreationTimestamp !== undefined) {
      throw streamsErrors.nextTokenWith("StreamCreationTimestamp");
    }
    const after = input.NextToken === undefined ? undefined : readToken(context, input.NextToken);
    const meta = context.streams.require({ StreamARN: input.StreamARN });
    const { accountId } = context;
    if (after !== undefined) {
      if (after.streamName !== meta.StreamName) throw streamsErrors.invalidNextToken();
      if (after.streamId !== meta.streamId) throw streamsErrors.streamNotFound(meta.StreamName, accountId);
    }
    if (input.StreamCreationTimestamp !== undefined && Math.floor(input.StreamCreationTimestamp / 1000) !== Math.floor(meta.createdAtMs / 1000)) {
      throw streamsErrors.streamNotFound(meta.StreamName, accountId);
    }
    const nowMs = context.clock.nowMs();
    const remaining = consumersOf(meta, nowMs)
      .sort(listingOrder)
      .filter((consumer) => after === undefined || listingOrder(consumer, { createdAtMs: after.afterCreatedAtMs, ConsumerName: after.afterName }) > 0);
    const page = remaining.slice(0, Math.min(input.MaxResults ?? consumerLimits.listPageMax, consumerLimits.listPageMax));
    const output: Record<string, unknown> = { Consumers: page.map(consumerOutput) };
    if (remaining.length > page.length) {
      const last = page[page.length - 1]!;
      const token: ListStreamConsumersToken = {
        action: "ListStreamConsumers",
        streamName: meta.StreamName,
        streamId: meta.streamId,
        afterCreatedAtMs: last.createdAtMs,
        afterName: last.ConsumerName,
      };
      output.NextToken = encodePageToken(context.iteratorKey, nowMs, token);
    }
    return output;
  },
});

function listingOrder(a: Pick<ConsumerMeta, "createdAtMs" | "ConsumerName">, b: Pick<ConsumerMeta, "createdAtMs" | "ConsumerName">): number {
  if (a.createdAtMs !== b.createdAtMs) return a.createdAtMs - b.createdAtMs;
  return a.ConsumerName < b.ConsumerName ? -1 : a.ConsumerName > b.ConsumerName ? 1 : 0;
}

function readToken(context: StreamsContext, text: string): ListStreamConsumersToken {
  const token = decodePageToken(context.iteratorKey, text);
  const payload = token?.payload as Partial<ListStreamConsumersToken> | undefined;
  if (
    !token ||
    payload?.action !== "ListStreamConsumers" ||
    typeof payload.streamName !== "string" ||
    typeof payload.streamId !== "string" ||
    typeof payload.afterCreatedAtMs !== "number" ||
    typeof payload.afterName !== "string"
  ) {
    throw streamsErrors.invalidNextToken();
  }
  if (context.clock.nowMs() - token.issuedAtMs > limits.nextTokenTtlMs) throw streamsErrors.expiredNextToken();
  return payload as ListStreamConsumersToken;
}
