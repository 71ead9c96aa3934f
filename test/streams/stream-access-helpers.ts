/**
 * What the StreamAccess tests share: records and shards in one comparable form whether they came
 * from the in-process port or from GetRecords / DescribeStream through @aws-sdk/client-kinesis.
 */
import assert from "node:assert/strict";
import {
  CreateStreamCommand, DescribeStreamCommand, GetShardIteratorCommand, PutRecordsCommand, type KinesisClient, type ShardIteratorType, type _Record,
} from "@aws-sdk/client-kinesis";
import { readToTip } from "../helpers/streams.js";
import type { ShardPosition, ShardReadOutcome, StreamAccess, StreamRecordView, StreamShardView } from "../../src/storage/stream-access.js";

export interface ComparableRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: string;
  approximateArrivalTimestampMs: number;
  encryptionType?: string;
}

export function fromView(record: StreamRecordView): ComparableRecord {
  const out: ComparableRecord = {
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    data: Buffer.from(record.data).toString("hex"),
    approximateArrivalTimestampMs: record.approximateArrivalTimestampMs,
  };
  if (record.encryptionType !== undefined) out.encryptionType = record.encryptionType;
  return out;
}

export function fromSdk(record: _Record): ComparableRecord {
  const out: ComparableRecord = {
    sequenceNumber: record.SequenceNumber!,
    partitionKey: record.PartitionKey ?? "",
    data: Buffer.from(record.Data!).toString("hex"),
    approximateArrivalTimestampMs: record.ApproximateArrivalTimestamp!.getTime(),
  };
  if (record.EncryptionType !== undefined) out.encryptionType = record.EncryptionType;
  return out;
}

/** What GetRecords returns, from an iterator of this type up to the tip. */
export async function sdkRecords(
  client: KinesisClient, streamName: string, shardId: string, type: ShardIteratorType, extra: { StartingSequenceNumber?: string; Timestamp?: Date } = {},
): Promise<ComparableRecord[]> {
  const out = await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shardId, ShardIteratorType: type, ...extra }));
  return (await readToTip(client, out.ShardIterator!)).map(fromSdk);
}

/** Reads through the port from `position` until a read returns nothing; every read must succeed. */
export async function accessRecords(
  access: StreamAccess, streamArn: string, shardId: string, position: ShardPosition, recordsMax = 1000,
): Promise<{ records: ComparableRecord[]; last: Extract<ShardReadOutcome, { ok: true }>; reads: number }> {
  const records: ComparableRecord[] = [];
  for (let reads = 1; reads <= 1000; reads++) {
    const read = await access.readShard(streamArn, shardId, position, { recordsMax, bytesMax: 10 * 1024 * 1024 });
    assert.ok(read.ok, `read ${reads} failed: ${JSON.stringify(read)}`);
    records.push(...read.records.map(fromView));
    if (read.records.length === 0) return { records, last: read, reads };
    position = read.next;
  }
  throw new Error("no end after 1000 reads");
}

/** Puts records with these partition keys (and explicit hash keys, if given) in one PutRecords; returns their sequence numbers. */
export async function putRecords(client: KinesisClient, streamName: string, keys: readonly string[], explicitHashKey?: string): Promise<string[]> {
  const out = await client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: keys.map((key, i) => ({
        PartitionKey: key,
        Data: Buffer.from(`${key}-${i}-${"x".repeat(i)}`),
        ...(explicitHashKey !== undefined && { ExplicitHashKey: explicitHashKey }),
      })),
    }),
  );
  assert.equal(out.FailedRecordCount ?? 0, 0);
  return out.Records!.map((record) => record.SequenceNumber!);
}

export async function createStream(client: KinesisClient, streamName: string, shardCount: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
}

/** DescribeStream's shards in StreamAccess's names. */
export async function sdkShards(client: KinesisClient, streamName: string): Promise<StreamShardView[]> {
  const out = await client.send(new DescribeStreamCommand({ StreamName: streamName }));
  return out.StreamDescription!.Shards!.map((shard) => ({
    shardId: shard.ShardId!,
    ...(shard.ParentShardId !== undefined && { parentShardId: shard.ParentShardId }),
    ...(shard.AdjacentParentShardId !== undefined && { adjacentParentShardId: shard.AdjacentParentShardId }),
    startingHashKey: shard.HashKeyRange!.StartingHashKey!,
    endingHashKey: shard.HashKeyRange!.EndingHashKey!,
    startingSequenceNumber: shard.SequenceNumberRange!.StartingSequenceNumber!,
    ...(shard.SequenceNumberRange!.EndingSequenceNumber !== undefined && { endingSequenceNumber: shard.SequenceNumberRange!.EndingSequenceNumber }),
  }));
}
