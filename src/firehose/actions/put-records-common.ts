/**
 * PutRecord and PutRecordBatch: append to the stream's durable ingest log and answer once the
 * append is durable (sources/direct-put-log.ts), so an acknowledged record survives a crash.
 * A stream whose undelivered backlog is past `backlogBytesMax` answers ServiceUnavailableException
 * ("Slow down."), Firehose's own throttle, until delivery catches up. On an engine several nodes
 * share, the backlog is counted from storage, whichever node accepted the records
 * (delivery/engine/shared-backlog.ts), so the bound holds for writes through any node.
 */
import type { FirehoseContext } from "../context.js";
import { firehoseErrors } from "../errors.js";
import { directPutRecordId } from "../sources/record-id.js";
import { requireStream } from "./common.js";
import type { PutApi } from "../metrics.js";

/** `api` names the call for its metrics (metrics.ts); records written from inside the process (Analytics) have none. */
export async function appendRecords(context: FirehoseContext, name: string, records: readonly Buffer[], api?: PutApi): Promise<{ recordIds: string[]; encrypted: boolean }> {
  const startMs = context.metrics.enabled ? context.clock.nowMs() : 0;
  const stream = await requireStream(context, name);
  if (stream.DeliveryStreamType !== "DirectPut") throw firehoseErrors.putOnKinesisSource();
  const metrics = context.metrics.stream(context.accountId, stream.DeliveryStreamName);
  if (context.delivery.backlogBytes(stream.incarnationId) > context.config.backlogBytesMax) {
    if (api !== undefined) metrics?.throttled(api, records.length, context.clock.nowMs() - startMs);
    throw firehoseErrors.slowDown();
  }
  const outcome = await context.ingest.append(stream.incarnationId, records, context.clock.nowMs());
  if (!outcome.ok) throw firehoseErrors.storageUnavailable(outcome.failure);
  let bytes = 0;
  for (const record of records) bytes += record.length;
  context.delivery.appended(stream.incarnationId, bytes);
  if (api === undefined) metrics?.ingested(records.length, bytes);
  else metrics?.put(api, records.length, bytes, context.clock.nowMs() - startMs);
  const recordIds = records.map((_, index) => directPutRecordId(stream.incarnationId, outcome.firstOffset + index));
  return { recordIds, encrypted: stream.encryption?.Status === "ENABLED" };
}
