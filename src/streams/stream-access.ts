/**
 * The streams service's side of StreamAccess (src/storage/stream-access.ts): how other services —
 * Lambda's event source mappings now, Firehose and Analytics next — read streams in-process, with
 * no HTTP and none of the public API's call rates. Descriptions come from the registry through the
 * helpers DescribeStream, ListShards and DescribeStreamConsumer use (shards.ts, consumers/); reads
 * are GetRecords' (stream-access/shard-reader.ts); watches are SubscribeToShard's wake-ups (the
 * shard log's watch for appends, the registry's ShardNotifier for a stream change or a reshard).
 *
 * @example
 *   const access = streamsService.streamAccess;
 *   let position: ShardPosition = { type: "TRIM_HORIZON" };
 *   const read = await access.readShard(streamArn, "shardId-000000000000", position, { recordsMax: 1000, bytesMax: 6 << 20 });
 *   if (read.ok) position = read.next;
 */
import type {
  ConsumerView, ShardPosition, ShardReadOutcome, ShardWatch, StreamAccess, StreamPutEntry, StreamPutOutcome, StreamShardView, StreamView,
} from "../storage/stream-access.js";
import { ServiceError } from "../protocol/service-error.js";
import { putRecords } from "./actions/put-records.js";
import type { StreamsContext } from "./context.js";
import type { ShardMeta } from "./model.js";
import { streamArn as streamArnOf } from "../core/arn.js";
import { shardIndexFromId } from "../core/shard-id.js";
import { describeShard, liveShards } from "./shards.js";
import { findConsumer, parseConsumerArn } from "./consumers/index.js";
import { Waker } from "./subscriptions/index.js";
import { StreamTargets } from "./stream-access/stream-targets.js";
import { readShard, type ReadLimits } from "./stream-access/shard-reader.js";

/** The service's StreamAccess over its context (every account's streams, through `context.streams.registry`). */
export function createStreamAccess(context: StreamsContext): StreamAccess {
  return new StreamsAccess(context);
}

class StreamsAccess implements StreamAccess {
  private readonly targets: StreamTargets;

  constructor(private readonly context: StreamsContext) {
    this.targets = new StreamTargets(context);
  }

  async describeStream(streamArn: string): Promise<StreamView | undefined> {
    const target = this.targets.resolve(streamArn);
    if (target === undefined) return undefined;
    // As DescribeStream: a due reshard in effect first, a CREATING stream without shards yet.
    const meta = await this.context.streams.registry.current(target.accountId, target.streamName);
    if (meta === undefined) return undefined;
    const shards = meta.StreamStatus === "CREATING" ? [] : liveShards(meta, this.context.clock.nowMs());
    return {
      accountId: meta.accountId,
      streamName: meta.StreamName,
      streamArn: streamArnOf(this.context.config.region, meta.accountId, meta.StreamName),
      status: meta.StreamStatus,
      retentionHours: meta.RetentionPeriodHours,
      shards: shards.map((shard) => shardView(meta.shards, shard)),
    };
  }

  async describeConsumer(consumerArn: string): Promise<ConsumerView | undefined> {
    const parsed = parseConsumerArn(consumerArn);
    const target = parsed && this.targets.resolve(parsed.streamArn);
    if (target === undefined) return undefined;
    const found = findConsumer(target.context, consumerArn);
    if (found === undefined) return undefined;
    const { consumer, meta } = found;
    return {
      consumerArn: consumer.ConsumerARN,
      consumerName: consumer.ConsumerName,
      streamArn: streamArnOf(this.context.config.region, meta.accountId, meta.StreamName),
      status: consumer.ConsumerStatus,
      createdAtMs: consumer.createdAtMs,
    };
  }

  async readShard(streamArn: string, shardId: string, position: ShardPosition, limits: ReadLimits): Promise<ShardReadOutcome> {
    const target = this.targets.resolve(streamArn);
    if (target === undefined) return { ok: false, reason: "stream-not-found" };
    return readShard(target, shardId, position, limits);
  }

  /**
   * Wakes `listener` on appends (the shard log's watch, whoever appended) and on any change to the
   * stream's catalog entry — its deletion, a reshard closing the shard — through the notifier that
   * wakes SubscribeToShard's pumps. A stream or shard that does not exist now is never announced:
   * the caller's next read says so.
   */
  watchShard(streamArn: string, shardId: string, listener: () => void): ShardWatch {
    const target = this.targets.resolve(streamArn);
    const meta = target && this.context.streams.registry.get(target.accountId, target.streamName);
    const shardIndex = shardIndexFromId(shardId);
    if (meta === undefined || shardIndex === undefined || !meta.shards.some((shard) => shard.shardIndex === shardIndex)) return { stop: () => {} };
    const appends = this.context.logs.shard(meta.streamId, shardIndex).watch(() => listener());
    const unwatch = this.context.streams.shardNotifier.watch(meta.streamId, shardIndex, new ListenerWaker(listener));
    let stopped = false;
    return {
      stop: () => {
        if (stopped) return;
        stopped = true;
        appends.stop();
        unwatch();
      },
    };
  }

  async putRecords(streamArn: string, entries: readonly StreamPutEntry[]): Promise<StreamPutOutcome> {
    const target = this.targets.resolve(streamArn);
    if (target === undefined) return { ok: false, errorCode: "ResourceNotFoundException", errorMessage: `Stream ${streamArn} not found.`, retriable: false };
    return putThrough(target, entries);
  }
}

/** PutRecords' action as the stream's account runs it: its errors become outcomes. */
async function putThrough(target: { streamName: string; context: StreamsContext }, entries: readonly StreamPutEntry[]): Promise<StreamPutOutcome> {
  try {
    const Records = entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data, ...(entry.explicitHashKey !== undefined && { ExplicitHashKey: entry.explicitHashKey }) }));
    const output = (await putRecords.run(target.context, { StreamName: target.streamName, Records }))!;
    return {
      ok: true,
      results: output.Records.map((record) => ("SequenceNumber" in record ? { sequenceNumber: record.SequenceNumber, shardId: record.ShardId } : { errorCode: record.ErrorCode, errorMessage: record.ErrorMessage })),
    };
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return { ok: false, errorCode: error.type, errorMessage: error.message, retriable: error.statusCode >= 500 || error.type === "ProvisionedThroughputExceededException" || error.type === "LimitExceededException" };
  }
}

/** A shard as DescribeStream shows it (shards.ts's describeShard), in StreamAccess's names. */
function shardView(shards: readonly ShardMeta[], shard: ShardMeta): StreamShardView {
  const wire = describeShard(shards, shard);
  const { StartingSequenceNumber, EndingSequenceNumber } = wire.SequenceNumberRange;
  return {
    shardId: wire.ShardId,
    ...(wire.ParentShardId !== undefined && { parentShardId: wire.ParentShardId }),
    ...(wire.AdjacentParentShardId !== undefined && { adjacentParentShardId: wire.AdjacentParentShardId }),
    startingHashKey: wire.HashKeyRange.StartingHashKey,
    endingHashKey: wire.HashKeyRange.EndingHashKey,
    startingSequenceNumber: StartingSequenceNumber,
    ...(EndingSequenceNumber !== undefined && { endingSequenceNumber: EndingSequenceNumber }),
  };
}

/** The notifier wakes Wakers; this one calls the watcher's listener instead of resolving a wait. */
class ListenerWaker extends Waker {
  constructor(private readonly listener: () => void) {
    super();
  }

  override wake(): void {
    this.listener();
  }
}
