/**
 * Reads a KinesisStreamAsSource delivery stream's Kinesis stream through StreamAccess, one lane
 * per shard, following resharding as Firehose does: a shard is read only once each of its parents
 * still retained has been read to its end and that end checkpointed ("SHARD_END"), so a key's
 * records reach the destination in order across a split or a merge. A shard without a checkpoint
 * starts at DeliveryStartTimestamp (AT_TIMESTAMP); one with a checkpoint after its sequence number.
 */
import type { ShardPosition, StreamAccess, StreamShardView } from "../../storage/stream-access.js";
import type { Clock } from "../../util/clock.js";
import { kinesisRecordId } from "./record-id.js";
import { waitFor, type SourceChunk, type SourceReader } from "./source-reader.js";

export const shardEndPosition = "SHARD_END";
const recordsMax = 10_000;
const bytesMax = 4 * 1024 * 1024;
/** How often the shard list is looked at again (a reshard) when nothing wakes the reader. */
const pollMs = 1000;

interface Lane {
  position: ShardPosition;
  ended: boolean;
}

export function kinesisReader(input: {
  streamAccess: StreamAccess;
  clock: Clock;
  streamArn: string;
  deliveryStartMs: number;
  /** The durable checkpoints by shard id, as stored when the reader starts. */
  checkpoints: ReadonlyMap<string, string>;
  /** DataReadFromKinesisStream.* and KinesisMillisBehindLatest (src/firehose/metrics.ts), per read that returned records. */
  metrics?: { kinesisRead(records: number, bytes: number, millisBehindLatest: number): void };
}): SourceReader {
  const { streamAccess, streamArn } = input;
  const committed = new Map(input.checkpoints);
  const lanes = new Map<string, Lane>();
  let turn = 0;

  function parentsDone(shard: StreamShardView, retained: ReadonlySet<string>): boolean {
    for (const parent of [shard.parentShardId, shard.adjacentParentShardId]) {
      if (parent !== undefined && retained.has(parent) && committed.get(parent) !== shardEndPosition) return false;
    }
    return true;
  }

  async function readable(): Promise<string[]> {
    const view = await streamAccess.describeStream(streamArn);
    if (view === undefined) return [];
    const retained = new Set(view.shards.map((shard) => shard.shardId));
    const out: string[] = [];
    for (const shard of view.shards) {
      if (committed.get(shard.shardId) === shardEndPosition) continue;
      if (!parentsDone(shard, retained)) continue;
      let lane = lanes.get(shard.shardId);
      if (lane === undefined) {
        const checkpoint = committed.get(shard.shardId);
        lane = {
          position: checkpoint === undefined ? { type: "AT_TIMESTAMP", timestampMs: input.deliveryStartMs } : { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: checkpoint },
          ended: false,
        };
        lanes.set(shard.shardId, lane);
      }
      if (!lane.ended) out.push(shard.shardId);
    }
    return out;
  }

  return {
    async next(signal): Promise<SourceChunk> {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const shardIds = await readable();
        for (let tried = 0; tried < shardIds.length; tried++) {
          const shardId = shardIds[(turn + tried) % shardIds.length]!;
          const lane = lanes.get(shardId)!;
          const read = await streamAccess.readShard(streamArn, shardId, lane.position, { recordsMax, bytesMax });
          if (!read.ok) continue;
          lane.position = read.next;
          if (read.shardEnded) lane.ended = true;
          if (read.records.length === 0 && !read.shardEnded) continue;
          turn = (turn + tried + 1) % Math.max(1, shardIds.length);
          let bytes = 0;
          const records = read.records.map((record) => {
            bytes += record.data.length;
            return {
              recordId: kinesisRecordId(shardId, record.sequenceNumber),
              data: record.data,
              approximateArrivalTimestampMs: record.approximateArrivalTimestampMs,
              kinesisRecordMetadata: { shardId, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber, approximateArrivalTimestampMs: record.approximateArrivalTimestampMs },
            };
          });
          if (records.length > 0) input.metrics?.kinesisRead(records.length, bytes, read.millisBehindLatest);
          const endPosition = read.shardEnded ? shardEndPosition : records.length > 0 ? records[records.length - 1]!.kinesisRecordMetadata.sequenceNumber : "";
          return { lane: shardId, records, endPosition, bytes };
        }
        // Nothing to read: wait for an append on a readable shard, or poll (a reshard, a parent's end checkpointed).
        await waitFor((wake) => {
          const watches = shardIds.map((shardId) => streamAccess.watchShard(streamArn, shardId, wake));
          const timer = input.clock.setTimeout(wake, pollMs, { unref: true });
          return () => {
            for (const watch of watches) watch.stop();
            input.clock.clearTimer(timer);
          };
        }, signal);
      }
    },
    committed(lane, position) {
      committed.set(lane, position);
    },
    close() {},
  };
}
