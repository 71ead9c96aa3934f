/**
 * The replay's records.jsonl: one record a line,
 *   {"arrival": <epoch ms>, "approximateArrival": <epoch ms, optional>, "partitionKey": "…",
 *    "data": <a JSON value, serialised in its key order, or a string>}
 * and optionally "stream" (which in-application input stream, for InputParallelism above 1),
 * "sequenceNumber" and "shardId". `arrival` is the record's ROWTIME, so lines must come in arrival
 * order. Blank lines are skipped.
 */

export interface ReplayRecord {
  /** 1-based line in records.jsonl, for messages. */
  line: number;
  arrivalMs: number;
  approximateArrivalMs: number;
  partitionKey: string;
  data: Uint8Array;
  stream?: string;
  sequenceNumber?: string;
  shardId?: string;
}

export class ReplayRecordError extends Error {
  override name = "ReplayRecordError";
}

const encoder = new TextEncoder();
const timestampMax = 8.64e15;

function optionalString(object: Record<string, unknown>, key: string, line: number): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ReplayRecordError(`line ${line}: "${key}" must be a string`);
  return value;
}

function epochMs(value: unknown, key: string, line: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || Math.abs(value) > timestampMax) {
    throw new ReplayRecordError(`line ${line}: "${key}" must be a whole number of milliseconds since the epoch`);
  }
  return value;
}

/** Reads records.jsonl's text; throws ReplayRecordError naming the line. */
export function parseReplayRecords(text: string): ReplayRecord[] {
  const records: ReplayRecord[] = [];
  let previousMs = -Infinity;
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new ReplayRecordError(`line ${line}: not JSON: ${(error as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ReplayRecordError(`line ${line}: must be an object with "arrival" and "data"`);
    const object = value as Record<string, unknown>;
    const arrivalMs = epochMs(object.arrival, "arrival", line);
    if (arrivalMs < previousMs) throw new ReplayRecordError(`line ${line}: arrival ${arrivalMs} is before the previous record's ${previousMs}: records must come in arrival order`);
    previousMs = arrivalMs;
    if (!("data" in object)) throw new ReplayRecordError(`line ${line}: "data" is missing`);
    const data = typeof object.data === "string" ? object.data : JSON.stringify(object.data);
    const record: ReplayRecord = {
      line,
      arrivalMs,
      approximateArrivalMs: object.approximateArrival === undefined ? arrivalMs : epochMs(object.approximateArrival, "approximateArrival", line),
      partitionKey: optionalString(object, "partitionKey", line) ?? "",
      data: encoder.encode(data),
    };
    const stream = optionalString(object, "stream", line);
    const sequenceNumber = optionalString(object, "sequenceNumber", line);
    const shardId = optionalString(object, "shardId", line);
    if (stream !== undefined) record.stream = stream;
    if (sequenceNumber !== undefined) record.sequenceNumber = sequenceNumber;
    if (shardId !== undefined) record.shardId = shardId;
    records.push(record);
  });
  return records;
}
