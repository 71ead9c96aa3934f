/**
 * One in-application stream while the application runs: it hands each row to the sink (every
 * stream's rows are observable) and to the operators that read it, and keeps ROWTIME ascending —
 * a row earlier than the stream's last goes to error_stream instead ("The rows are out of order",
 * developer guide "Error Handling"). A stream several pumps insert into merges their rows by
 * ROWTIME first (merge.ts), releasing them as the instance's bounds allow.
 */
import { SqlRuntimeError, type Row } from "../../sql/types.js";
import type { Operator } from "../plan-contracts.js";
import { outOfOrderErrorName } from "../error-stream.js";
import { formatTimestamp } from "../expressions/datetime.js";
import { MergeBuffer } from "./merge.js";

export type RowErrorReporter = (error: Error, row: Row, rowtimeMs: number, pumpName: string | undefined) => void;

export class StreamNode {
  lastRowtimeMs = -Infinity;
  /** Input streams: the latest ROWTIME pushed (the bound of what may still come). */
  lastPushedMs = -Infinity;
  readonly subscribers: Operator[] = [];
  readonly merge: MergeBuffer | undefined;

  constructor(
    readonly name: string,
    /** The pumps inserting into this stream, by inserter index (none for an input). */
    readonly inserters: readonly string[],
    private readonly sink: (stream: string, row: Row, rowtimeMs: number) => void,
    private readonly reportError: RowErrorReporter,
  ) {
    this.merge = inserters.length > 1 ? new MergeBuffer(inserters.length) : undefined;
  }

  insert(inserter: number, row: Row, rowtimeMs: number): void {
    if (this.merge !== undefined) this.merge.add(inserter, row, rowtimeMs);
    else this.deliver(row, rowtimeMs, this.inserters[inserter]);
  }

  /** Releases merged rows up to `limitMs`. */
  releaseUpTo(limitMs: number): void {
    this.merge?.release(limitMs, (row, rowtimeMs) => this.deliver(row, rowtimeMs, undefined));
  }

  deliver(row: Row, rowtimeMs: number, pumpName: string | undefined): void {
    if (rowtimeMs < this.lastRowtimeMs) {
      const message = `ROWTIME ${formatTimestamp(rowtimeMs)} is earlier than ${formatTimestamp(this.lastRowtimeMs)}, the ROWTIME of the previous row of stream "${this.name}"`;
      this.reportError(new SqlRuntimeError(outOfOrderErrorName, message), row, rowtimeMs, pumpName);
      return;
    }
    this.lastRowtimeMs = rowtimeMs;
    this.sink(this.name, row, rowtimeMs);
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) (subscribers[i] as Operator).push(row, rowtimeMs);
  }
}
