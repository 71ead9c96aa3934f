/**
 * PutRecord and PutRecordBatch: append to the stream's durable ingest log and answer once the
 * append is durable (sources/direct-put-log.ts), so an acknowledged record survives a crash.
 * A stream whose undelivered backlog is past `backlogBytesMax` answers ServiceUnavailableException
 * ("Slow down."), Firehose's own throttle, until delivery catches up.
 */
import type { FirehoseContext } from "../context.js";
import { firehoseErrors } from "../errors.js";
import { directPutRecordId } from "../sources/record-id.js";
import { requireStream } from "./common.js";

export async function appendRecords(context: FirehoseContext, name: string, records: readonly Buffer[]): Promise<{ recordIds: string[]; encrypted: boolean }> {
  const stream = await requireStream(context, name);
  if (stream.DeliveryStreamType !== "DirectPut") throw firehoseErrors.putOnKinesisSource();
  if (context.delivery.backlogBytes(stream.incarnationId) > context.config.backlogBytesMax) throw firehoseErrors.slowDown();
  const outcome = await context.ingest.append(stream.incarnationId, records, context.clock.nowMs());
  if (!outcome.ok) throw firehoseErrors.storageUnavailable(outcome.failure);
  let bytes = 0;
  for (const record of records) bytes += record.length;
  context.delivery.appended(stream.incarnationId, bytes);
  const recordIds = records.map((_, index) => directPutRecordId(stream.incarnationId, outcome.firstOffset + index));
  return { recordIds, encrypted: stream.encryption?.Status === "ENABLED" };
}
