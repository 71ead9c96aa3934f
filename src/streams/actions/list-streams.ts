import { defineAction } from "../action.js";
import { accountWide } from "../authorization/action-resources.js";
import { NextToken, StreamName } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import type { StreamsContext } from "../context.js";
import { streamArn } from "../../core/arn.js";
import { decodePageToken, encodePageToken } from "../../core/page-token.js";

interface ListStreamsInput {
  Limit?: number;
  ExclusiveStartStreamName?: string;
  NextToken?: string;
}

interface ListStreamsToken {
  action: "ListStreams";
  /** The account whose streams it pages through: another account's token is refused. */
  accountId: string;
  /** The last stream name already returned. */
  after: string;
}

/**
 * ListStreams, in name order. Two ways to page: the legacy ExclusiveStartStreamName (the last name
 * seen) or the opaque NextToken, which is signed, names its action and expires as ListShards' does.
 */
export const listStreams = defineAction<ListStreamsInput, unknown>({
  iamAction: "kinesis:ListStreams",
  resources: accountWide,
  plane: "control",
  rate: { callsPerSecond: 5, scope: "account" },
  shape: {
    type: "structure",
    members: {
      Limit: { type: "integer", min: 1, max: limits.listStreamsLimitMax },
      ExclusiveStartStreamName: StreamName,
      NextToken,
    },
  },
  async run(context, input) {
    if (input.NextToken !== undefined && input.ExclusiveStartStreamName !== undefined) {
      throw streamsErrors.nextTokenWith("ExclusiveStartStreamName");
    }
    const after = input.NextToken !== undefined ? readToken(context, input.NextToken).after : input.ExclusiveStartStreamName;
    const pageMax = Math.min(input.Limit ?? limits.listStreamsPageMax, limits.listStreamsPageMax);
    const streams = context.streams.list().filter((meta) => after === undefined || meta.StreamName > after);
    const page = streams.slice(0, pageMax);
    const hasMore = streams.length > page.length;
    const { region } = context.config;
    const { accountId } = context;
    const output: Record<string, unknown> = {
      StreamNames: page.map((meta) => meta.StreamName),
      HasMoreStreams: hasMore,
      StreamSummaries: page.map((meta) => ({
        StreamName: meta.StreamName,
        StreamARN: streamArn(region, accountId, meta.StreamName),
        StreamStatus: meta.StreamStatus,
        StreamModeDetails: { StreamMode: meta.StreamMode },
        StreamCreationTimestamp: new Date(meta.createdAtMs),
      })),
    };
    if (hasMore) {
      const token: ListStreamsToken = { action: "ListStreams", accountId: context.accountId, after: page[page.length - 1]!.StreamName };
      output.NextToken = encodePageToken(context.iteratorKey, context.clock.nowMs(), token);
    }
    return output;
  },
});

function readToken(context: StreamsContext, text: string): ListStreamsToken {
  const token = decodePageToken(context.iteratorKey, text);
  const payload = token?.payload as Partial<ListStreamsToken> | undefined;
  if (!token || payload?.action !== "ListStreams" || payload.accountId !== context.accountId || typeof payload.after !== "string") {
    throw streamsErrors.invalidNextToken();
  }
  if (context.clock.nowMs() - token.issuedAtMs > limits.nextTokenTtlMs) throw streamsErrors.expiredNextToken();
  return payload as ListStreamsToken;
}
