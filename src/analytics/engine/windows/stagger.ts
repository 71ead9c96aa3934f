/**
 * Stagger windows (`WINDOWED BY STAGGER (PARTITION BY … RANGE INTERVAL …)`, the developer guide's
 * "Stagger Windows"): a window per partition key that opens with the first row of that key and
 * closes after the range, measured from the opening row's ROWTIME. Its result is emitted with
 * ROWTIME = open + range — the guide's example opens at 11:00:20 and emits at 11:01:20 — and a later
 * row of the same key opens a new window. A row at exactly open + range belongs to the next window
 * ([open, open + range), as tumbling windows end). The select list may use the partition
 * expressions and aggregates, like a GROUP BY; HAVING applies.
 *
 * Windows open in ROWTIME order and all last the same range, so they close in the order they
 * opened: a FIFO queue finds the due ones without scanning.
 */
import type { Select } from "../../sql/ast.js";
import type { Accumulator, EvalContext } from "../../sql/functions/contracts.js";
import { SqlRuntimeError, type Row, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Emit, Operator, PlannedInput, RowErrorSink, WindowPlannerEnvironment } from "../plan-contracts.js";
import { intervalMs } from "./frames.js";
import { argumentCount, type AggregateSlot } from "./aggregates.js";
import { GroupEmitter, planGroupOutput, type GroupOutputPlan } from "./group-output.js";
import { decodeRow, encodeRow, groupKey } from "./values.js";

export interface StaggerPlan {
  where: CompiledExpression | undefined;
  keys: CompiledExpression[];
  rangeMs: number;
  output: GroupOutputPlan;
}

export function planStagger(select: Select, input: PlannedInput, env: WindowPlannerEnvironment): StaggerPlan {
  const stagger = select.stagger as NonNullable<Select["stagger"]>;
  return {
    where: select.where === undefined ? undefined : env.compile(select.where, input.scope),
    keys: stagger.partitionBy.map((key) => env.compile(key, input.scope)),
    rangeMs: intervalMs(stagger.range, env, input.scope),
    output: planGroupOutput(select, stagger.partitionBy, input.scope, env),
  };
}

interface StaggerWindow {
  key: unknown;
  keys: SqlValue[];
  closeAtMs: number;
  accumulators: Accumulator[];
}

export class StaggerOperator implements Operator {
  private readonly windows = new Map<unknown, StaggerWindow>();
  /** Open windows in closing order; `head` is the first still open. */
  private queue: StaggerWindow[] = [];
  private head = 0;
  private readonly emitter: GroupEmitter;
  private readonly keyValues: SqlValue[];
  private readonly argValues: SqlValue[][];

  constructor(
    private readonly plan: StaggerPlan,
    emit: Emit,
    private readonly errors: RowErrorSink,
    private readonly context: () => EvalContext,
  ) {
    this.emitter = new GroupEmitter(plan.output, plan.keys.length, emit, errors);
    this.keyValues = new Array<SqlValue>(plan.keys.length).fill(null);
    this.argValues = plan.output.aggregates.map((aggregate) => new Array<SqlValue>(argumentCount(aggregate)).fill(null));
  }

  push(row: Row, rowtimeMs: number): void {
    const context = this.context();
    this.closeDue(rowtimeMs, context);
    const plan = this.plan;
    try {
      if (plan.where !== undefined && plan.where.evaluate(row, rowtimeMs, context) !== true) return;
      for (let i = 0; i < plan.keys.length; i++) this.keyValues[i] = (plan.keys[i] as CompiledExpression).evaluate(row, rowtimeMs, context);
      const aggregates = plan.output.aggregates;
      for (let i = 0; i < aggregates.length; i++) {
        const args = (aggregates[i] as AggregateSlot).args;
        const target = this.argValues[i] as SqlValue[];
        for (let j = 0; j < args.length; j++) target[j] = (args[j] as CompiledExpression).evaluate(row, rowtimeMs, context);
        if ((aggregates[i] as AggregateSlot).rowtimeArgument) target[args.length] = rowtimeMs;
      }
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
      this.errors(error, row, rowtimeMs);
      return;
    }
    const key = groupKey(this.keyValues);
    let window = this.windows.get(key);
    if (window === undefined) {
      window = {
        key,
        keys: this.keyValues.slice(),
        closeAtMs: rowtimeMs + plan.rangeMs,
        accumulators: plan.output.aggregates.map((aggregate) => aggregate.create()),
      };
      this.windows.set(key, window);
      this.queue.push(window);
    }
    const accumulators = window.accumulators;
    for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).add(this.argValues[i] as SqlValue[]);
  }

  advance(watermarkMs: number): void {
    if (this.head < this.queue.length) this.closeDue(watermarkMs, this.context());
  }

  /** Emits every window whose end is at or before `timeMs`, in closing order. */
  private closeDue(timeMs: number, context: EvalContext): void {
    const queue = this.queue;
    let flushAtMs: number | undefined;
    while (this.head < queue.length) {
      const window = queue[this.head] as StaggerWindow;
      if (window.closeAtMs > timeMs) break;
      this.head++;
      this.windows.delete(window.key);
      if (flushAtMs !== undefined && flushAtMs !== window.closeAtMs) this.emitter.flush(flushAtMs);
      flushAtMs = window.closeAtMs;
      this.emitter.add(window.keys, window.accumulators, window.closeAtMs, context);
    }
    if (flushAtMs !== undefined) this.emitter.flush(flushAtMs);
    if (this.head > 1024 && this.head * 2 > queue.length) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
  }

  snapshot(): unknown {
    return {
      windows: this.queue.slice(this.head).map((window) => ({
        keys: encodeRow(window.keys),
        closeAtMs: window.closeAtMs,
        accumulators: window.accumulators.map((accumulator) => accumulator.snapshot()),
      })),
    };
  }

  restore(state: unknown): void {
    const saved = (state as { windows: { keys: unknown; closeAtMs: number; accumulators: unknown[] }[] }).windows;
    this.windows.clear();
    this.queue = [];
    this.head = 0;
    for (const savedWindow of saved) {
      const keys = decodeRow(savedWindow.keys);
      const accumulators = this.plan.output.aggregates.map((aggregate, index) => {
        const accumulator = aggregate.create();
        accumulator.restore(savedWindow.accumulators[index]);
        return accumulator;
      });
      const window: StaggerWindow = { key: groupKey(keys), keys, closeAtMs: savedWindow.closeAtMs, accumulators };
      this.windows.set(window.key, window);
      this.queue.push(window);
    }
  }
}
