/**
 * What the planner works with: the catalog of in-application streams and reference tables, the
 * expression compiler, the function library, the window planner (windows/), and the wiring slot
 * through which instantiated operators reach the running application. A planned query knows its
 * output columns, whether it is a stream, and which streams it reads (the merge bounds need that).
 */
import type { FunctionRegistry } from "../../sql/functions/contracts.js";
import type { Column, SqlType } from "../../sql/types.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import type { Emit, ExpressionCompiler, Operator, PlannedInput, RowErrorSink, WindowPlanner } from "../plan-contracts.js";
import type { WiringSlot } from "../runtime/wiring.js";
import type { RelationPlan } from "./relation.js";

export type StreamKind = "input" | "stream" | "reference";

export interface CatalogEntry {
  name: string;
  kind: StreamKind;
  columns: Column[];
}

export interface Catalog {
  get(name: string): CatalogEntry | undefined;
}

export interface PlanContext {
  catalog: Catalog;
  functions: FunctionRegistry;
  compile: ExpressionCompiler;
  windows: WindowPlanner | undefined;
  slot: WiringSlot;
  seed: number;
}

/** A planned FROM item: the contract's PlannedInput plus the streams it reads. */
export interface CorePlannedInput extends PlannedInput {
  sources: readonly string[];
  /** Set when the input is a relation: a reference table by name or a query over reference tables. */
  relation?: RelationPlan;
}

export interface PlannedQuery {
  columns: { name: string; type: SqlType }[];
  stream: boolean;
  sources: readonly string[];
  instantiate(emit: Emit, errors: RowErrorSink, context: () => EvalContext): Operator;
}

/** An operator whose rows arrive through the emit it gave its input: push forwards, the rest delegates. */
export function passThrough(input: Operator, own?: { advance?(watermarkMs: number): void; snapshot?(): unknown; restore?(state: unknown): void }): Operator {
  if (own === undefined) return input;
  return {
    push: (row, rowtimeMs) => input.push(row, rowtimeMs),
    advance(watermarkMs) {
      input.advance(watermarkMs);
      own.advance?.(watermarkMs);
    },
    snapshot: () => (own.snapshot === undefined ? input.snapshot() : { input: input.snapshot(), own: own.snapshot() }),
    restore(state) {
      if (own.restore === undefined) return input.restore(state);
      const saved = state as { input: unknown; own: unknown };
      input.restore(saved.input);
      own.restore(saved.own);
    },
  };
}
