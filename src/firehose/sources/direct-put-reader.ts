/** Reads a DirectPut stream's ingest log from its checkpoint (the next offset to deliver). */
import type { StoredRecord } from "../../storage/types.js";
import type { DirectPutLogs } from "./direct-put-log.js";
import { directPutRecordId } from "./record-id.js";
import { waitFor, type SourceChunk, type SourceReader } from "./source-reader.js";

export const directPutLane = "log";
const chunkRecordsMax = 10_000;
const chunkBytesMax = 4 * 1024 * 1024;
/**
 * A chunk is read as up to this many reads of consecutive offset ranges, side by side. The log
 * reads a few hundred KiB per disk read, each a threadpool round trip that waits for the event
 * loop; under ingest the loop is busy with PutRecordBatch, and one 4 MiB read made ~17 such trips
 * in a row (~90 ms: delivery's slowest step). Split in four, the trips overlap.
 */
const partsMax = 4;

export function directPutReader(logs: DirectPutLogs, incarnationId: string, fromOffset: number): SourceReader {
  let offset = fromOffset;
  // Bytes per record in the last chunk: how many records make a chunk's bytes.
  let recordBytesEstimate = 1024;
  let wakers: (() => void)[] = [];
  const watch = logs.watch(incarnationId, () => {
    const woken = wakers;
    wakers = [];
    for (const wake of woken) wake();
  });

  /** The records from `offset` on, in order and without a gap, within the chunk's bounds. */
  async function readChunk(endOffset: number): Promise<{ records: StoredRecord[]; nextOffset: number }> {
    const total = Math.max(1, Math.min(endOffset - offset, chunkRecordsMax, Math.floor(chunkBytesMax / recordBytesEstimate)));
    const perPart = Math.ceil(total / partsMax);
    const parts: number[] = [];
    for (let from = offset; from < offset + total; from += perPart) parts.push(from);
    const bytesMax = Math.ceil(chunkBytesMax / parts.length);
    const reads = await Promise.all(parts.map((from) => logs.read(incarnationId, from, Math.min(perPart, offset + total - from), bytesMax)));
    const records: StoredRecord[] = [];
    let nextOffset = offset;
    for (let i = 0; i < reads.length; i++) {
      const read = reads[i]!;
      // A part is kept only if it continues where the ones before ended: after a part cut short
      // by its bytes, the rest waits for the next chunk (and retention may have moved the start).
      if (i > 0 && read.records[0]?.offset !== nextOffset) break;
      for (const record of read.records) records.push(record);
      nextOffset = Math.max(nextOffset, read.nextOffset);
    }
    return { records, nextOffset };
  }

  return {
    async next(signal): Promise<SourceChunk> {
      for (;;) {
        if (signal.aborted) throw signal.reason;
        const endOffset = logs.endOffset(incarnationId);
        if (offset < endOffset) {
          const read = await readChunk(endOffset);
          if (read.records.length > 0) {
            let bytes = 0;
            const records = read.records.map((stored) => {
              bytes += stored.data.length;
              return { recordId: directPutRecordId(incarnationId, stored.offset), data: stored.data, approximateArrivalTimestampMs: stored.arrivalMs };
            });
            offset = read.nextOffset;
            recordBytesEstimate = Math.max(1, Math.ceil(bytes / records.length));
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
