/**
 * Messages between the runtime (main thread, engine-host.ts) and an application's engine worker
 * (engine-worker.ts). Order is the protocol: the worker handles messages one at a time, in the
 * order sent, and answers in that order, so a checkpoint's answer follows every output of the rows
 * pushed before it, and comes before any output of rows pushed after it.
 */
import type { CodeUnit } from "../compiler.js";
import type { SourceSchema } from "../../model.js";
import type { SourceKind } from "../../input/record-mapper.js";

export interface WorkerInput {
  /** The in-application streams the input feeds. */
  streams: string[];
  schema: SourceSchema;
  source: SourceKind;
}

export interface WorkerOutput {
  outputId: string;
  /** The in-application stream it writes (case as configured). */
  stream: string;
  format: "JSON" | "CSV";
}

export interface WorkerReference {
  table: string;
  schema: SourceSchema;
}

/** Records of one in-application stream, in ROWTIME order, their bytes in one transferred buffer. */
export interface RecordBatch {
  stream: string;
  /** Record i is bytes [ends[i-1] (0 for i = 0), ends[i]). */
  data: Uint8Array;
  ends: Uint32Array;
  rowtimesMs: Float64Array;
  arrivalsMs: Float64Array;
  partitionKeys?: string[];
  sequenceNumbers?: string[];
  shardIds?: string[];
}

export type ToWorker =
  | { type: "init"; unit: CodeUnit; inputs: WorkerInput[]; outputs: WorkerOutput[]; references: WorkerReference[]; restore?: unknown; nowMs: number }
  | { type: "records"; batch: RecordBatch; nowMs: number; id: number }
  /** Rows that failed before the engine (Lambda preprocessing): error_stream rows with the reason. */
  | { type: "failed-records"; stream: string; records: { data: Uint8Array; rowtimeMs: number; name: string; message: string }[]; nowMs: number }
  | { type: "advance"; watermarkMs: number; nowMs: number }
  | { type: "reference"; table: string; data: Uint8Array; nowMs: number }
  | { type: "suppress"; outputId: string; records: string[] }
  | { type: "checkpoint"; id: number };

export type FromWorker =
  | { type: "ready" }
  | { type: "init-failed"; message: string }
  /** Rows for one output: `firstSeq`…`lastSeq` (suppressed ones included, so the counts line up), the records to write in order. */
  | { type: "output"; outputId: string; firstSeq: number; lastSeq: number; records: string[]; rowtimesMs: number[] }
  | { type: "pushed"; id: number; rows: number; errors: number }
  | { type: "checkpoint"; id: number; engine: unknown; outputSeqs: Record<string, number> }
  | { type: "crashed"; message: string };
