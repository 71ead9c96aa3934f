/**
 * Reading a table function's arguments (everything after its CURSOR): the reference requires them to
 * be constants; a missing or NULL one takes its documented default where it has one. Failures come
 * back as Resolution errors that the compiler turns into a compile error at the call.
 */
import type { Column, SqlType, SqlValue } from "../../types.js";
import type { Resolution } from "../contracts.js";

export class ArgumentError extends Error {}

export interface IntegerParameter {
  name: string;
  defaultValue?: number;
  min: number;
  max: number;
}

/** The integer argument at `index`, within [min, max]; its default when omitted or NULL. */
export function integerArgument(fn: string, args: readonly (SqlValue | undefined)[], index: number, parameter: IntegerParameter): number {
  const value = constantArgument(fn, args, index, parameter.name);
  if (value === null) {
    if (parameter.defaultValue === undefined) throw new ArgumentError(`${fn}: ${parameter.name} is required`);
    return parameter.defaultValue;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) throw new ArgumentError(`${fn}: ${parameter.name} must be an integer`);
  if (value < parameter.min || value > parameter.max) {
    throw new ArgumentError(`${fn}: ${parameter.name} must be between ${parameter.min} and ${parameter.max} (inclusive), not ${value}`);
  }
  return value;
}

export function numberArgument(fn: string, args: readonly (SqlValue | undefined)[], index: number, name: string, check: (value: number) => boolean, rule: string): number {
  const value = constantArgument(fn, args, index, name);
  if (value === null) throw new ArgumentError(`${fn}: ${name} is required`);
  if (typeof value !== "number" || !check(value)) throw new ArgumentError(`${fn}: ${name} must be ${rule}`);
  return value;
}

export function booleanArgument(fn: string, args: readonly (SqlValue | undefined)[], index: number, name: string, defaultValue: boolean): boolean {
  const value = constantArgument(fn, args, index, name);
  if (value === null) return defaultValue;
  if (typeof value !== "boolean") throw new ArgumentError(`${fn}: ${name} must be TRUE or FALSE`);
  return value;
}

/** The argument naming a column of the cursor ('TICKER_SYMBOL', in single quotes), matched exactly then case-insensitively. */
export function columnArgument(fn: string, input: readonly Column[], args: readonly (SqlValue | undefined)[], index: number): number {
  const value = constantArgument(fn, args, index, "columnName");
  if (typeof value !== "string") throw new ArgumentError(`${fn}: columnName must be a column name in single quotes`);
  let at = input.findIndex((column) => column.name === value);
  if (at < 0) at = input.findIndex((column) => column.name.toUpperCase() === value.toUpperCase());
  if (at < 0) throw new ArgumentError(`${fn}: column '${value}' is not in the input stream`);
  return at;
}

function constantArgument(fn: string, args: readonly (SqlValue | undefined)[], index: number, name: string): SqlValue {
  if (index >= args.length) return null;
  const value = args[index];
  if (value === undefined) throw new ArgumentError(`${fn}: ${name} must be a constant`);
  return value;
}

export function checkArity(fn: string, args: readonly unknown[], max: number): void {
  if (args.length > max) throw new ArgumentError(`${fn} takes at most ${max + 1} arguments (a CURSOR and ${max} more), not ${args.length + 1}`);
}

/** Runs a resolver, turning ArgumentError into a failed Resolution. */
export function resolving<T>(build: () => T): Resolution<T> {
  try {
    return { ok: true, value: build() };
  } catch (error) {
    if (error instanceof ArgumentError) return { ok: false, message: error.message };
    throw error;
  }
}

/** The types the reference's machine-learning functions read: DOUBLE, INTEGER, FLOAT, TINYINT, SMALLINT, REAL, BIGINT (not DECIMAL). */
export function isModelNumeric(type: SqlType): boolean {
  switch (type.name) {
    case "TINYINT":
    case "SMALLINT":
    case "INTEGER":
    case "BIGINT":
    case "REAL":
    case "DOUBLE":
      return true;
    default:
      return false;
  }
}
