/**
 * Stream-to-stream joins (the developer guide's "Streaming Data Operations: Stream Joins";
 * `FROM OrderStream AS o JOIN TradeStream OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON …`).
 * Every streaming join is windowed: each side keeps the rows of its window — RANGE INTERVAL …
 * PRECEDING, or CURRENT ROW (rows of the same ROWTIME) when it names none — and a row arriving on
 * one side joins the rows in the other side's window. A left row at tl and a right row at tr
 * therefore match when tr lies in [tl − right range, tl + left range]; each matching pair is
 * emitted once, with ROWTIME the later of the two. In an outer join, a row that matched nothing is
 * emitted (padded with nulls) once no later row of the other side can match it, with ROWTIME its
 * own plus its side's range — the instant its last possible match left the window. The reference
 * allows no PARTITION BY in a join window.
 *
 * A side may instead be windowed by rows (the JOIN clause's `OVER (ROWS 10 PRECEDING)`, "only the
 * latest 10 rows"): it keeps its latest n + 1 rows — the current one and the n before it, as a
 * ROWS frame counts — and a row of the other side joins those, whatever their ROWTIME. A row
 * leaves such a window when the (n + 1)th row after it arrives on its side; an outer join emits
 * it then, unmatched, with that row's ROWTIME.
 *
 * An equality between a left-only and a right-only expression in ON is used as a hash key; the
 * whole condition is still evaluated for each candidate pair. State is the rows that may still
 * match, dropped as time passes.
 */
import type { Expression, FromItem, Join, WindowSpec } from "../../sql/ast.js";
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlCompileError, SqlRuntimeError, type Row, type SqlValue } from "../../sql/types.js";
import type { CompiledExpression, Emit, Operator, PlannedInput, RowErrorSink, Scope, ScopeColumn, WindowPlannerEnvironment } from "../plan-contracts.js";
import { Deque } from "./deque.js";
import { namedWindows, resolveFrame, type NamedWindows } from "./frames.js";
import { isRowtime, resolveColumn, visit } from "./syntax.js";
import { decodeRow, encodeRow, groupKey } from "./values.js";

export interface JoinPlan {
  joinType: "INNER" | "LEFT" | "RIGHT" | "FULL";
  /** A RANGE window's length (0 for ROWS windows and unwindowed sides). */
  leftRangeMs: number;
  rightRangeMs: number;
  /** A ROWS window's n (it holds n + 1 rows); undefined for RANGE windows and unwindowed sides. */
  leftRows?: number;
  rightRows?: number;
  leftWidth: number;
  rightWidth: number;
  condition: CompiledExpression | undefined;
  /** Hash keys: expressions over a left row and over a right row. */
  leftKeys: CompiledExpression[];
  rightKeys: CompiledExpression[];
}

function windowOf(item: FromItem): WindowSpec | undefined {
  return item.kind === "StreamRef" || item.kind === "SubqueryRef" ? item.window : undefined;
}

type SideWindow = { kind: "range"; ms: number } | { kind: "rows"; count: number };

function sideWindow(item: FromItem, named: NamedWindows, env: WindowPlannerEnvironment, scope: Scope): SideWindow {
  let spec = windowOf(item);
  if (spec === undefined) return { kind: "range", ms: 0 };
  if (spec.base !== undefined) {
    const base = named.get(spec.base);
    if (base === undefined) throw new SqlCompileError(`Window '${spec.base}' not found`, spec.at);
    spec = { ...base, ...(spec.frame === undefined ? {} : { frame: spec.frame }) };
  }
  if (spec.partitionBy !== undefined && spec.partitionBy.length > 0) {
    throw new SqlCompileError("A join window cannot be partitioned (PARTITION BY)", spec.at);
  }
  const frame = resolveFrame(spec, env, scope);
  if (frame.kind === "unbounded") throw new SqlCompileError("A join window must be RANGE INTERVAL … PRECEDING, ROWS n PRECEDING or CURRENT ROW", spec.at);
  return frame;
}

function widthOf(scope: Scope): number {
  return scope.columns.reduce((widest, column) => Math.max(widest, column.index + 1), 0);
}

