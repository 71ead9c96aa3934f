/**
 * Sliding windows: `f(…) OVER w` in the select list (the developer guide's "Sliding Windows", the
 * reference's WINDOW clause and "Windowed Aggregation on Streams"). Every input row that passes
 * WHERE gives one output row, with its own ROWTIME, computed over the window that ends at it:
 * RANGE INTERVAL … PRECEDING holds the partition's rows whose ROWTIME is at most the interval
 * earlier (both ends included; a row arriving later with the same ROWTIME is not yet in an earlier
 * row's window), ROWS n PRECEDING the row and the n before it. Aggregates add the new row and
 * remove rows that left; LAG, FIRST_VALUE, LAST_VALUE and NTH_VALUE read the window's values.
 * Calls over the same window (same PARTITION BY and frame) share one state per partition.
 *
 * State is bounded by the windows: rows leave as the window slides, and a sweep as time passes
 * drops RANGE partitions whose rows have all left.
 */
import type { Call, ColumnRef, Expression, Select } from "../../sql/ast.js";
import type { Accumulator, EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, SqlRuntimeError, type Row, type SqlType, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Emit, Operator, PlannedInput, RowErrorSink, Scope, ScopeColumn, WindowPlannerEnvironment } from "../plan-contracts.js";
import { planAggregate, windowValueFunctions, type AggregateSlot } from "./aggregates.js";
import { namedWindows, resolveWindow, type ResolvedWindow } from "./frames.js";
import { PartitionState, type SavedPartition, type ValueFunction } from "./sliding-partition.js";
import { isRowtimeItem, outputName, rewrite, syntheticRef, visit } from "./syntax.js";
import { decodeRow, groupKey } from "./values.js";

interface ValueCall {
  fn: ValueFunction;
  value: CompiledExpression;
  fallback: CompiledExpression | undefined;
}

export interface WindowGroupPlan {
  window: ResolvedWindow;
  partitionBy: CompiledExpression[];
  aggregates: AggregateSlot[];
  values: ValueCall[];
  /** Where this window's results start in the results array: aggregates, then values. */
  offset: number;
}

export interface SlidingPlan {
  where: CompiledExpression | undefined;
  groups: WindowGroupPlan[];
  resultCount: number;
  /** Input row values copied before the results (1 + the scope's largest index). */
  width: number;
  items: CompiledExpression[];
  columns: { name: string; type: SqlType; rowtime?: boolean }[];
}

function constantInteger(expression: Expression | undefined, env: WindowPlannerEnvironment, scope: Scope, what: string, minimum: number): number {
  if (expression === undefined) return minimum === 0 ? 1 : minimum;
  const value = expression.kind === "Literal" ? expression.value : env.compile(expression, scope).constant;
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
    throw new SqlCompileError(`${what} must be a constant integer of at least ${minimum}`, expression.at);
  }
  return value;
}

function planValueCall(call: Call, scope: Scope, env: WindowPlannerEnvironment): ValueCall {
  const [first, second, third] = call.args;
  const arity = { LAG: [1, 3], FIRST_VALUE: [1, 1], LAST_VALUE: [1, 1], NTH_VALUE: [2, 3] }[call.name] as [number, number];
  if (first === undefined || first.kind === "Star" || call.args.length < arity[0] || call.args.length > arity[1]) {
    throw new SqlCompileError(`Invalid number of arguments to function '${call.name}'`, call.at);
  }
  const value = env.compile(first, scope);
  const ignoreNulls = call.nulls === "IGNORE";
  switch (call.name) {
    case "LAG":
      return {
        fn: { kind: "LAG", offset: constantInteger(second, env, scope, "The offset of LAG", 0), ignoreNulls },
        value,
        fallback: third === undefined ? undefined : env.compile(third, scope),
      };
    case "NTH_VALUE": {
      const side = third?.kind === "Symbol" ? third.name.replace(/^FROM\s+/, "") : third === undefined ? "FIRST" : undefined;
      if (side !== "FIRST" && side !== "LAST") throw new SqlCompileError("NTH_VALUE takes FROM FIRST or FROM LAST", (third ?? call).at);
      return { fn: { kind: "NTH_VALUE", n: constantInteger(second, env, scope, "The position of NTH_VALUE", 1), fromLast: side === "LAST", ignoreNulls }, value, fallback: undefined };
    }
    default:
      return { fn: { kind: call.name as "FIRST_VALUE" | "LAST_VALUE", ignoreNulls }, value, fallback: undefined };
  }
}

/** The OVER calls of the select list, outermost first (an OVER call's arguments are not searched). */
function overCalls(select: Select): Call[] {
  const calls: Call[] = [];
  for (const item of select.items) {
    if (item.kind === "Star") continue;
    visit(item.expression, (node) => {
      if (node.kind !== "Call" || node.over === undefined) return;
      calls.push(node);
      return false;
    });
  }
  return calls;
}

