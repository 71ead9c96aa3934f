/**
 * Firehose's side of DeliveryStreamAccess (src/storage/delivery-stream-access.ts): how Analytics
 * reads a delivery stream's records (a DirectPut stream's durable ingest log, by offset) and writes
 * to one (PutRecordBatch's append, with its backlog throttle and the delivery engine told) from
 * inside the process.
 */
import type { DeliveryPutOutcome, DeliveryReadOutcome, DeliveryStreamAccess, DeliveryStreamView } from "../storage/delivery-stream-access.js";
import { ServiceError } from "../protocol/service-error.js";
import type { FirehoseContext } from "./context.js";
import type { StoredDeliveryStream } from "./model.js";
import { statusOf } from "./actions/common.js";
import { appendRecords } from "./actions/put-records-common.js";

export function createDeliveryStreamAccess(context: FirehoseContext): DeliveryStreamAccess {
  const find = async (arn: string): Promise<{ stream: StoredDeliveryStream; accountId: string } | undefined> => {
    const match = /^arn:aws:firehose:([a-z0-9-]+):(\d{12}):deliverystream\/([a-zA-Z0-9_.-]+)$/.exec(arn);
    if (match === null || match[1] !== context.config.region) return undefined;
    const stream = await context.store.get(match[2]!, match[3]!);
    return stream === undefined ? undefined : { stream, accountId: match[2]! };
  };
  const directPut = async (arn: string) => {
    const found = await find(arn);
    return found?.stream.DeliveryStreamType === "DirectPut" ? found.stream : undefined;
  };
  return {
    async describeDeliveryStream(arn): Promise<DeliveryStreamView | undefined> {
      const found = await find(arn);
      if (found === undefined) return undefined;
      const { stream, accountId } = found;
      return {
        accountId,
        name: stream.DeliveryStreamName,
        arn: stream.DeliveryStreamARN,
        type: stream.DeliveryStreamType,
        status: statusOf(stream, context.clock.nowMs()),
        ...(stream.kinesisSource !== undefined && { kinesisStreamArn: stream.kinesisSource.KinesisStreamARN }),
      };
    },
    async positions(arn, atTimeMs) {
      const stream = await directPut(arn);
      if (stream === undefined) return undefined;
      const read = await context.ingest.read(stream.incarnationId, 0, 1, 1);
      const start = read.records[0]?.offset ?? read.nextOffset;
      const end = context.ingest.endOffset(stream.incarnationId);
      if (atTimeMs === undefined) return { start, end };
      // Arrival times never go back within the log: the first record at or after the time, by halves.
      let low = start;
      let high = end;
      while (low < high) {
        const middle = Math.floor((low + high) / 2);
        const record = (await context.ingest.read(stream.incarnationId, middle, 1, Number.MAX_SAFE_INTEGER)).records[0];
        if (record === undefined || record.arrivalMs >= atTimeMs) high = middle;
        else low = middle + 1;
      }
      return { start, end, at: low };
    },
    async readRecords(arn, fromPosition, limits): Promise<DeliveryReadOutcome> {
      const found = await find(arn);
      if (found === undefined) return { ok: false, reason: "not-found" };
      if (found.stream.DeliveryStreamType !== "DirectPut") return { ok: false, reason: "not-direct-put" };
      const read = await context.ingest.read(found.stream.incarnationId, fromPosition, limits.recordsMax, limits.bytesMax);
      return { ok: true, records: read.records.map((record) => ({ position: record.offset, data: record.data, arrivalMs: record.arrivalMs })), next: read.nextOffset };
    },
    watch(arn, listener) {
      let stopped = false;
      let watch: { stop(): void } | undefined;
      void directPut(arn).then((stream) => {
        if (stream !== undefined && !stopped) watch = context.ingest.watch(stream.incarnationId, listener);
        // An append before the watch began is seen by the caller's next read.
        listener();
      });
      return {
        stop: () => {
          stopped = true;
          watch?.stop();
        },
      };
    },
    async putRecordBatch(arn, records): Promise<DeliveryPutOutcome> {
      const found = await find(arn);
      if (found === undefined) return { ok: false, errorCode: "ResourceNotFoundException", errorMessage: `Delivery stream ${arn} not found.`, retriable: false };
      try {
        const { recordIds } = await appendRecords({ ...context, accountId: found.accountId }, found.stream.DeliveryStreamName, records);
        return { ok: true, recordIds };
      } catch (error) {
        if (!(error instanceof ServiceError)) throw error;
        return { ok: false, errorCode: error.type, errorMessage: error.message, retriable: error.statusCode >= 500 };
      }
    },
  };
}
