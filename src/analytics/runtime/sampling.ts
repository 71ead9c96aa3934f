/**
 * DiscoverInputSchema's samples: up to `samplesMax` records of a Kinesis stream (TRIM_HORIZON: its
 * oldest; NOW: those that arrive within `waitMs` from the call), of a DirectPut delivery stream (its
 * latest), or of an S3 object (one record per line).
 */
import type { StreamAccess, ShardPosition } from "../../storage/stream-access.js";
import type { DeliveryStreamAccess } from "../../storage/delivery-stream-access.js";
import type { ObjectClient } from "../../storage/object-client/object-client.js";
import type { Clock } from "../../util/clock.js";
import type { PreprocessRecord } from "./preprocessing.js";

export const samplesMax = 100;

export type SampleOutcome = { ok: true; records: PreprocessRecord[] } | { ok: false; message: string };

export async function sampleStream(access: StreamAccess, clock: Clock, streamArn: string, position: "NOW" | "TRIM_HORIZON", waitMs: number): Promise<SampleOutcome> {
  const view = await access.describeStream(streamArn);
  if (view === undefined) return { ok: false, message: `Stream ${streamArn} does not exist.` };
  const startedAtMs = clock.nowMs();
  const records: PreprocessRecord[] = [];
  const positions = new Map<string, ShardPosition>(view.shards.map((shard) => [shard.shardId, position === "NOW" ? { type: "AT_TIMESTAMP", timestampMs: startedAtMs } : { type: "TRIM_HORIZON" }]));
  for (;;) {
    for (const shard of view.shards) {
      while (records.length < samplesMax) {
        const read = await access.readShard(streamArn, shard.shardId, positions.get(shard.shardId)!, { recordsMax: samplesMax - records.length, bytesMax: 4 * 1024 * 1024 });
        if (!read.ok) break;
        positions.set(shard.shardId, read.next);
        for (const record of read.records) {
          records.push({ recordId: `${records.length}`, data: record.data, approximateArrivalMs: record.approximateArrivalTimestampMs, kinesis: { sequenceNumber: record.sequenceNumber, partitionKey: record.partitionKey, shardId: shard.shardId } });
        }
        if (read.records.length === 0) break;
      }
    }
    if (records.length > 0 || position === "TRIM_HORIZON" || clock.nowMs() - startedAtMs >= waitMs) return { ok: true, records };
    await clock.sleep(Math.min(200, waitMs), { unref: true });
  }
}

export async function sampleDeliveryStream(access: DeliveryStreamAccess, arn: string): Promise<SampleOutcome> {
  const positions = await access.positions(arn);
  if (positions === undefined) return { ok: false, message: `Delivery stream ${arn} does not exist or is not a DirectPut stream.` };
  const read = await access.readRecords(arn, Math.max(positions.start, positions.end - samplesMax), { recordsMax: samplesMax, bytesMax: 4 * 1024 * 1024 });
  if (!read.ok) return { ok: false, message: `Delivery stream ${arn} cannot be read.` };
  return { ok: true, records: read.records.map((record, index) => ({ recordId: `${index}`, data: record.data, approximateArrivalMs: record.arrivalMs })) };
}

export async function sampleObject(objects: ObjectClient, clock: Clock, bucketArn: string, key: string): Promise<SampleOutcome> {
  const bucket = bucketArn.replace(/^arn:[^:]*:s3:::/, "");
  const got = await objects.getObject({ Bucket: bucket, Key: key });
  if (!got.ok) return { ok: false, message: `Object s3://${bucket}/${key} cannot be read: ${got.code}.` };
  const chunks: Buffer[] = [];
  for await (const chunk of got.body) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const nowMs = clock.nowMs();
  // JSON documents one per line are records each; delimited text (a header line, then rows) is one
  // record of many rows, as a reference data source reads it.
  const samples = isJsonObject(lines[0]) ? lines.slice(0, samplesMax) : [lines.slice(0, samplesMax + 1).join("\n")];
  return { ok: true, records: samples.map((sample, index) => ({ recordId: `${index}`, data: Buffer.from(sample, "utf8"), approximateArrivalMs: nowMs })) };
}

function isJsonObject(line: string | undefined): boolean {
  if (line === undefined || !line.trimStart().startsWith("{")) return false;
  try {
    return typeof JSON.parse(line) === "object";
  } catch {
    return false;
  }
}