export function planSliding(select: Select, input: PlannedInput, env: WindowPlannerEnvironment): SlidingPlan {
  const scope = input.scope;
  const named = namedWindows(select.windows);
  const calls = overCalls(select);
  const groups: WindowGroupPlan[] = [];
  const callGroups: { group: WindowGroupPlan; kind: "aggregate" | "value"; index: number; type: SqlType }[] = [];
  for (const call of calls) {
    const window = resolveWindow(call.over as NonNullable<Call["over"]>, named, env, scope);
    let group = groups.find((candidate) => candidate.window.id === window.id);
    if (group === undefined) {
      group = { window, partitionBy: window.partitionBy.map((key) => env.compile(key, scope)), aggregates: [], values: [], offset: 0 };
      groups.push(group);
    }
    if (windowValueFunctions.has(call.name)) {
      const valueCall = planValueCall(call, scope, env);
      group.values.push(valueCall);
      callGroups.push({ group, kind: "value", index: group.values.length - 1, type: valueCall.value.type });
    } else {
      const aggregate = planAggregate(call, scope, env);
      group.aggregates.push(aggregate);
      callGroups.push({ group, kind: "aggregate", index: group.aggregates.length - 1, type: aggregate.type });
    }
  }
  let resultCount = 0;
  for (const group of groups) {
    group.offset = resultCount;
    resultCount += group.aggregates.length + group.values.length;
  }
  const width = scope.columns.reduce((widest, column) => Math.max(widest, column.index + 1), 0);
  const extended: ScopeColumn[] = [...scope.columns];
  callGroups.forEach((entry, index) => {
    const slot = entry.group.offset + (entry.kind === "aggregate" ? entry.index : entry.group.aggregates.length + entry.index);
    extended.push({ name: `$window${index}`, type: entry.type, index: width + slot });
  });
  const extendedScope: Scope = { columns: extended };

  const items: CompiledExpression[] = [];
  const columns: { name: string; type: SqlType; rowtime?: boolean }[] = [];
  for (const item of select.items) {
    if (item.kind === "Star") {
      for (const column of scope.columns) {
        if (item.qualifier !== undefined && column.qualifier !== item.qualifier) continue;
        const ref: ColumnRef = column.qualifier === undefined ? { kind: "ColumnRef", at: item.at, name: column.name } : { kind: "ColumnRef", at: item.at, qualifier: column.qualifier, name: column.name };
        const compiled = env.compile(ref, extendedScope);
        items.push(compiled);
        columns.push(column.rowtime === true ? { name: column.name, type: compiled.type, rowtime: true } : { name: column.name, type: compiled.type });
      }
      continue;
    }
    const rewritten = rewrite(item.expression, (node) => {
      if (node.kind !== "Call" || node.over === undefined) return undefined;
      return syntheticRef(`$window${calls.indexOf(node)}`, node.at);
    });
    const compiled = env.compile(rewritten, extendedScope);
    items.push(compiled);
    const column = { name: outputName(item.expression, item.alias, columns.length), type: compiled.type };
    columns.push(isRowtimeItem(item.expression, scope) ? { ...column, rowtime: true } : column);
  }
  return {
    where: select.where === undefined ? undefined : env.compile(select.where, scope),
    groups,
    resultCount,
    width,
    items,
    columns,
  };
}

/** Per-row scratch of one window: everything evaluated before any state changes. */
interface Scratch {
  keys: SqlValue[];
  args: SqlValue[][];
  values: SqlValue[];
  defaults: SqlValue[];
}

const sweepEveryMsMin = 1_000;

export class SlidingOperator implements Operator {
  private readonly partitions: Map<unknown, PartitionState>[];
  private readonly scratch: Scratch[];
  private readonly results: SqlValue[];
  private readonly extended: SqlValue[];
  /** Per window: when its partitions were last swept. */
  private readonly lastSweepMs: number[];

  constructor(
    private readonly plan: SlidingPlan,
    private readonly emit: Emit,
    private readonly errors: RowErrorSink,
    private readonly context: () => EvalContext,
  ) {
    this.partitions = plan.groups.map(() => new Map());
    this.scratch = plan.groups.map((group) => ({
      keys: new Array<SqlValue>(group.partitionBy.length).fill(null),
      args: [],
      values: new Array<SqlValue>(group.values.length).fill(null),
      defaults: new Array<SqlValue>(group.values.length).fill(null),
    }));
    this.results = new Array<SqlValue>(plan.resultCount).fill(null);
    this.extended = new Array<SqlValue>(plan.width + plan.resultCount).fill(null);
    this.lastSweepMs = plan.groups.map(() => Number.NEGATIVE_INFINITY);
  }

