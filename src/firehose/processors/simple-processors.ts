/**
 * The processors that work one record at a time with no I/O: Decompression (GZIP, as CloudWatch
 * Logs subscriptions send), CloudWatchLogProcessing (message extraction), RecordDeAggregation (JSON
 * or DELIMITED) and AppendDelimiterToRecord.
 */
import { gunzipSync } from "node:zlib";
import type { FailedRecord, PipelineRecord, ProcessingOutcome, RecordProcessor } from "../delivery/contracts.js";

/** Firehose caps deaggregation at 500 sub-records per record. */
export const deaggregatedRecordsMax = 500;
/** A decompressed record may not grow past this (a gzip bomb must not take the process down). */
export const decompressedBytesMax = 64 * 1024 * 1024;

type Step = (record: PipelineRecord) => PipelineRecord[] | Omit<FailedRecord, "recordId" | "rawData" | "approximateArrivalTimestampMs">;

function perRecord(step: Step): RecordProcessor {
  return {
    async process(records) {
      const ok: PipelineRecord[] = [];
      const failed: FailedRecord[] = [];
      for (const record of records) {
        const result = step(record);
        if (Array.isArray(result)) ok.push(...result);
        else failed.push({ ...result, recordId: record.recordId, rawData: record.data, approximateArrivalTimestampMs: record.approximateArrivalTimestampMs });
      }
      return { ok, failed, droppedCount: 0 } satisfies ProcessingOutcome;
    },
  };
}

// Captured from Firehose: failures of the CloudWatch Logs stages go to their own error output type, not processing-failed.
const decompressionFailed = { errorCode: "Decompression.Failed", errorMessage: "Decompression failed.", errorOutputType: "decompression-failed" } as const;

/** Decompression with CompressionFormat GZIP. */
export function createDecompression(): RecordProcessor {
  return perRecord((record) => {
    try {
      return [{ ...record, data: gunzipSync(record.data, { maxOutputLength: decompressedBytesMax }) }];
    } catch {
      return decompressionFailed;
    }
  });
}

interface LogsMessage {
  messageType?: unknown;
  logEvents?: unknown;
}

/**
 * CloudWatchLogProcessing with DataMessageExtraction: a subscription's DATA_MESSAGE becomes its
 * log events' messages, each followed by a newline, in one record; a CONTROL_MESSAGE carries no
 * events and becomes an empty record (as captured from Firehose). Anything that is not a
 * subscription payload fails. With DataMessageExtraction false, records pass unchanged.
 */
export function createCloudWatchLogProcessing(dataMessageExtraction: boolean): RecordProcessor {
  if (!dataMessageExtraction) return perRecord((record) => [record]);
  return perRecord((record) => {
    let payload: LogsMessage;
    try {
      payload = JSON.parse(record.data.toString("utf8")) as LogsMessage;
    } catch {
      return decompressionFailed;
    }
    if (payload === null || typeof payload !== "object") return decompressionFailed;
    if (payload.messageType === "CONTROL_MESSAGE") return [{ ...record, data: Buffer.alloc(0) }];
    if (payload.messageType !== "DATA_MESSAGE" || !Array.isArray(payload.logEvents)) return decompressionFailed;
    const messages: string[] = [];
    for (const event of payload.logEvents as { message?: unknown }[]) {
      if (event === null || typeof event !== "object" || typeof event.message !== "string") return decompressionFailed;
      messages.push(`${event.message}\n`);
    }
    return [{ ...record, data: Buffer.from(messages.join(""), "utf8") }];
  });
}

/**
 * RecordDeAggregation: JSON splits concatenated or newline-separated JSON objects
 * (`{"a":1}{"a":2}`, `{"a":1}\n{"a":2}`; an array is not split), DELIMITED splits on the
 * Delimiter parameter's decoded bytes. Each sub-record is a record of its own, with the parent's
 * id suffixed by its index so ids stay unique (`<id>:<n>`) and its arrival time.
 */
export function createRecordDeAggregation(subRecordType: "JSON" | "DELIMITED", delimiterBase64: string | undefined): RecordProcessor {
  const delimiter = delimiterBase64 === undefined ? undefined : Buffer.from(delimiterBase64, "base64");
  return perRecord((record) => {
    const parts = subRecordType === "JSON" ? splitJsonObjects(record.data) : splitDelimited(record.data, delimiter!);
    if (parts === undefined) return { errorCode: "RecordDeAggregation.Failed", errorMessage: "Non JSON record provided", errorOutputType: "processing-failed" };
    if (parts.length > deaggregatedRecordsMax) return { errorCode: "RecordDeAggregation.Failed", errorMessage: `Record deaggregation is capped at ${deaggregatedRecordsMax} sub-records per record.`, errorOutputType: "processing-failed" };
    if (parts.length === 1) return [{ ...record, data: parts[0]! }];
    return parts.map((data, index) => ({ ...record, recordId: `${record.recordId}:${index}`, data }));
  });
}

function splitDelimited(data: Buffer, delimiter: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (;;) {
    const at = data.indexOf(delimiter, start);
    if (at < 0) break;
    parts.push(data.subarray(start, at));
    start = at + delimiter.length;
  }
  // A trailing delimiter ends the last sub-record rather than opening an empty one.
  if (start < data.length || parts.length === 0) parts.push(data.subarray(start));
  return parts;
}

/** Top-level JSON objects, found by scanning braces outside strings; undefined when the text is not a run of objects. */
function splitJsonObjects(data: Buffer): Buffer[] | undefined {
  const parts: Buffer[] = [];
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  for (let i = 0; i < data.length; i += 1) {
    const byte = data[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (depth === 0) {
      if (byte === 0x7b) {
        start = i;
        depth = 1;
      } else if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return undefined;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) depth += 1;
    else if (byte === 0x7d || byte === 0x5d) {
      depth -= 1;
      if (depth === 0) parts.push(data.subarray(start, i + 1));
    }
  }
  if (depth !== 0 || inString || parts.length === 0) return undefined;
  for (const part of parts) {
    try {
      JSON.parse(part.toString("utf8"));
    } catch {
      return undefined;
    }
  }
  return parts;
}

/** AppendDelimiterToRecord: a newline after each record (Firehose takes no parameter for it; a Delimiter is not documented). */
export function createAppendDelimiter(): RecordProcessor {
  const newline = Buffer.from("\n");
  return perRecord((record) => [{ ...record, data: Buffer.concat([record.data, newline]) }]);
}
