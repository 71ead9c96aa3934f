/**
 * The Lambda processor: Firehose's data transformation contract. Records go to the function in
 * invocations of at most BufferSizeInMBs of record data (default 1 MB) and within Lambda's 6 MB
 * synchronous payload, as
 *   {invocationId, deliveryStreamArn, region, [sourceKinesisStreamArn,] records: [{recordId,
 *    approximateArrivalTimestamp, data (base64), [kinesisRecordMetadata]}]}
 * and the function answers {records: [{recordId, result: Ok|Dropped|ProcessingFailed, data,
 * metadata: {partitionKeys}}]}. An invocation that fails (the function threw, timed out, was
 * throttled) is tried NumberOfRetries more times (default 3) with backoff, each try with a fresh
 * invocationId and the same recordIds; then its records fail with Lambda.FunctionError. An answer
 * that came back is final however malformed: records it does not name fail with
 * Lambda.MissingRecordId, named twice with Lambda.DuplicatedRecordId, ProcessingFailed with
 * Lambda.ProcessingFailedStatus — each to the `processing-failed` error output with the record as
 * it entered the function.
 */
import type { FailedRecord, PipelineRecord, ProcessingOutcome, RecordProcessor } from "../delivery/contracts.js";
import type { FunctionInvoker } from "../../storage/function-invoker.js";
import type { Clock } from "../../util/clock.js";
import type { Random } from "../../util/random.js";
import type { Logger } from "../../util/logger.js";
import type { DeliveryStreamMetrics } from "../metrics.js";

/** Lambda's synchronous request payload bound. */
export const invokePayloadBytesMax = 6 * 1024 * 1024;
/** Room for the event's envelope and each record's fields around its base64 data. */
const recordEnvelopeBytes = 256;
const eventEnvelopeBytes = 1024;
/** Backoff between tries of a failed invocation: doubling from 1 s, at most 30 s. */
export const retryBackoffMsInitial = 1000;
export const retryBackoffMsMax = 30_000;

// Firehose's texts (recorded in the error records it writes).
export const lambdaMessages = {
  functionError: "The Lambda function was successfully invoked but it returned an error result.",
  missingRecordId: "One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.",
  duplicatedRecordId: "Multiple records were returned with the same record Id. Ensure that the Lambda function returns a unique record Id for each record.",
  processingFailedStatus: "ProcessingFailed status set for record",
  invalidResult: "The result field must be one of Ok, Dropped or ProcessingFailed.",
  nullData: "The data field cannot be null when the SourceType is DirectPut or KinesisStreamAsSource and processing result is Ok. The value field cannot be null when the SourceType is MSKAsSource and processing result is Ok.",
  jsonProcessing: "The response from the Lambda function could not be parsed.",
} as const;

export interface LambdaProcessorOptions {
  readonly functionArn: string;
  readonly numberOfRetries: number;
  readonly bufferSizeMB: number;
  readonly accountId: string;
  readonly region: string;
  readonly deliveryStreamArn: string;
  readonly sourceKinesisStreamArn?: string;
  readonly functionInvoker: FunctionInvoker;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Where each invocation's ExecuteProcessing.* and SucceedProcessing.* go (src/firehose/metrics.ts). */
  readonly metrics?: DeliveryStreamMetrics;
}

interface ResponseRecord {
  recordId?: unknown;
  result?: unknown;
  data?: unknown;
  metadata?: { partitionKeys?: unknown };
}

type Verdict = { kind: "ok"; record: PipelineRecord } | { kind: "dropped" } | { kind: "failed"; errorCode: string; errorMessage: string };

export class LambdaProcessor implements RecordProcessor {
  constructor(private readonly options: LambdaProcessorOptions) {}

  async process(records: readonly PipelineRecord[]): Promise<ProcessingOutcome> {
    const ok: PipelineRecord[] = [];
    const failed: FailedRecord[] = [];
    let droppedCount = 0;
    for (const group of this.invocationGroups(records)) {
      const verdicts = await this.transform(group);
      group.forEach((record, index) => {
        const verdict = verdicts[index]!;
        if (verdict.kind === "ok") ok.push(verdict.record);
        else if (verdict.kind === "dropped") droppedCount += 1;
        else failed.push({ recordId: record.recordId, rawData: record.data, approximateArrivalTimestampMs: record.approximateArrivalTimestampMs, errorCode: verdict.errorCode, errorMessage: verdict.errorMessage, lambdaArn: this.options.functionArn, errorOutputType: "processing-failed" });
      });
    }
    return { ok, failed, droppedCount };
  }

