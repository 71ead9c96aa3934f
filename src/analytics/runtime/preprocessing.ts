/**
 * Lambda preprocessing of input records (the developer guide's "Preprocessing Data Using a Lambda
 * Function"): the function receives
 *   {"invocationId", "applicationArn", "streamArn", "records": [{"recordId", "data": base64,
 *    "kinesisStreamRecordMetadata": {"sequenceNumber", "partitionKey", "shardId", "approximateArrivalTimestamp"}}
 *    | … "kinesisFirehoseRecordMetadata": {"approximateArrivalTimestamp"}]}
 * and answers {"records": [{"recordId", "result": "Ok" | "Dropped" | "ProcessingFailed", "data": base64}]}.
 * Ok records go on (their new data), Dropped ones are gone, ProcessingFailed ones go to error_stream.
 * An answer that is not JSON, lacks a record sent, or gives a record no valid result (or an Ok one
 * no data) is, in the guide's words ("Record Response Model", "Common Data Preprocessing
 * Failures"), "a data preprocessing failure": like a failed invocation, it is retried by the caller
 * "on the same set of records until successful".
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
  const answer = readAnswer(outcome.payload, records);
  return typeof answer === "string" ? { ok: false, message: answer, retriable: true } : { ok: true, results: answer };
}

/** Each record's fate by its id, or what makes the answer a preprocessing failure. */
function readAnswer(payload: Buffer, records: readonly PreprocessRecord[]): PreprocessResult[] | string {
  let answered: Map<string, unknown>;
  try {
    const parsed = JSON.parse(payload.toString("utf8")) as { records?: unknown };
    if (!Array.isArray(parsed.records)) return "The preprocessing function's response has no records array.";
    answered = new Map(parsed.records.filter(isObject).map((entry) => [String(entry.recordId), entry]));
  } catch {
    return "The preprocessing function's response is not JSON.";
  }
  const results: PreprocessResult[] = [];
  for (const record of records) {
    const entry = answered.get(record.recordId);
    if (!isObject(entry)) return `The preprocessing function's response does not contain record ${record.recordId}.`;
    if (entry.result === "Dropped") results.push({ recordId: record.recordId, result: "Dropped" });
    else if (entry.result === "ProcessingFailed") results.push({ recordId: record.recordId, result: "ProcessingFailed", reason: "The preprocessing function answered ProcessingFailed." });
    else if (entry.result === "Ok" && typeof entry.data === "string") results.push({ recordId: record.recordId, result: "Ok", data: Buffer.from(entry.data, "base64") });
    else return `The preprocessing function's answer for record ${record.recordId} has no valid result and data.`;
  }
  return results;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