  push(row: Row, rowtimeMs: number): void {
    const context = this.context();
    const plan = this.plan;
    try {
      if (plan.where !== undefined && plan.where.evaluate(row, rowtimeMs, context) !== true) return;
      for (let g = 0; g < plan.groups.length; g++) this.evaluate(plan.groups[g] as WindowGroupPlan, this.scratch[g] as Scratch, row, rowtimeMs, context);
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
      this.errors(error, row, rowtimeMs);
      return;
    }
    for (let g = 0; g < plan.groups.length; g++) {
      const group = plan.groups[g] as WindowGroupPlan;
      const scratch = this.scratch[g] as Scratch;
      const partition = this.partition(g, group, scratch.keys);
      partition.addRow(rowtimeMs, scratch.args, scratch.values, scratch.defaults, this.results, group.offset);
    }
    const extended = this.extended;
    for (let i = 0; i < plan.width; i++) extended[i] = row[i] ?? null;
    for (let i = 0; i < plan.resultCount; i++) extended[plan.width + i] = this.results[i] as SqlValue;
    try {
      const out: Row = new Array<SqlValue>(plan.items.length);
      for (let i = 0; i < plan.items.length; i++) out[i] = (plan.items[i] as CompiledExpression).evaluate(extended, rowtimeMs, context);
      this.emit(out, rowtimeMs);
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
      this.errors(error, row, rowtimeMs);
    }
    this.sweep(rowtimeMs);
  }

  private evaluate(group: WindowGroupPlan, scratch: Scratch, row: Row, rowtimeMs: number, context: EvalContext): void {
    for (let i = 0; i < group.partitionBy.length; i++) scratch.keys[i] = (group.partitionBy[i] as CompiledExpression).evaluate(row, rowtimeMs, context);
    // Fresh argument arrays: a bounded window keeps them to remove() the row later.
    scratch.args = group.aggregates.map((aggregate) => {
      const args = aggregate.args.map((arg) => arg.evaluate(row, rowtimeMs, context));
      if (aggregate.rowtimeArgument) args.push(rowtimeMs);
      return args;
    });
    for (let i = 0; i < group.values.length; i++) {
      const call = group.values[i] as ValueCall;
      scratch.values[i] = call.value.evaluate(row, rowtimeMs, context);
      scratch.defaults[i] = call.fallback === undefined ? null : call.fallback.evaluate(row, rowtimeMs, context);
    }
  }

  private partition(index: number, group: WindowGroupPlan, keys: SqlValue[]): PartitionState {
    const partitions = this.partitions[index] as Map<unknown, PartitionState>;
    const key = groupKey(keys);
    let partition = partitions.get(key);
    if (partition === undefined) {
      partition = this.newPartition(group, keys.slice());
      partitions.set(key, partition);
    }
    return partition;
  }

  private newPartition(group: WindowGroupPlan, keys: SqlValue[]): PartitionState {
    const accumulators: Accumulator[] = group.aggregates.map((aggregate) => aggregate.create());
    return new PartitionState(keys, accumulators, group.window.frame, group.values.map((call) => call.fn));
  }

  advance(watermarkMs: number): void {
    this.sweep(watermarkMs);
  }

  /** Drops what RANGE windows no longer hold at `timeMs`, at most once per window length (≥ 1 s). */
  private sweep(timeMs: number): void {
    const groups = this.plan.groups;
    for (let g = 0; g < groups.length; g++) {
      const frame = (groups[g] as WindowGroupPlan).window.frame;
      if (frame.kind !== "range" || !Number.isFinite(timeMs)) continue;
      if (timeMs - (this.lastSweepMs[g] as number) < Math.max(frame.ms, sweepEveryMsMin)) continue;
      this.lastSweepMs[g] = timeMs;
      const limitMs = timeMs - frame.ms;
      const partitions = this.partitions[g] as Map<unknown, PartitionState>;
      for (const [key, partition] of partitions) {
        if (partition.lastRowtimeMs < limitMs) partitions.delete(key);
        else partition.evictBefore(limitMs);
      }
    }
  }

  snapshot(): unknown {
    return {
      lastSweepMs: this.lastSweepMs.map((ms) => (Number.isFinite(ms) ? ms : null)),
      windows: this.partitions.map((partitions) => [...partitions.values()].map((partition) => partition.snapshot())),
    };
  }

  restore(state: unknown): void {
    const saved = state as { lastSweepMs: (number | null)[]; windows: SavedPartition[][] };
    this.plan.groups.forEach((group, index) => {
      this.lastSweepMs[index] = saved.lastSweepMs[index] ?? Number.NEGATIVE_INFINITY;
      const partitions = this.partitions[index] as Map<unknown, PartitionState>;
      partitions.clear();
      for (const savedPartition of saved.windows[index] ?? []) {
        const keys = decodeRow(savedPartition.keys);
        const partition = this.newPartition(group, keys);
        partition.restore(savedPartition);
        partitions.set(groupKey(keys), partition);
      }
    });
  }
}
