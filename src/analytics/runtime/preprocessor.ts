/**
 * An input's Lambda preprocessing in the runner (preprocessing.ts has the contract): the taken
 * records go to the function in order, in invocations of at most 500 records and 4 MiB; Ok ones go
 * on with their new data and their ROWTIME, Dropped ones are gone, ProcessingFailed ones become
 * error_stream rows. An invocation that fails, or answers badly (a record left out, a record with
 * no valid result), is tried again, with a growing pause, until it succeeds or the application
 * stops: the input waits meanwhile, as the service's does.
 */
import type { StoredApplication, StoredInput } from "../model.js";
import type { RunnerDeps } from "./runner-deps.js";
import type { SourceRecord } from "./sources/lane.js";

type TakenRecord = { readonly record: SourceRecord; readonly laneId: string; readonly rowtimeMs: number };
import { preprocess, type PreprocessRecord } from "./preprocessing.js";

const recordsPerInvocationMax = 500;
const bytesPerInvocationMax = 4 * 1024 * 1024;
const retryDelayMinMs = 200;
const retryDelayMaxMs = 10_000;

export interface FailedRecord {
  data: Uint8Array;
  rowtimeMs: number;
  name: string;
  message: string;
}

export class Preprocessor {
  private invocations = 0;
  private readonly functionArn: string;
  private readonly streamArn: string;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly application: StoredApplication,
    input: StoredInput,
  ) {
    this.functionArn = input.InputProcessingConfiguration!.InputLambdaProcessor.ResourceARN;
    this.streamArn = (input.KinesisStreamsInput ?? input.KinesisFirehoseInput)!.ResourceARN;
  }

  async process(stream: string, taken: readonly TakenRecord[], stopped: () => boolean): Promise<{ records: TakenRecord[]; failed: FailedRecord[] }> {
    const records: TakenRecord[] = [];
    const failed: FailedRecord[] = [];
    for (const chunk of chunks(taken)) {
      const byId = new Map<string, TakenRecord>();
      const requests = chunk.map((entry, index): PreprocessRecord => {
        const recordId = `${entry.laneId}-${entry.record.position}-${index}`;
        byId.set(recordId, entry);
        const kinesis = entry.record.sequenceNumber !== undefined ? { sequenceNumber: entry.record.sequenceNumber, partitionKey: entry.record.partitionKey ?? "", shardId: entry.laneId } : undefined;
        return { recordId, data: entry.record.data, approximateArrivalMs: entry.record.arrivalMs, ...(kinesis !== undefined && { kinesis }) };
      });
      let delayMs = retryDelayMinMs;
      for (;;) {
        const target = { accountId: this.deps.accountId, functionArn: this.functionArn, applicationArn: this.application.ApplicationARN, streamArn: this.streamArn, invocationId: `${this.application.incarnationId.slice(0, 8)}-${++this.invocations}` };
        const outcome = await preprocess(this.deps.functionInvoker, target, requests);
        if (outcome.ok) {
          for (const result of outcome.results) {
            const entry = byId.get(result.recordId)!;
            if (result.result === "Ok") records.push({ ...entry, record: { ...entry.record, data: result.data } });
            else if (result.result === "ProcessingFailed") failed.push({ data: entry.record.data, rowtimeMs: entry.rowtimeMs, name: "Lambda_processing_failure", message: result.reason });
          }
          break;
        }
        this.deps.logger.warn({ application: this.application.ApplicationName, stream }, `Preprocessing with ${this.functionArn} failed: ${outcome.message}; trying again`);
        if (stopped()) return { records, failed };
        await this.deps.clock.sleep(delayMs, { unref: true });
        delayMs = Math.min(delayMs * 2, retryDelayMaxMs);
      }
    }
    return { records, failed };
  }
}

function chunks(taken: readonly TakenRecord[]): TakenRecord[][] {
  const out: TakenRecord[][] = [];
  let current: TakenRecord[] = [];
  let bytes = 0;
  for (const entry of taken) {
    if (current.length >= recordsPerInvocationMax || (current.length > 0 && bytes + entry.record.data.length > bytesPerInvocationMax)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.record.data.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}
