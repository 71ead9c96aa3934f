/**
 * The tumbling window of TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING: windows of
 * windowSize seconds aligned on the epoch (as STEP(ROWTIME BY INTERVAL ...) aligns them), each
 * holding the rows with start <= ROWTIME < end. A window closes when a row at or past its end
 * arrives, or when time is advanced to its end; its result rows carry ROWTIME = the window's end.
 * A window that saw no row emits nothing.
 */
import type { Row } from "../../types.js";
import type { TableFunctionInstance } from "../contracts.js";

type Emit = (row: Row, rowtimeMs: number) => void;

export interface TumblingState<S> {
  end: number | null;
  window: S | null;
}

export abstract class TumblingInstance<S> implements TableFunctionInstance {
  /** The open window's end (exclusive), or null when no row is waiting. */
  private windowEndMs: number | null = null;

  constructor(private readonly windowSizeMs: number) {}

  /** Adds one row to the open window. */
  protected abstract add(row: Row): void;
  /** The open window's result rows; then the window is forgotten. */
  protected abstract close(): Row[];
  protected abstract saveWindow(): S;
  protected abstract loadWindow(state: S): void;

  push(row: Row, rowtimeMs: number, emit: Emit): void {
    this.advance(rowtimeMs, emit);
    if (this.windowEndMs === null) this.windowEndMs = Math.floor(rowtimeMs / this.windowSizeMs) * this.windowSizeMs + this.windowSizeMs;
    this.add(row);
  }

  advance(watermarkMs: number, emit: Emit): void {
    if (this.windowEndMs === null || watermarkMs < this.windowEndMs) return;
    const endMs = this.windowEndMs;
    this.windowEndMs = null;
    for (const result of this.close()) emit(result, endMs);
  }

  snapshot(): TumblingState<S> {
    return { end: this.windowEndMs, window: this.windowEndMs === null ? null : this.saveWindow() };
  }

  restore(state: unknown): void {
    const saved = state as TumblingState<S>;
    this.windowEndMs = saved.end;
    if (saved.window !== null) this.loadWindow(saved.window);
  }
}
