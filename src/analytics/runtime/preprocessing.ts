/**
 * Lambda preprocessing of input records (the developer guide's "Preprocessing Data Using a Lambda
 * Function"): the function receives
 *   {"invocationId", "applicationArn", "streamArn", "records": [{"recordId", "data": base64,
 *    "kinesisStreamRecordMetadata": {"sequenceNumber", "partitionKey", "shardId", "approximateArrivalTimestamp"}}
 *    | … "kinesisFirehoseRecordMetadata": {"approximateArrivalTimestamp"}]}
 * and answers {"records": [{"recordId", "result": "Ok" | "Dropped" | "ProcessingFailed", "data": base64}]}.
 * Ok records go on (their new data), Dropped ones are gone, ProcessingFailed ones — and records the
 * answer leaves out — go to error_stream. A failed invocation is retried by the caller.
 */
import type { FunctionInvoker } from "../../storage/function-invoker.js";

export interface PreprocessRecord {
  recordId: string;
  data: Buffer;
  approximateArrivalMs: number;
  /** Kinesis sources only. */
  kinesis?: { sequenceNumber: string; partitionKey: string; shardId: string };
}

export type PreprocessResult = { recordId: string; result: "Ok"; data: Buffer } | { recordId: string; result: "Dropped" } | { recordId: string; result: "ProcessingFailed"; reason: string };

export type PreprocessOutcome = { ok: true; results: PreprocessResult[] } | { ok: false; message: string; retriable: boolean };

export interface PreprocessTarget {
  accountId: string;
  functionArn: string;
  applicationArn: string;
  streamArn: string;
  invocationId: string;
}

export async function preprocess(invoker: FunctionInvoker, target: PreprocessTarget, records: readonly PreprocessRecord[]): Promise<PreprocessOutcome> {
  const event = {
    invocationId: target.invocationId,
    applicationArn: target.applicationArn,
    streamArn: target.streamArn,
    records: records.map((record) => ({
      recordId: record.recordId,
      ...(record.kinesis !== undefined
        ? { kinesisStreamRecordMetadata: { ...record.kinesis, approximateArrivalTimestamp: record.approximateArrivalMs } }
        : { kinesisFirehoseRecordMetadata: { approximateArrivalTimestamp: record.approximateArrivalMs } }),
      data: record.data.toString("base64"),
    })),
  };
  const outcome = await invoker.invoke(target.accountId, target.functionArn, Buffer.from(JSON.stringify(event)));
  if (!outcome.ok) return { ok: false, message: `${outcome.errorCode}: ${outcome.errorMessage}`, retriable: outcome.retriable };
  if (outcome.functionError !== undefined) return { ok: false, message: `The preprocessing function failed: ${outcome.payload.toString("utf8").slice(0, 512)}`, retriable: true };
  return { ok: true, results: readAnswer(outcome.payload, records) };
}

/** Each record's fate by its id; a record the answer leaves out, or answers badly, failed. */
function readAnswer(payload: Buffer, records: readonly PreprocessRecord[]): PreprocessResult[] {
  let answered: Map<string, unknown> = new Map();
  let problem: string | undefined;
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as { records?: unknown };
    if (!Array.isArray(parsed.records)) problem = "The preprocessing function's response has no records array.";
    else answered = new Map(parsed.records.filter(isObject).map((entry) => [String(entry.recordId), entry]));
  } catch {
    problem = "The preprocessing function's response is not JSON.";
  }
  return records.map((record): PreprocessResult => {
    if (problem !== undefined) return { recordId: record.recordId, result: "ProcessingFailed", reason: problem };
    const entry = answered.get(record.recordId);
    if (!isObject(entry)) return { recordId: record.recordId, result: "ProcessingFailed", reason: "The preprocessing function's response does not contain the record." };
    if (entry.result === "Dropped") return { recordId: record.recordId, result: "Dropped" };
    if (entry.result === "Ok" && typeof entry.data === "string") return { recordId: record.recordId, result: "Ok", data: Buffer.from(entry.data, "base64") };
    return { recordId: record.recordId, result: "ProcessingFailed", reason: entry.result === "ProcessingFailed" ? "The preprocessing function answered ProcessingFailed." : "The preprocessing function's answer for the record is invalid." };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
