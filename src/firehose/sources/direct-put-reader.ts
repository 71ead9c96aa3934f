/** Reads a DirectPut stream's ingest log from its checkpoint (the next offset to deliver). */
import type { DirectPutLogs } from "./direct-put-log.js";
import { directPutRecordId } from "./record-id.js";
import { waitFor, type SourceChunk, type SourceReader } from "./source-reader.js";

export const directPutLane = "log";
const chunkRecordsMax = 10_000;
const chunkBytesMax = 4 * 1024 * 1024;

export function directPutReader(logs: DirectPutLogs, incarnationId: string, fromOffset: number): SourceReader {
  let offset = fromOffset;
  let wakers: (() => void)[] = [];
  const watch = logs.watch(incarnationId, () => {
    const woken = wakers;
    wakers = [];
    for (const wake of woken) wake();
  });
  return {
    async next(signal): Promise<SourceChunk> {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        if (offset < logs.endOffset(incarnationId)) {
          const read = await logs.read(incarnationId, offset, chunkRecordsMax, chunkBytesMax);
          if (read.records.length > 0) {
            let bytes = 0;
            const records = read.records.map((stored) => {
              bytes += stored.data.length;
              return { recordId: directPutRecordId(incarnationId, stored.offset), data: stored.data, approximateArrivalTimestampMs: stored.arrivalMs };
            });
            offset = read.nextOffset;
            return { lane: directPutLane, records, endPosition: String(offset), bytes };
          }
          offset = Math.max(offset, read.nextOffset);
          continue;
        }
        await waitFor((wake) => {
          wakers.push(wake);
          // An append between the check and the registration is not lost: look again.
          if (offset < logs.endOffset(incarnationId)) wake();
          return () => {
            wakers = wakers.filter((other) => other !== wake);
          };
        }, signal);
      }
    },
    close() {
      watch.stop();
    },
  };
}
