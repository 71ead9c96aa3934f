/** Taken records as one message to the engine worker: their bytes in one buffer (transferred), their metadata in arrays. */
import type { SourceRecord } from "../sources/lane.js";
import type { RecordBatch } from "./protocol.js";

/** The taken records as one message: their bytes in one buffer (transferred), metadata in arrays. */
export function batchOf(stream: string, taken: readonly { record: SourceRecord; laneId: string; rowtimeMs: number }[], kinesis: boolean): RecordBatch {
  let bytes = 0;
  for (const { record } of taken) bytes += record.data.length;
  const data = new Uint8Array(bytes);
  const ends = new Uint32Array(taken.length);
  const rowtimesMs = new Float64Array(taken.length);
  const arrivalsMs = new Float64Array(taken.length);
  let offset = 0;
  taken.forEach(({ record, rowtimeMs }, index) => {
    data.set(record.data, offset);
    offset += record.data.length;
    ends[index] = offset;
    rowtimesMs[index] = rowtimeMs;
    arrivalsMs[index] = record.arrivalMs;
  });
  if (!kinesis) return { stream, data, ends, rowtimesMs, arrivalsMs };
  return {
    stream,
    data,
    ends,
    rowtimesMs,
    arrivalsMs,
    partitionKeys: taken.map(({ record }) => record.partitionKey ?? ""),
    sequenceNumbers: taken.map(({ record }) => record.sequenceNumber ?? ""),
    shardIds: taken.map(({ laneId }) => laneId),
  };
}