/** Which side's columns an expression reads: "left", "right", "both", or "none" (constants, ROWTIME). */
function sideOf(expression: Expression, scope: Scope, leftWidth: number): "left" | "right" | "both" | "none" {
  let left = false;
  let right = false;
  let unknown = false;
  visit(expression, (node) => {
    if (node.kind === "ScalarSubquery" || node.kind === "Cursor") unknown = true;
    if (node.kind !== "ColumnRef") return;
    if (isRowtime(node)) {
      unknown = true;
      return;
    }
    const column = resolveColumn(node, scope);
    if (column === undefined) unknown = true;
    else if (column.index < leftWidth) left = true;
    else right = true;
  });
  if (unknown || (left && right)) return "both";
  return left ? "left" : right ? "right" : "none";
}

function conjuncts(expression: Expression): Expression[] {
  if (expression.kind === "Binary" && expression.operator === "AND") return [...conjuncts(expression.left), ...conjuncts(expression.right)];
  return [expression];
}

export function planJoin(join: Join, left: PlannedInput, right: PlannedInput, env: WindowPlannerEnvironment): { plan: JoinPlan; scope: Scope } {
  const named = namedWindows(env.windows);
  const leftWidth = widthOf(left.scope);
  const shifted: ScopeColumn[] = right.scope.columns.map((column) => ({ ...column, index: column.index + leftWidth }));
  const scope: Scope = { columns: [...left.scope.columns, ...shifted] };
  const leftKeys: CompiledExpression[] = [];
  const rightKeys: CompiledExpression[] = [];
  if (join.on !== undefined) {
    for (const part of conjuncts(join.on)) {
      if (part.kind !== "Binary" || part.operator !== "=") continue;
      const a = sideOf(part.left, scope, leftWidth);
      const b = sideOf(part.right, scope, leftWidth);
      if (a === "left" && b === "right") {
        leftKeys.push(env.compile(part.left, left.scope));
        rightKeys.push(env.compile(part.right, right.scope));
      } else if (a === "right" && b === "left") {
        leftKeys.push(env.compile(part.right, left.scope));
        rightKeys.push(env.compile(part.left, right.scope));
      }
    }
  }
  const leftWindow = sideWindow(join.left, named, env, left.scope);
  const rightWindow = sideWindow(join.right, named, env, right.scope);
  const plan: JoinPlan = {
    joinType: join.joinType === "CROSS" ? "INNER" : join.joinType,
    leftRangeMs: leftWindow.kind === "range" ? leftWindow.ms : 0,
    rightRangeMs: rightWindow.kind === "range" ? rightWindow.ms : 0,
    ...(leftWindow.kind === "rows" ? { leftRows: leftWindow.count } : {}),
    ...(rightWindow.kind === "rows" ? { rightRows: rightWindow.count } : {}),
    leftWidth,
    rightWidth: widthOf(right.scope),
    condition: join.on === undefined ? undefined : env.compile(join.on, scope),
    leftKeys,
    rightKeys,
  };
  return { plan, scope };
}

interface Stored {
  row: Row;
  rowtimeMs: number;
  key: unknown;
  matched: boolean;
}

/** One side's rows that may still match, in ROWTIME order, and the same rows by hash key. */
class Side {
  readonly rows = new Deque<Stored>();
  readonly byKey = new Map<unknown, Deque<Stored>>();
  lastRowtimeMs = Number.NEGATIVE_INFINITY;

  add(stored: Stored): void {
    this.rows.push(stored);
    if (stored.key === noKey) return;
    let bucket = this.byKey.get(stored.key);
    if (bucket === undefined) {
      bucket = new Deque<Stored>();
      this.byKey.set(stored.key, bucket);
    }
    bucket.push(stored);
  }

  /** Removes and answers the oldest row. */
  removeOldest(): Stored {
    const oldest = this.rows.shift() as Stored;
    if (oldest.key === noKey) return oldest;
    const bucket = this.byKey.get(oldest.key) as Deque<Stored>;
    bucket.shift();
    if (bucket.length === 0) this.byKey.delete(oldest.key);
    return oldest;
  }
}

/** The key of every row when ON has no equality to hash on: rows are then kept in `rows` only. */
const noKey: unique symbol = Symbol("no key");

export class JoinOperator implements Operator {
  private readonly left = new Side();
  private readonly right = new Side();
  private watermarkMs = Number.NEGATIVE_INFINITY;
  private readonly combined: SqlValue[];
  private readonly keyValues: SqlValue[];

