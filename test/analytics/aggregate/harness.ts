/**
 * Helpers for the aggregate tests: resolve a function by name as the planner would, and a JSON round
 * trip of an accumulator's snapshot (what a checkpoint does to it).
 */
import assert from "node:assert/strict";
import { aggregateFunctions } from "../../../src/analytics/sql/functions/aggregate/index.js";
import type { Accumulator, AggregateImplementation } from "../../../src/analytics/sql/functions/contracts.js";
import type { SqlType, SqlValue } from "../../../src/analytics/sql/types.js";

export const INTEGER: SqlType = { name: "INTEGER" };
export const BIGINT: SqlType = { name: "BIGINT" };
export const DOUBLE: SqlType = { name: "DOUBLE" };
export const REAL: SqlType = { name: "REAL" };
export const TIMESTAMP: SqlType = { name: "TIMESTAMP", precision: 3 };
export const VARCHAR = (length: number): SqlType => ({ name: "VARCHAR", precision: length });
export const DECIMAL = (precision: number, scale: number): SqlType => ({ name: "DECIMAL", precision, scale });

export function resolveAggregate(
  name: string,
  args: readonly SqlType[],
  options: { distinct?: boolean; constants?: (SqlValue | undefined)[] } = {},
): AggregateImplementation {
  const fn = aggregateFunctions.find((candidate) => candidate.name === name);
  assert.ok(fn, `no aggregate ${name}`);
  const resolution = fn.resolve(args, options.distinct ?? false, options.constants ?? args.map(() => undefined));
  if (!resolution.ok) assert.fail(`${name} did not resolve: ${resolution.message}`);
  return resolution.value;
}

export function resolveError(name: string, args: readonly SqlType[], distinct = false, constants?: (SqlValue | undefined)[]): string {
  const fn = aggregateFunctions.find((candidate) => candidate.name === name);
  assert.ok(fn, `no aggregate ${name}`);
  const resolution = fn.resolve(args, distinct, constants ?? args.map(() => undefined));
  assert.equal(resolution.ok, false, `${name} resolved but should not have`);
  return resolution.ok ? "" : resolution.message;
}

/** A new accumulator holding what `accumulator` held, through JSON as a checkpoint would carry it. */
export function roundTrip(implementation: AggregateImplementation, accumulator: Accumulator): Accumulator {
  const copy = implementation.create();
  copy.restore(JSON.parse(JSON.stringify(accumulator.snapshot())));
  return copy;
}

/** xorshift32: a tiny seeded generator for the tests' random sequences. */
export function seededInts(seed: number): (bound: number) => number {
  let state = seed >>> 0 || 1;
  return (bound: number) => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % bound;
  };
}
