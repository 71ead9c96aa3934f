/**
 * Window specifications as the planner runs them. The reference allows windows that end at the
 * current row ("Allowed and Disallowed Window Specifications"): RANGE INTERVAL … PRECEDING (rows
 * whose ROWTIME lies within the interval before the current row's, both ends included, as the
 * reference's "Windowed Aggregation on Streams" results show), ROWS n PRECEDING (the current row and
 * the n before it: "ROWS 3 PRECEDING" holds four rows), RANGE/ROWS CURRENT ROW, UNBOUNDED PRECEDING;
 * no ORDER BY for windowed aggregation. A window named in the WINDOW clause may be referenced and
 * refined (`OVER (w ROWS 2 PRECEDING)`).
 */
import type { Expression, IntervalLiteral, TimeUnit, WindowSpec } from "../../sql/ast.js";
import { SqlCompileError, isInterval } from "../../sql/types.js";
import type { Scope, WindowPlannerEnvironment } from "../plan-contracts.js";
import { stripPositions } from "./syntax.js";

export type Frame = { kind: "rows"; count: number } | { kind: "range"; ms: number } | { kind: "unbounded" };

export interface ResolvedWindow {
  partitionBy: Expression[];
  frame: Frame;
  /** Equal for windows that partition and frame alike, so their calls share state. */
  id: string;
}

export type NamedWindows = ReadonlyMap<string, WindowSpec>;

export function namedWindows(windows: readonly { name: string; spec: WindowSpec }[] | undefined): NamedWindows {
  const named = new Map<string, WindowSpec>();
  for (const window of windows ?? []) named.set(window.name, window.spec);
  return named;
}

/** Follows `base` references and merges refinements; no frame means UNBOUNDED PRECEDING. */
function flatten(spec: WindowSpec, named: NamedWindows, seen: Set<string>): WindowSpec {
  if (spec.base === undefined) return spec;
  const base = named.get(spec.base);
  if (base === undefined) throw new SqlCompileError(`Window '${spec.base}' not found`, spec.at);
  if (seen.has(spec.base)) throw new SqlCompileError(`Window '${spec.base}' refers to itself`, spec.at);
  seen.add(spec.base);
  const resolved = flatten(base, named, seen);
  if (spec.partitionBy !== undefined && resolved.partitionBy !== undefined) {
    throw new SqlCompileError(`PARTITION BY not allowed with existing window reference`, spec.at);
  }
  const merged: WindowSpec = { at: spec.at };
  const partitionBy = spec.partitionBy ?? resolved.partitionBy;
  const orderBy = spec.orderBy ?? resolved.orderBy;
  const frame = spec.frame ?? resolved.frame;
  if (partitionBy !== undefined) merged.partitionBy = partitionBy;
  if (orderBy !== undefined) merged.orderBy = orderBy;
  if (frame !== undefined) merged.frame = frame;
  return merged;
}

export function resolveWindow(spec: WindowSpec, named: NamedWindows, env: WindowPlannerEnvironment, scope: Scope): ResolvedWindow {
  const flat = flatten(spec, named, new Set());
  if (flat.orderBy !== undefined && flat.orderBy.length > 0) {
    throw new SqlCompileError("ORDER BY is not allowed in the window of a windowed aggregation", flat.at);
  }
  const frame = resolveFrame(flat, env, scope);
  const partitionBy = flat.partitionBy ?? [];
  return { partitionBy, frame, id: JSON.stringify([stripPositions(partitionBy), frame]) };
}

export function resolveFrame(spec: WindowSpec, env: WindowPlannerEnvironment, scope: Scope): Frame {
  const frame = spec.frame;
  if (frame === undefined || frame.preceding === "UNBOUNDED") return { kind: "unbounded" };
  if (frame.preceding === "CURRENT ROW") return frame.unit === "ROWS" ? { kind: "rows", count: 0 } : { kind: "range", ms: 0 };
  if (frame.unit === "ROWS") return { kind: "rows", count: rowCount(frame.preceding, env, scope) };
  return { kind: "range", ms: intervalMs(frame.preceding, env, scope) };
}

function rowCount(expression: Expression, env: WindowPlannerEnvironment, scope: Scope): number {
  const value = expression.kind === "Literal" ? expression.value : env.compile(expression, scope).constant;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new SqlCompileError("ROWS requires a non-negative integer literal", expression.at);
  }
  return value;
}

const unitMs: Partial<Record<TimeUnit, number>> = {
  WEEK: 7 * 86_400_000,
  DAY: 86_400_000,
  HOUR: 3_600_000,
  MINUTE: 60_000,
  SECOND: 1_000,
  MILLISECOND: 1,
};

const dayTimeOrder: TimeUnit[] = ["DAY", "HOUR", "MINUTE", "SECOND"];

/** The milliseconds of a day-time interval literal ('1' MINUTE, '1:30' HOUR TO MINUTE, '1.5' SECOND). */
export function literalMs(literal: IntervalLiteral): number | undefined {
  const startMs = unitMs[literal.start];
  if (startMs === undefined) return undefined;
  const text = literal.text.trim();
  let sign = literal.negative ? -1 : 1;
  let body = text;
  if (body.startsWith("-")) {
    sign = -sign;
    body = body.slice(1);
  } else if (body.startsWith("+")) body = body.slice(1);
  if (literal.end === undefined) {
    const value = Number(body);
    return Number.isFinite(value) ? sign * Math.round(value * startMs) : undefined;
  }
  const first = dayTimeOrder.indexOf(literal.start);
  const last = dayTimeOrder.indexOf(literal.end);
  if (first < 0 || last < first) return undefined;
  const parts = body.split(/[ :]/);
  if (parts.length !== last - first + 1) return undefined;
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    const value = Number(parts[i]);
    if (!Number.isFinite(value)) return undefined;
    total += value * (unitMs[dayTimeOrder[first + i] as TimeUnit] as number);
  }
  return sign * Math.round(total);
}

/** A constant day-time interval (a window's RANGE, a stagger window's length) in milliseconds. */
export function intervalMs(expression: Expression, env: WindowPlannerEnvironment, scope: Scope): number {
  let ms: number | undefined;
  if (expression.kind === "IntervalLiteral") ms = literalMs(expression);
  else {
    const constant = env.compile(expression, scope).constant;
    if (constant !== undefined && constant !== null && isInterval(constant)) ms = constant.ms;
  }
  if (ms === undefined) throw new SqlCompileError("RANGE requires a constant INTERVAL of days, hours, minutes or seconds", expression.at);
  if (ms < 0) throw new SqlCompileError("A window cannot have a negative size", expression.at);
  return ms;
}
