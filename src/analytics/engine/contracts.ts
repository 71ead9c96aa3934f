/**
 * The SQL engine as the runtime (the worker that runs an application) and the replay command
 * (`tributary analytics run`) use it: compile application code against its input streams and
 * reference tables, then push rows, advance time and collect the rows every in-application stream
 * receives. Pure and synchronous: no I/O, no clock of its own (time arrives as ROWTIMEs and
 * watermarks), deterministic for a given input order and seed.
 */
import type { Column, Row, SqlCompileError } from "../sql/types.js";
import type { FunctionRegistry } from "../sql/functions/contracts.js";

export interface StreamSchema {
  /** In-application stream name, e.g. SOURCE_SQL_STREAM_001 (case as the service keeps it). */
  name: string;
  /**
   * Columns in order, without ROWTIME (which every stream has implicitly). An input stream's
   * columns are its schema's mapped columns followed by APPROXIMATE_ARRIVAL_TIME, PARTITION_KEY,
   * SEQUENCE_NUMBER and SHARD_ID for a Kinesis source as the service adds them (see docs).
   */
  columns: Column[];
}

export interface CompileRequest {
  code: string;
  inputs: StreamSchema[];
  /** Reference tables (AddApplicationReferenceDataSource), by TableName. */
  references: StreamSchema[];
  functions: FunctionRegistry;
  /** Seed for randomised functions (RANDOM_CUT_FOREST). */
  seed: number;
}

export type CompileResult = { ok: true; application: CompiledApplication } | { ok: false; error: SqlCompileError };

export interface CompiledApplication {
  /** Every in-application stream: the inputs, those the code creates, and error_stream. */
  streams(): StreamSchema[];
  start(sink: RowSink, clock: { nowMs(): number }): ApplicationInstance;
}

/** Where rows go: every row any in-application stream receives (error_stream included), in order. */
export type RowSink = (stream: string, row: Row, rowtimeMs: number) => void;

export interface ApplicationInstance {
  /** Replaces a reference table's rows (loaded from its S3 object). */
  setReferenceTable(name: string, rows: Row[]): void;
  /** Rows of one input stream, with their ROWTIMEs (non-decreasing per input). */
  push(input: string, rows: readonly Row[], rowtimesMs: readonly number[]): void;
  /**
   * No later row on any input will have a ROWTIME below `watermarkMs`: windows that end at or
   * before it close and emit. The runtime calls it as time passes (the service closes windows on
   * time, not only on the next row); replay calls it with +Infinity at the end of the input.
   */
  advance(watermarkMs: number): void;
  /** JSON-serialisable state (open windows, LAG buffers, table-function state), for checkpoints. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

export const errorStreamName = "error_stream";
