/**
 * Calls a scalar function the way the planner will: resolve once with the argument types and the
 * constant arguments, then evaluate per row, short-circuiting nulls for strict implementations.
 */
import assert from "node:assert/strict";
import type { CallSite, EvalContext, ScalarImplementation } from "../../../src/analytics/sql/functions/contracts.js";
import { scalarFunctions } from "../../../src/analytics/sql/functions/scalar/index.js";
import { SqlRuntimeError, type SqlInterval, type SqlType, type SqlValue } from "../../../src/analytics/sql/types.js";

export interface Arg {
  type: SqlType;
  value: SqlValue;
  /** Whether the planner sees it as a constant (literals are). */
  constant: boolean;
}

/** A literal argument with the type the parser gives it. */
export function lit(value: SqlValue): Arg {
  if (value === null) return { type: { name: "NULL" }, value, constant: true };
  if (typeof value === "string") return { type: { name: "CHAR", precision: value.length }, value, constant: true };
  if (typeof value === "boolean") return { type: { name: "BOOLEAN" }, value, constant: true };
  if (typeof value === "number") {
    if (Number.isInteger(value)) return { type: { name: "INTEGER" }, value, constant: true };
    const scale = String(value).split(".")[1]?.length ?? 0;
    return { type: { name: "DECIMAL", precision: String(value).replace(/[-.]/g, "").length, scale }, value, constant: true };
  }
  throw new Error("lit: give a type with arg()");
}

/** A typed argument; `constant` false makes it a column value. */
export function arg(type: SqlType | SqlType["name"], value: SqlValue, constant = false): Arg {
  return { type: typeof type === "string" ? { name: type } : type, value, constant };
}

export const varcharArg = (value: string | null, length = 64): Arg => arg({ name: "VARCHAR", precision: length }, value);
export const symbol = (name: string): Arg => ({ type: { name: "SYMBOL" }, value: name, constant: true });

/** Epoch ms of 'YYYY-MM-DD HH:MM:SS[.fff]' (UTC). */
export function ts(text: string): number {
  const ms = Date.parse(text.replace(" ", "T") + "Z");
  assert.ok(!Number.isNaN(ms), `bad timestamp ${text}`);
  return ms;
}

export const timestampArg = (text: string | null): Arg => arg({ name: "TIMESTAMP", precision: 3 }, text === null ? null : ts(text));
export const dayInterval = (ms: number): SqlInterval => ({ kind: "interval", ms });
export const monthInterval = (months: number): SqlInterval => ({ kind: "interval", months });
export const intervalArg = (value: SqlInterval): Arg =>
  arg(value.months !== undefined ? "INTERVAL_YEAR_MONTH" : "INTERVAL_DAY_TIME", value, true);

export const context: EvalContext = { rowtimeMs: ts("2016-09-23 04:29:26.234"), nowMs: ts("2016-09-23 04:29:26.234") };

export function resolve(name: string, args: readonly Arg[], site?: CallSite): ScalarImplementation {
  const fn = scalarFunctions.find((candidate) => candidate.name === name);
  assert.ok(fn !== undefined, `${name} is not registered`);
  const resolution = fn.resolve(
    args.map((a) => a.type),
    args.map((a) => (a.constant ? a.value : undefined)),
    site,
  );
  if (!resolution.ok) throw new Error(resolution.message);
  return resolution.value;
}

/** The resolution's message when the call does not fit, or undefined. */
export function resolveError(name: string, args: readonly Arg[]): string | undefined {
  try {
    resolve(name, args);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function run(implementation: ScalarImplementation, args: readonly Arg[], at: EvalContext = context): SqlValue {
  const values = args.map((a) => a.value);
  if (implementation.strict && values.some((value) => value === null)) return null;
  return implementation.evaluate(values, at);
}

/** Resolves and evaluates one call (written with commas unless `site` says keywords). */
export function call(name: string, args: readonly Arg[], at: EvalContext = context, site?: CallSite): SqlValue {
  return run(resolve(name, args, site), args, at);
}

/** Asserts the call raises a row error (SqlRuntimeError) and returns it. */
export function rowError(name: string, args: readonly Arg[]): SqlRuntimeError {
  try {
    call(name, args);
  } catch (error) {
    assert.ok(error instanceof SqlRuntimeError, `expected SqlRuntimeError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${name} did not raise a row error`);
}
