/**
 * Tumbling windows: a streaming GROUP BY (the developer guide's "Tumbling Windows (Aggregations
 * Using GROUP BY)"). Rows are grouped by every GROUP BY expression; the monotonic ones (STEP or
 * FLOOR of ROWTIME, …) define the window, and the window's groups are emitted together when it
 * closes — when time reaches the instant the monotonic key would change (a row or the watermark),
 * or, for a key declared MONOTONIC over other columns, when a row brings a new value. Each output
 * row's ROWTIME is the window's end: the guide's stagger page shows a one-minute tumbling window
 * holding rows of 11:00:20 and 11:00:30 emitted at ROWTIME 11:01:00. Grouping by an event-time
 * expression as well gives one row per event-time group in each ROWTIME window — the "partial
 * results" the guide describes, not corrected later. Groups are emitted in order of their first
 * row (ORDER BY sorts them within the window).
 *
 * State is the open window only: closed windows are emitted and dropped, so a snapshot taken after
 * an emission never emits that window again.
 */
import type { Expression, Select } from "../../sql/ast.js";
import type { Accumulator, EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, SqlRuntimeError, type Row, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Emit, Operator, PlannedInput, RowErrorSink, WindowPlannerEnvironment } from "../plan-contracts.js";
import { argumentCount, type AggregateSlot } from "./aggregates.js";
import { GroupEmitter, planGroupOutput, type GroupOutputPlan } from "./group-output.js";
import { monotonicity, nextChangeMs } from "./monotonic.js";
import { withRowtimeColumns } from "./syntax.js";
import { decodeRow, decodeTime, encodeRow, encodeTime, groupKey, sameValue } from "./values.js";

export interface TumblingPlan {
  where: CompiledExpression | undefined;
  /** Every GROUP BY expression, in order. */
  keys: CompiledExpression[];
  timeKeys: number[];
  declaredKeys: number[];
  otherKeys: number[];
  output: GroupOutputPlan;
}

export function planTumbling(select: Select, groupBy: Expression[], input: PlannedInput, env: WindowPlannerEnvironment): TumblingPlan {
  const timeKeys: number[] = [];
  const declaredKeys: number[] = [];
  const otherKeys: number[] = [];
  const keys = groupBy.map((key) => withRowtimeColumns(key, input.scope));
  keys.forEach((key, index) => {
    const kind = monotonicity(key);
    (kind === "time" ? timeKeys : kind === "declared" ? declaredKeys : otherKeys).push(index);
  });
  if (timeKeys.length === 0 && declaredKeys.length === 0) {
    throw new SqlCompileError("Streaming aggregation requires at least one monotonic expression in GROUP BY clause", (groupBy[0] ?? select).at);
  }
  return {
    where: select.where === undefined ? undefined : env.compile(select.where, input.scope),
    keys: keys.map((key) => env.compile(key, input.scope)),
    timeKeys,
    declaredKeys,
    otherKeys,
    output: planGroupOutput(select, groupBy, input.scope, env),
  };
}

interface Group {
  keys: SqlValue[];
  accumulators: Accumulator[];
}

interface Window {
  /** Key values by GROUP BY position; time and declared ones are the window's, others per group. */
  keys: SqlValue[];
  closeAtMs: number;
  lastRowtimeMs: number;
  groups: Map<unknown, Group>;
}

export class TumblingOperator implements Operator {
  private window: Window | undefined;
  private readonly emitter: GroupEmitter;
  private readonly keyValues: SqlValue[];
  private readonly otherValues: SqlValue[];
  private readonly argValues: SqlValue[][];

  constructor(
    private readonly plan: TumblingPlan,
    emit: Emit,
    private readonly errors: RowErrorSink,
    private readonly context: () => EvalContext,
  ) {
    this.emitter = new GroupEmitter(plan.output, plan.keys.length, emit, errors);
    this.keyValues = new Array<SqlValue>(plan.keys.length).fill(null);
    this.otherValues = new Array<SqlValue>(plan.otherKeys.length).fill(null);
    this.argValues = plan.output.aggregates.map((aggregate) => new Array<SqlValue>(argumentCount(aggregate)).fill(null));
  }

