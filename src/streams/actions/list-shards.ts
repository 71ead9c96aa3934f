import { defineAction } from "../action.js";
import { pagedStreamResource } from "../authorization/action-resources.js";
import { NextToken, ShardId, streamReference } from "../shapes/common.js";
import { streamsErrors } from "../errors.js";
import { limits } from "../limits.js";
import { applyShardFilter, describeShard, follows, liveShards, shardFilterTypes, type ShardFilter, type ShardFilterType } from "../shards.js";
import type { StreamReference } from "../stream-registry.js";
import type { StreamsContext } from "../context.js";
import type { StreamMeta } from "../model.js";
import { decodePageToken, encodePageToken } from "../../core/page-token.js";

interface ListShardsInput extends StreamReference {
  MaxResults?: number;
  ExclusiveStartShardId?: string;
  NextToken?: string;
  StreamCreationTimestamp?: number;
  ShardFilter?: { Type: ShardFilterType; ShardId?: string; Timestamp?: number };
}

/** What a NextToken carries: the stream incarnation, the filter of the first call, and where the last page ended. */
interface ListShardsToken {
  /** The account of the stream it pages through (authorization reads it: src/streams/authorization/authorize.ts). */
  accountId: string;
  action: "ListShards";
  streamName: string;
  streamCreatedMs: number;
  filter: ShardFilter;
  afterShardIndex: number;
}

/**
 * ListShards. The first call names the stream (StreamName or StreamARN, optionally pinned to one
 * incarnation by StreamCreationTimestamp) and may filter; later calls pass only the NextToken,
 * which carries all of that (AWS refuses NextToken together with any of it).
 */
export const listShards = defineAction<ListShardsInput, unknown>({
  iamAction: "kinesis:ListShards",
  resources: pagedStreamResource,
  plane: "control",
  rate: { callsPerSecond: 1000, scope: "stream" },
  shape: {
    type: "structure",
    members: {
      MaxResults: { type: "integer", min: 1, max: limits.listShardsResultsMax },
      ExclusiveStartShardId: ShardId,
      StreamName: streamReference.StreamName,
      NextToken,
      StreamCreationTimestamp: { type: "timestamp" },
      ShardFilter: {
        type: "structure",
        members: { Type: { type: "string", required: true, enum: shardFilterTypes }, ShardId, Timestamp: { type: "timestamp" } },
      },
      StreamARN: streamReference.StreamARN,
      StreamId: streamReference.StreamId,
    },
  },
  async run(context, input) {
    const start = input.NextToken !== undefined ? await resumeFromToken(context, input) : await startFromStream(context, input);
    const nowMs = context.clock.nowMs();
    const selected = applyShardFilter(liveShards(start.meta, nowMs), start.filter, start.meta, nowMs)
      .filter((shard) => shard.shardIndex > start.afterShardIndex)
      .filter((shard) => input.ExclusiveStartShardId === undefined || follows(shard, input.ExclusiveStartShardId));
    const page = selected.slice(0, input.MaxResults ?? limits.listShardsResultsDefault);
    const output: Record<string, unknown> = { Shards: page.map((shard) => describeShard(start.meta.shards, shard)) };
    if (selected.length > page.length) {
      const token: ListShardsToken = {
        action: "ListShards",
        accountId: start.meta.accountId,
        streamName: start.meta.StreamName,
        streamCreatedMs: start.meta.createdAtMs,
        filter: start.filter,
        afterShardIndex: page[page.length - 1]!.shardIndex,
      };
      output.NextToken = encodePageToken(context.iteratorKey, nowMs, token);
    }
    return output;
  },
});

interface Start {
  meta: StreamMeta;
  filter: ShardFilter;
  afterShardIndex: number;
}

async function startFromStream(context: StreamsContext, input: ListShardsInput): Promise<Start> {
  if (input.StreamName === undefined && input.StreamARN === undefined) throw streamsErrors.listShardsNeedsStream();
  const filter = checkFilter(input.ShardFilter);
  const meta = await context.streams.requireCurrent(input);
  const { accountId } = context;
  // Compared to the second: clients send the timestamp DescribeStream gave them, in seconds in JSON.
  if (input.StreamCreationTimestamp !== undefined && Math.floor(input.StreamCreationTimestamp / 1000) !== Math.floor(meta.createdAtMs / 1000)) {
    throw streamsErrors.streamNotFound(meta.StreamName, accountId);
  }
  if (meta.StreamStatus === "CREATING") throw streamsErrors.streamNotActive(meta.StreamName, accountId, meta.StreamStatus);
  return { meta, filter, afterShardIndex: -1 };
}

async function resumeFromToken(context: StreamsContext, input: ListShardsInput): Promise<Start> {
  if (input.StreamName !== undefined) throw streamsErrors.nextTokenWith("StreamName");
  if (input.StreamARN !== undefined) throw streamsErrors.nextTokenWith("StreamARN");
  if (input.ExclusiveStartShardId !== undefined) throw streamsErrors.nextTokenWith("ExclusiveStartShardId");
  if (input.StreamCreationTimestamp !== undefined) throw streamsErrors.nextTokenWith("StreamCreationTimestamp");
  if (input.ShardFilter !== undefined) throw streamsErrors.nextTokenWith("ShardFilter");
  const token = decodePageToken(context.iteratorKey, input.NextToken!);
  const payload = token?.payload as ListShardsToken | undefined;
  if (!token || payload?.action !== "ListShards") throw streamsErrors.invalidNextToken();
  if (context.clock.nowMs() - token.issuedAtMs > limits.nextTokenTtlMs) throw streamsErrors.expiredNextToken();
  // The token names one incarnation: a stream deleted and created again under the name is another stream.
  // A token of another account's stream names no stream of this account.
  const meta = payload.accountId === context.accountId ? await context.streams.current(payload.streamName) : undefined;
  if (!meta || meta.createdAtMs !== payload.streamCreatedMs) throw streamsErrors.streamNotFound(payload.streamName, context.accountId);
  return { meta, filter: payload.filter, afterShardIndex: payload.afterShardIndex };
}

/** The filter AWS applies by default is FROM_TRIM_HORIZON; ShardId and Timestamp each belong to their types only. */
function checkFilter(filter: ListShardsInput["ShardFilter"]): ShardFilter {
  if (filter === undefined) return { Type: "FROM_TRIM_HORIZON" };
  const usesShardId = filter.Type === "AFTER_SHARD_ID";
  const usesTimestamp = filter.Type === "AT_TIMESTAMP" || filter.Type === "FROM_TIMESTAMP";
  if (usesShardId && filter.ShardId === undefined) throw streamsErrors.shardFilterNeedsShardId();
  if (usesTimestamp && filter.Timestamp === undefined) throw streamsErrors.shardFilterNeedsTimestamp(filter.Type);
  if (!usesShardId && filter.ShardId !== undefined) throw streamsErrors.shardFilterUnexpectedShardId(filter.Type);
  if (!usesTimestamp && filter.Timestamp !== undefined) throw streamsErrors.shardFilterUnexpectedTimestamp(filter.Type);
  const checked: ShardFilter = { Type: filter.Type };
  if (filter.ShardId !== undefined) checked.ShardId = filter.ShardId;
  if (filter.Timestamp !== undefined) checked.timestampMs = filter.Timestamp;
  return checked;
}
