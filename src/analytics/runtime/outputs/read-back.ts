/**
 * After a crash, what each output wrote after its last checkpoint: the records in its destination
 * past the checkpoint's mark (a Kinesis stream's shards after the last sequence number written to
 * each, or from the mark's time on shards not written to; a delivery stream's log after its
 * position). The engine, restored to the checkpoint, makes those rows again; the worker drops each
 * regenerated record equal to one found here, so they are not written twice (engine-worker.ts).
 */
import type { DeliveryStreamAccess } from "../../../storage/delivery-stream-access.js";
import type { ShardPosition, StreamAccess } from "../../../storage/stream-access.js";
import type { OutputMark } from "./destination.js";

/** Records read back at most per output: a checkpoint interval's worth of output is far below it. */
const recordsMax = 2_000_000;
const readLimits = { recordsMax: 10_000, bytesMax: 8 * 1024 * 1024 };

export async function readBack(mark: OutputMark, streams: StreamAccess, deliveryStreams: DeliveryStreamAccess): Promise<string[]> {
  if (mark.kind === "kinesis") return readBackStream(mark, streams);
  if (mark.kind === "firehose") return readBackLog(mark, deliveryStreams);
  return [];
}

async function readBackStream(mark: Extract<OutputMark, { kind: "kinesis" }>, access: StreamAccess): Promise<string[]> {
  const view = await access.describeStream(mark.arn);
  if (view === undefined) return [];
  const found: string[] = [];
  for (const shard of view.shards) {
    const after = mark.shards[shard.shardId];
    let position: ShardPosition = after !== undefined ? { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: after } : { type: "AT_TIMESTAMP", timestampMs: mark.atMs };
    while (found.length < recordsMax) {
      const read = await access.readShard(mark.arn, shard.shardId, position, readLimits);
      if (!read.ok) break;
      for (const record of read.records) found.push(record.data.toString("utf8"));
      if (read.records.length === 0) break;
      position = read.next;
    }
  }
  return found;
}

async function readBackLog(mark: Extract<OutputMark, { kind: "firehose" }>, access: DeliveryStreamAccess): Promise<string[]> {
  const found: string[] = [];
  let position = mark.position;
  while (found.length < recordsMax) {
    const read = await access.readRecords(mark.arn, position, readLimits);
    if (!read.ok || read.records.length === 0) break;
    for (const record of read.records) found.push(record.data.toString("utf8"));
    position = read.next;
  }
  return found;
}