  constructor(
    private readonly plan: JoinPlan,
    private readonly emit: Emit,
    private readonly errors: RowErrorSink,
    private readonly context: () => EvalContext,
  ) {
    this.combined = new Array<SqlValue>(plan.leftWidth + plan.rightWidth).fill(null);
    this.keyValues = new Array<SqlValue>(plan.leftKeys.length).fill(null);
  }

  push(): void {
    throw new Error("a stream join is fed through its two inputs' operators, not push()");
  }

  pushLeft(row: Row, rowtimeMs: number): void {
    this.arrive(row, rowtimeMs, true);
  }

  pushRight(row: Row, rowtimeMs: number): void {
    this.arrive(row, rowtimeMs, false);
  }

  private arrive(row: Row, rowtimeMs: number, isLeft: boolean): void {
    const context = this.context();
    const own = isLeft ? this.left : this.right;
    const other = isLeft ? this.right : this.left;
    own.lastRowtimeMs = Math.max(own.lastRowtimeMs, rowtimeMs);
    this.expire();
    let key: unknown = noKey;
    const keys = isLeft ? this.plan.leftKeys : this.plan.rightKeys;
    if (keys.length > 0) {
      try {
        for (let i = 0; i < keys.length; i++) this.keyValues[i] = (keys[i] as CompiledExpression).evaluate(row, rowtimeMs, context);
      } catch (error) {
        if (!(error instanceof SqlRuntimeError)) throw error;
        this.errors(error, row, rowtimeMs);
        return;
      }
      // SQL equality: a null key matches nothing (an outer join still emits the row unmatched).
      key = this.keyValues.includes(null) ? undefined : groupKey(this.keyValues);
    }
    const stored: Stored = { row, rowtimeMs, key, matched: false };
    const candidates = key === undefined ? undefined : key === noKey ? other.rows : other.byKey.get(key);
    if (candidates !== undefined) {
      // The other side's rows within [t − its range, t + this side's range]; all of a ROWS window's.
      const otherRows = isLeft ? this.plan.rightRows : this.plan.leftRows;
      const lowMs = otherRows !== undefined ? Number.NEGATIVE_INFINITY : rowtimeMs - (isLeft ? this.plan.rightRangeMs : this.plan.leftRangeMs);
      const highMs = rowtimeMs + (isLeft ? this.plan.leftRangeMs : this.plan.rightRangeMs);
      for (let i = 0; i < candidates.length; i++) {
        const candidate = candidates.at(i) as Stored;
        if (candidate.rowtimeMs < lowMs || candidate.rowtimeMs > highMs) continue;
        const leftEntry = isLeft ? stored : candidate;
        const rightEntry = isLeft ? candidate : stored;
        if (this.tryMatch(leftEntry, rightEntry, context)) {
          leftEntry.matched = true;
          rightEntry.matched = true;
        }
      }
    }
    own.add(stored);
    const ownRows = isLeft ? this.plan.leftRows : this.plan.rightRows;
    if (ownRows !== undefined) this.evictBeyond(own, ownRows + 1, isLeft, rowtimeMs);
  }

  /** A ROWS window keeps its latest `keep` rows; an outer join emits an unmatched row it drops, at `rowtimeMs`. */
  private evictBeyond(side: Side, keep: number, isLeft: boolean, rowtimeMs: number): void {
    const { joinType } = this.plan;
    const outer = isLeft ? joinType === "LEFT" || joinType === "FULL" : joinType === "RIGHT" || joinType === "FULL";
    while (side.rows.length > keep) {
      const stored = side.removeOldest();
      if (outer && !stored.matched) this.emit((isLeft ? this.fill(stored.row, undefined) : this.fill(undefined, stored.row)).slice(), rowtimeMs);
    }
  }

  private tryMatch(left: Stored, right: Stored, context: EvalContext): boolean {
    const combined = this.fill(left.row, right.row);
    const rowtimeMs = Math.max(left.rowtimeMs, right.rowtimeMs);
    const condition = this.plan.condition;
    try {
      if (condition !== undefined && condition.evaluate(combined, rowtimeMs, context) !== true) return false;
    } catch (error) {
      if (!(error instanceof SqlRuntimeError)) throw error;
      this.errors(error, combined.slice(), rowtimeMs);
      return false;
    }
    this.emit(combined.slice(), rowtimeMs);
    return true;
  }

