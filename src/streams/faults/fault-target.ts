/**
 * What a call is about, read from its checked input without failing: the stream it names (for
 * rules that match a stream, and for messages) and the shard a throttle is reported on. A call
 * whose stream or shard cannot be told gets the closest wording AWS uses rather than an error:
 * fault injection never changes which calls are faulted because of a bad argument.
 */
import type { StreamsContext } from "../context.js";
import { ServiceError, streamsErrors } from "../errors.js";
import { resolveHashKey, shardRouter } from "../records/index.js";
import { parseStreamArn } from "../../core/arn.js";
import { decodeIterator } from "../../core/iterator-token.js";
import { shardIdFromIndex, shardIndexFromId } from "../../core/shard-id.js";
import { streamsActions } from "../actions/index.js";

/**
 * The actions AWS throttles per shard (ProvisionedThroughputExceededException): those declared
 * `plane: "data"`; the rest are throttled per stream or account (LimitExceededException).
 */
export const dataPlaneActions: ReadonlySet<string> = new Set(
  Object.entries(streamsActions).flatMap(([name, action]) => (action.plane === "data" ? [name] : [])),
);

type Input = Readonly<Record<string, unknown>>;

/** The stream a call names by StreamName, StreamARN, a stream ResourceARN or its shard iterator. */
export function requestStreamName(context: StreamsContext, input: Input): string | undefined {
  if (typeof input.StreamName === "string") return input.StreamName;
  for (const member of ["StreamARN", "ResourceARN"]) {
    const arn = input[member];
    const parsed = typeof arn === "string" ? parseStreamArn(arn) : undefined;
    if (parsed) return parsed.streamName;
  }
  if (typeof input.ShardIterator === "string") return decodeIterator(context.iteratorKey, input.ShardIterator)?.streamName;
  return undefined;
}

/**
 * The stream a call names with its account, for its metrics: an ARN's or iterator's account (a
 * stream another account shares), else the caller's. A throttled call is not hot: this may allocate.
 */
export function requestStream(context: StreamsContext, input: Input): { accountId: string; streamName: string } | undefined {
  if (typeof input.StreamName === "string") return { accountId: context.accountId, streamName: input.StreamName };
  for (const member of ["StreamARN", "ResourceARN"]) {
    const arn = input[member];
    const parsed = typeof arn === "string" ? parseStreamArn(arn) : undefined;
    if (parsed) return { accountId: parsed.accountId, streamName: parsed.streamName };
  }
  if (typeof input.ShardIterator === "string") return decodeIterator(context.iteratorKey, input.ShardIterator);
  return undefined;
}

/** The throttling error AWS would send for this call. */
export function throttleError(context: StreamsContext, action: string, input: Input): ServiceError {
  const accountId = context.accountId;
  const streamName = requestStreamName(context, input);
  if (!dataPlaneActions.has(action)) {
    return streamName === undefined ? streamsErrors.accountRateExceeded("LimitExceededException", accountId) : streamsErrors.streamRateExceeded(streamName, accountId);
  }
  if (streamName === undefined) return streamsErrors.accountRateExceeded("ProvisionedThroughputExceededException", accountId);
  return streamsErrors.shardRateExceeded(requestShardId(context, action, input, streamName), streamName, accountId);
}

/** The shard a data-plane call reads or (for PutRecords, first) writes; shard 0 when it cannot be told. */
function requestShardId(context: StreamsContext, action: string, input: Input, streamName: string): string {
  if (typeof input.ShardId === "string") {
    const index = shardIndexFromId(input.ShardId);
    return index === undefined ? input.ShardId : shardIdFromIndex(index);
  }
  if (typeof input.ShardIterator === "string") {
    const position = decodeIterator(context.iteratorKey, input.ShardIterator);
    return shardIdFromIndex(position?.shardIndex ?? 0);
  }
  const entry = (action === "PutRecords" ? (input.Records as Input[] | undefined)?.[0] : input) ?? {};
  const meta = context.streams.get(streamName);
  if (meta && typeof entry.PartitionKey === "string") {
    try {
      const explicitHashKey = typeof entry.ExplicitHashKey === "string" ? entry.ExplicitHashKey : undefined;
      return shardRouter(meta)(resolveHashKey(entry.PartitionKey, explicitHashKey)).ShardId;
    } catch (error) {
      // An ExplicitHashKey past 2^128 - 1 routes nowhere; any other failure is a bug.
      if (!(error instanceof ServiceError)) throw error;
    }
  }
  return shardIdFromIndex(0);
}
