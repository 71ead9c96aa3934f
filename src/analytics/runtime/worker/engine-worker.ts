/**
 * An application's engine, in a worker thread (engine-host.ts starts it): records in, through the
 * input mapper (src/analytics/input) into rows of the in-application input streams, through the
 * compiled application, and the rows of the streams that have outputs back out, formatted as their
 * destination takes them (JSON or CSV). All the per-row work of a running application happens
 * here, off the server's event loop. Time comes with the messages (the main thread's injected
 * clock): the worker has no clock of its own.
 *
 * Recovery (docs/analytics/api.md, "Checkpoints"): after a restore the main thread sends, per
 * output, the records found in its destination that were written after the checkpoint; a
 * regenerated record equal to one of them is dropped (a multiset: each found record suppresses
 * one), so what was written before the crash is not written again.
 */
import { parentPort } from "node:worker_threads";
import type { ApplicationInstance, RowSink } from "../../engine/contracts.js";
import { errorStreamName } from "../../engine/contracts.js";
import { compileApplication } from "../../engine/compile.js";
import { inputErrorRow } from "../../engine/error-stream.js";
import { functionRegistry } from "../../sql/functions/registry.js";
import type { Column, Row } from "../../sql/types.js";
import { createRecordMapper, type RecordMapper } from "../../input/record-mapper.js";
import { formatRow } from "../../input/output-format.js";
import { parseReferenceObject } from "../../input/reference-data.js";
import type { FromWorker, RecordBatch, ToWorker, WorkerOutput, WorkerReference } from "./protocol.js";

interface OutputState {
  spec: WorkerOutput;
  columns: readonly Column[];
  seq: number;
  firstSeq: number;
  records: string[];
  rowtimesMs: number[];
  suppressed: Map<string, number>;
}

interface Restore {
  engine: unknown;
  outputSeqs: Record<string, number>;
}

const port = parentPort!;
let nowMs = 0;
let instance: ApplicationInstance | undefined;
const mappers = new Map<string, RecordMapper>();
const referenceSchemas = new Map<string, WorkerReference>();
const outputsByStream = new Map<string, OutputState[]>();
const outputs: OutputState[] = [];

function post(message: FromWorker): void {
  port.postMessage(message);
}

const sink: RowSink = (stream, row, rowtimeMs) => {
  const targets = outputsByStream.get(stream);
  if (targets === undefined) return;
  for (const output of targets) {
    output.seq++;
    const text = formatRow(output.columns, row, output.spec.format);
    const found = output.suppressed.get(text);
    if (found !== undefined) {
      if (found <= 1) output.suppressed.delete(text);
      else output.suppressed.set(text, found - 1);
      continue;
    }
    output.records.push(text);
    output.rowtimesMs.push(rowtimeMs);
  }
};

/** Sends what the last message made for each output (one message per output, in output order). */
function flushOutputs(): void {
  for (const output of outputs) {
    if (output.seq === output.firstSeq - 1) continue;
    post({ type: "output", outputId: output.spec.outputId, firstSeq: output.firstSeq, lastSeq: output.seq, records: output.records, rowtimesMs: output.rowtimesMs });
    output.firstSeq = output.seq + 1;
    output.records = [];
    output.rowtimesMs = [];
  }
}