  /** Consecutive records within BufferSizeInMBs of data and the 6 MB payload; a record alone always makes a group. */
  private *invocationGroups(records: readonly PipelineRecord[]): Generator<PipelineRecord[]> {
    const dataBytesMax = this.options.bufferSizeMB * 1024 * 1024;
    let group: PipelineRecord[] = [];
    let dataBytes = 0;
    let payloadBytes = eventEnvelopeBytes;
    for (const record of records) {
      const recordPayloadBytes = Math.ceil(record.data.length / 3) * 4 + recordEnvelopeBytes;
      if (group.length > 0 && (dataBytes + record.data.length > dataBytesMax || payloadBytes + recordPayloadBytes > invokePayloadBytesMax)) {
        yield group;
        group = [];
        dataBytes = 0;
        payloadBytes = eventEnvelopeBytes;
      }
      group.push(record);
      dataBytes += record.data.length;
      payloadBytes += recordPayloadBytes;
    }
    if (group.length > 0) yield group;
  }

  private async transform(group: readonly PipelineRecord[]): Promise<Verdict[]> {
    const { functionInvoker, accountId, functionArn, numberOfRetries, clock, logger } = this.options;
    let backoffMs = retryBackoffMsInitial;
    let lastFailure: { errorCode: string; errorMessage: string } = { errorCode: "Lambda.FunctionError", errorMessage: lambdaMessages.functionError };
    for (let attempt = 0; attempt <= numberOfRetries; attempt += 1) {
      if (attempt > 0) {
        await clock.sleep(backoffMs, { unref: true });
        backoffMs = Math.min(backoffMs * 2, retryBackoffMsMax);
      }
      const invokedMs = clock.nowMs();
      const outcome = await functionInvoker.invoke(accountId, functionArn, this.event(group));
      const { metrics } = this.options;
      if (outcome.ok && outcome.functionError === undefined) {
        const verdicts = this.verdicts(group, outcome.payload);
        if (metrics !== undefined) recordProcessed(metrics, clock.nowMs() - invokedMs, verdicts);
        return verdicts;
      }
      metrics?.processed(clock.nowMs() - invokedMs, false, 0, 0);
      if (outcome.ok) {
        lastFailure = { errorCode: "Lambda.FunctionError", errorMessage: lambdaMessages.functionError };
        logger.warn({ functionArn, attempt, functionError: outcome.functionError }, "firehose transformation function returned an error");
        continue;
      }
      lastFailure = invokeFailure(outcome.errorCode, outcome.errorMessage);
      logger.warn({ functionArn, attempt, errorCode: outcome.errorCode }, "firehose transformation function could not be invoked");
      if (!outcome.retriable) break;
    }
    return group.map(() => ({ kind: "failed", ...lastFailure }));
  }

  private event(group: readonly PipelineRecord[]): Buffer {
    const { deliveryStreamArn, region, sourceKinesisStreamArn } = this.options;
    const event = {
      invocationId: uuid(this.options.random.bytes(16)),
      deliveryStreamArn,
      ...(sourceKinesisStreamArn !== undefined && { sourceKinesisStreamArn }),
      region,
      records: group.map((record) => ({
        recordId: record.recordId,
        approximateArrivalTimestamp: record.approximateArrivalTimestampMs,
        data: record.data.toString("base64"),
        ...(record.kinesisRecordMetadata !== undefined && {
          kinesisRecordMetadata: {
            shardId: record.kinesisRecordMetadata.shardId,
            partitionKey: record.kinesisRecordMetadata.partitionKey,
            approximateArrivalTimestamp: record.kinesisRecordMetadata.approximateArrivalTimestampMs,
            sequenceNumber: record.kinesisRecordMetadata.sequenceNumber,
            subsequenceNumber: record.kinesisRecordMetadata.subsequenceNumber ?? 0,
          },
        }),
      })),
    };
    return Buffer.from(JSON.stringify(event));
  }