  push(row: Row, rowtimeMs: number): void {
    const context = this.context();
    const window = this.window;
    if (window !== undefined && rowtimeMs >= window.closeAtMs) this.close(window.closeAtMs, context);
    const plan = this.plan;
    try {
      if (plan.where !== undefined && plan.where.evaluate(row, rowtimeMs, context) !== true) return;
      this.evaluate(row, rowtimeMs, context);
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
      this.errors(error, row, rowtimeMs);
      return;
    }
    let open = this.window;
    if (open !== undefined && !this.sameDeclared(open)) {
      this.close(Math.min(open.closeAtMs, rowtimeMs), context);
      open = undefined;
    }
    if (open === undefined) {
      try {
        open = this.open(row, rowtimeMs, context);
      } catch (error) {
        if (!(error instanceof SqlRuntimeError)) throw error;
        this.errors(error, row, rowtimeMs);
        return;
      }
    }
    open.lastRowtimeMs = rowtimeMs;
    const key = groupKey(this.otherValues);
    let group = open.groups.get(key);
    if (group === undefined) {
      group = { keys: this.keyValues.slice(), accumulators: plan.output.aggregates.map((aggregate) => aggregate.create()) };
      open.groups.set(key, group);
    }
    const accumulators = group.accumulators;
    for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).add(this.argValues[i] as SqlValue[]);
  }

  /** Evaluates the row's keys and aggregate arguments before any state changes (errors leave none). */
  private evaluate(row: Row, rowtimeMs: number, context: EvalContext): void {
    const plan = this.plan;
    const keys = plan.keys;
    const values = this.keyValues;
    for (const index of plan.declaredKeys) values[index] = (keys[index] as CompiledExpression).evaluate(row, rowtimeMs, context);
    const others = plan.otherKeys;
    for (let i = 0; i < others.length; i++) {
      const index = others[i] as number;
      const value = (keys[index] as CompiledExpression).evaluate(row, rowtimeMs, context);
      values[index] = value;
      this.otherValues[i] = value;
    }
    const aggregates = plan.output.aggregates;
    for (let i = 0; i < aggregates.length; i++) {
      const args = (aggregates[i] as AggregateSlot).args;
      const target = this.argValues[i] as SqlValue[];
      for (let j = 0; j < args.length; j++) target[j] = (args[j] as CompiledExpression).evaluate(row, rowtimeMs, context);
      if ((aggregates[i] as AggregateSlot).rowtimeArgument) target[args.length] = rowtimeMs;
    }
  }

  private sameDeclared(window: Window): boolean {
    for (const index of this.plan.declaredKeys) if (!sameValue(window.keys[index] as SqlValue, this.keyValues[index] as SqlValue)) return false;
    return true;
  }

  private open(row: Row, rowtimeMs: number, context: EvalContext): Window {
    const plan = this.plan;
    const values = this.keyValues;
    for (const index of plan.timeKeys) values[index] = (plan.keys[index] as CompiledExpression).evaluate(row, rowtimeMs, context);
    let closeAtMs = Number.POSITIVE_INFINITY;
    for (const index of plan.timeKeys) closeAtMs = Math.min(closeAtMs, nextChangeMs(plan.keys[index] as CompiledExpression, row, rowtimeMs, context));
    const window: Window = { keys: values.slice(), closeAtMs, lastRowtimeMs: rowtimeMs, groups: new Map() };
    this.window = window;
    return window;
  }

  advance(watermarkMs: number): void {
    const window = this.window;
    if (window === undefined) return;
    if (watermarkMs >= window.closeAtMs) this.close(window.closeAtMs, this.context());
    else if (watermarkMs === Number.POSITIVE_INFINITY) this.close(window.lastRowtimeMs, this.context());
  }

  private close(rowtimeMs: number, context: EvalContext): void {
    const window = this.window;
    if (window === undefined) return;
    this.window = undefined;
    for (const group of window.groups.values()) this.emitter.add(group.keys, group.accumulators, rowtimeMs, context);
    this.emitter.flush(rowtimeMs);
  }

  snapshot(): unknown {
    const window = this.window;
    if (window === undefined) return { window: null };
    return {
      window: {
        keys: encodeRow(window.keys),
        closeAtMs: encodeTime(window.closeAtMs),
        lastRowtimeMs: window.lastRowtimeMs,
        groups: [...window.groups.values()].map((group) => ({
          keys: encodeRow(group.keys),
          accumulators: group.accumulators.map((accumulator) => accumulator.snapshot()),
        })),
      },
    };
  }

  restore(state: unknown): void {
    const saved = (state as { window: SavedWindow | null }).window;
    if (saved === null) {
      this.window = undefined;
      return;
    }
    const plan = this.plan;
    const window: Window = {
      keys: decodeRow(saved.keys),
      closeAtMs: decodeTime(saved.closeAtMs, Number.POSITIVE_INFINITY),
      lastRowtimeMs: saved.lastRowtimeMs,
      groups: new Map(),
    };
    for (const savedGroup of saved.groups) {
      const keys = decodeRow(savedGroup.keys);
      const accumulators = plan.output.aggregates.map((aggregate, index) => {
        const accumulator = aggregate.create();
        accumulator.restore(savedGroup.accumulators[index]);
        return accumulator;
      });
      window.groups.set(groupKey(plan.otherKeys.map((index) => keys[index] as SqlValue)), { keys, accumulators });
    }
    this.window = window;
  }
}

interface SavedWindow {
  keys: unknown;
  closeAtMs: unknown;
  lastRowtimeMs: number;
  groups: { keys: unknown; accumulators: unknown[] }[];
}