  private fill(left: Row | undefined, right: Row | undefined): SqlValue[] {
    const combined = this.combined;
    const { leftWidth, rightWidth } = this.plan;
    for (let i = 0; i < leftWidth; i++) combined[i] = left === undefined ? null : (left[i] ?? null);
    for (let i = 0; i < rightWidth; i++) combined[leftWidth + i] = right === undefined ? null : (right[i] ?? null);
    return combined;
  }

  advance(watermarkMs: number): void {
    if (watermarkMs <= this.watermarkMs) return;
    this.watermarkMs = watermarkMs;
    this.expire();
  }

  /**
   * Drops rows no later row of the other side can match: a left row at tl is done once the right
   * side is past tl + left range (its later rows would be too late), and symmetrically. Outer joins
   * emit the unmatched ones, oldest first, at ROWTIME t + range.
   */
  private expire(): void {
    const { joinType, leftRangeMs, rightRangeMs } = this.plan;
    const rightLowMs = Math.max(this.right.lastRowtimeMs, this.watermarkMs);
    const leftLowMs = Math.max(this.left.lastRowtimeMs, this.watermarkMs);
    const leftOuter = joinType === "LEFT" || joinType === "FULL";
    const rightOuter = joinType === "RIGHT" || joinType === "FULL";
    const pending: { row: Row; rowtimeMs: number }[] = [];
    // A ROWS window's rows leave by count (evictBeyond), not by time.
    const leftDone = (stored: Stored | undefined): stored is Stored => stored !== undefined && this.plan.leftRows === undefined && rightLowMs > stored.rowtimeMs + leftRangeMs;
    const rightDone = (stored: Stored | undefined): stored is Stored => stored !== undefined && this.plan.rightRows === undefined && leftLowMs > stored.rowtimeMs + rightRangeMs;
    while (leftDone(this.left.rows.first())) {
      const stored = this.left.removeOldest();
      if (leftOuter && !stored.matched) pending.push({ row: this.fill(stored.row, undefined).slice(), rowtimeMs: stored.rowtimeMs + leftRangeMs });
    }
    while (rightDone(this.right.rows.first())) {
      const stored = this.right.removeOldest();
      if (rightOuter && !stored.matched) pending.push({ row: this.fill(undefined, stored.row).slice(), rowtimeMs: stored.rowtimeMs + rightRangeMs });
    }
    if (pending.length > 1) pending.sort((a, b) => a.rowtimeMs - b.rowtimeMs);
    for (const unmatched of pending) this.emit(unmatched.row, unmatched.rowtimeMs);
  }

  snapshot(): unknown {
    const side = (state: Side): unknown => ({
      lastRowtimeMs: Number.isFinite(state.lastRowtimeMs) ? state.lastRowtimeMs : null,
      rows: state.rows.toArray().map((stored) => [encodeRow(stored.row), stored.rowtimeMs, stored.matched]),
    });
    return { watermarkMs: Number.isFinite(this.watermarkMs) ? this.watermarkMs : null, left: side(this.left), right: side(this.right) };
  }

  restore(state: unknown): void {
    const saved = state as { watermarkMs: number | null; left: SavedSide; right: SavedSide };
    this.watermarkMs = saved.watermarkMs ?? Number.NEGATIVE_INFINITY;
    this.restoreSide(this.left, saved.left, this.plan.leftKeys);
    this.restoreSide(this.right, saved.right, this.plan.rightKeys);
  }

  private restoreSide(side: Side, saved: SavedSide, keys: CompiledExpression[]): void {
    side.lastRowtimeMs = saved.lastRowtimeMs ?? Number.NEGATIVE_INFINITY;
    const context = this.context();
    for (const [encoded, rowtimeMs, matched] of saved.rows) {
      const row = decodeRow(encoded);
      let key: unknown = noKey;
      if (keys.length > 0) {
        const values = keys.map((expression) => expression.evaluate(row, rowtimeMs, context));
        key = values.includes(null) ? undefined : groupKey(values);
      }
      side.add({ row, rowtimeMs, key, matched });
    }
  }
}

interface SavedSide {
  lastRowtimeMs: number | null;
  rows: [unknown, number, boolean][];
}