function init(message: Extract<ToWorker, { type: "init" }>): void {
  nowMs = message.nowMs;
  const compiled = compileApplication({ ...message.unit, functions: functionRegistry });
  if (!compiled.ok) {
    post({ type: "init-failed", message: compiled.error.message });
    return;
  }
  const application = compiled.application;
  const schemas = new Map(application.streams().map((stream) => [stream.name, stream.columns]));
  for (const input of message.inputs) {
    const mapper = createRecordMapper(input.schema, input.source);
    for (const stream of input.streams) mappers.set(stream, mapper);
  }
  for (const reference of message.references) referenceSchemas.set(reference.table, reference);
  const restore = message.restore as Restore | undefined;
  for (const spec of message.outputs) {
    const columns = schemas.get(spec.stream);
    // An output naming a stream the code does not create receives nothing (the service accepts it too).
    if (columns === undefined) continue;
    const seq = restore?.outputSeqs[spec.outputId] ?? 0;
    const state: OutputState = { spec, columns, seq, firstSeq: seq + 1, records: [], rowtimesMs: [], suppressed: new Map() };
    outputs.push(state);
    outputsByStream.set(spec.stream, [...(outputsByStream.get(spec.stream) ?? []), state]);
  }
  instance = application.start(sink, { nowMs: () => nowMs });
  if (restore !== undefined) instance.restore(restore.engine);
  post({ type: "ready" });
}

function records(batch: RecordBatch, id: number): void {
  const mapper = mappers.get(batch.stream);
  const rows: Row[] = [];
  const rowtimes: number[] = [];
  let errors = 0;
  let start = 0;
  for (let index = 0; index < batch.ends.length; index++) {
    const end = batch.ends[index]!;
    const data = batch.data.subarray(start, end);
    start = end;
    const rowtimeMs = batch.rowtimesMs[index]!;
    const mapped = mapper!.map(data, {
      approximateArrivalMs: batch.arrivalsMs[index]!,
      ...(batch.partitionKeys !== undefined && { partitionKey: batch.partitionKeys[index]! }),
      ...(batch.sequenceNumbers !== undefined && { sequenceNumber: batch.sequenceNumbers[index]! }),
      ...(batch.shardIds !== undefined && { shardId: batch.shardIds[index]! }),
    });
    if (mapped.ok) {
      for (const row of mapped.rows) {
        rows.push(row);
        rowtimes.push(rowtimeMs);
      }
    } else {
      // Rows before the bad record go in first, so every stream keeps its ROWTIME order.
      if (rows.length > 0) instance!.push(batch.stream, rows.splice(0), rowtimes.splice(0));
      errors++;
      sink(errorStreamName, inputErrorRow(data, rowtimeMs, mapped.errorName, mapped.message, nowMs), rowtimeMs);
    }
  }
  const pushed = rows.length;
  if (pushed > 0) instance!.push(batch.stream, rows, rowtimes);
  flushOutputs();
  post({ type: "pushed", id, rows: pushed, errors });
}

/** A reference table's object, read with its schema (the input owner's parseReferenceObject); rows that don't convert are left out. */
function reference(table: string, data: Uint8Array): void {
  const spec = referenceSchemas.get(table);
  if (spec === undefined) return;
  instance!.setReferenceTable(table, parseReferenceObject(data, spec.schema).rows);
}

function handle(message: ToWorker): void {
  if (message.type === "init") return init(message);
  if (instance === undefined) return;
  switch (message.type) {
    case "records":
      nowMs = message.nowMs;
      return records(message.batch, message.id);
    case "failed-records":
      nowMs = message.nowMs;
      for (const record of message.records) sink(errorStreamName, inputErrorRow(record.data, record.rowtimeMs, record.name, record.message, nowMs), record.rowtimeMs);
      return flushOutputs();
    case "advance":
      nowMs = message.nowMs;
      instance.advance(message.watermarkMs);
      return flushOutputs();
    case "reference":
      nowMs = message.nowMs;
      return reference(message.table, message.data);
    case "suppress": {
      const output = outputs.find((candidate) => candidate.spec.outputId === message.outputId);
      if (output !== undefined) for (const text of message.records) output.suppressed.set(text, (output.suppressed.get(text) ?? 0) + 1);
      return;
    }
    case "checkpoint":
      return post({ type: "checkpoint", id: message.id, engine: instance.snapshot(), outputSeqs: Object.fromEntries(outputs.map((output) => [output.spec.outputId, output.seq])) });
  }
}

port.on("message", (message: ToWorker) => {
  try {
    handle(message);
  } catch (error) {
    post({ type: "crashed", message: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });
  }
});
