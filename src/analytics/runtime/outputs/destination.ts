/**
 * Where an output's records go (an Output's KinesisStreamsOutput, KinesisFirehoseOutput or
 * LambdaOutput), behind one interface for the writer (writer.ts): a write answers which records
 * were stored, and `mark` says where the destination stands after everything written so far, so a
 * recovery can read back what was written after a checkpoint (read-back.ts).
 */

/** Where a destination stood at a checkpoint, after the records before it were written. */
export type OutputMark =
  | { kind: "kinesis"; arn: string; atMs: number; shards: Record<string, string> }
  | { kind: "firehose"; arn: string; position: number }
  | { kind: "lambda" };

export type WriteOutcome = { ok: true; failed: readonly number[] } | { ok: false; message: string };

export interface Destination {
  readonly description: string;
  readonly recordsPerWriteMax: number;
  readonly bytesPerWriteMax: number;
  /** Writes the records in order; `failed` names those to write again (throttled, failed), by index. */
  write(records: readonly Buffer[]): Promise<WriteOutcome>;
  mark(): Promise<OutputMark>;
}