  private verdicts(group: readonly PipelineRecord[], payload: Buffer): Verdict[] {
    let answered: ResponseRecord[];
    try {
      const parsed = JSON.parse(payload.toString("utf8")) as { records?: unknown } | null;
      // An answer without a records array names no record: each is missing (as Firehose reports it).
      answered = parsed !== null && typeof parsed === "object" && Array.isArray(parsed.records) ? (parsed.records as ResponseRecord[]) : [];
    } catch {
      return group.map(() => ({ kind: "failed", errorCode: "Lambda.JsonProcessingException", errorMessage: lambdaMessages.jsonProcessing }));
    }
    const byId = new Map<string, ResponseRecord>();
    const duplicated = new Set<string>();
    for (const entry of answered) {
      if (entry === null || typeof entry !== "object" || typeof entry.recordId !== "string") continue;
      if (byId.has(entry.recordId)) duplicated.add(entry.recordId);
      else byId.set(entry.recordId, entry);
    }
    return group.map((record) => verdictFor(record, byId.get(record.recordId), duplicated.has(record.recordId)));
  }
}

/** One answered invocation's ExecuteProcessing.* and its Ok records' SucceedProcessing.*. */
function recordProcessed(metrics: DeliveryStreamMetrics, durationMs: number, verdicts: readonly Verdict[]): void {
  let records = 0;
  let bytes = 0;
  for (const verdict of verdicts) {
    if (verdict.kind !== "ok") continue;
    records++;
    bytes += verdict.record.data.length;
  }
  metrics.processed(durationMs, true, records, bytes);
}

function verdictFor(record: PipelineRecord, entry: ResponseRecord | undefined, duplicated: boolean): Verdict {
  if (duplicated) return { kind: "failed", errorCode: "Lambda.DuplicatedRecordId", errorMessage: lambdaMessages.duplicatedRecordId };
  if (entry === undefined) return { kind: "failed", errorCode: "Lambda.MissingRecordId", errorMessage: lambdaMessages.missingRecordId };
  if (entry.result === "Dropped") return { kind: "dropped" };
  if (entry.result === "ProcessingFailed") return { kind: "failed", errorCode: "Lambda.ProcessingFailedStatus", errorMessage: lambdaMessages.processingFailedStatus };
  if (entry.result !== "Ok") return { kind: "failed", errorCode: "Lambda.InvalidReturnFormat", errorMessage: lambdaMessages.invalidResult };
  if (typeof entry.data !== "string") return { kind: "failed", errorCode: "Lambda.InvalidReturnFormat", errorMessage: lambdaMessages.nullData };
  const partitionKeys = readPartitionKeys(entry.metadata?.partitionKeys);
  return {
    kind: "ok",
    record: {
      ...record,
      data: Buffer.from(entry.data, "base64"),
      ...(partitionKeys !== undefined && { partitionKeys: { ...record.partitionKeys, ...partitionKeys } }),
    },
  };
}

/** `metadata.partitionKeys`: string values kept, numbers and booleans written as JSON writes them. */
function readPartitionKeys(value: unknown): Record<string, string> | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const keys: Record<string, string> = {};
  for (const [name, key] of Object.entries(value as Record<string, unknown>)) {
    if (typeof key === "string") keys[name] = key;
    else if (typeof key === "number" || typeof key === "boolean") keys[name] = String(key);
  }
  return keys;
}

function invokeFailure(lambdaErrorCode: string, message: string): { errorCode: string; errorMessage: string } {
  switch (lambdaErrorCode) {
    case "ResourceNotFoundException":
      return { errorCode: "Lambda.ResourceNotFound", errorMessage: message };
    case "TooManyRequestsException":
      return { errorCode: "Lambda.InvokeLimitExceeded", errorMessage: message };
    default:
      return { errorCode: "Lambda.FunctionError", errorMessage: lambdaMessages.functionError };
  }
}

function uuid(bytes: Buffer): string {
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
