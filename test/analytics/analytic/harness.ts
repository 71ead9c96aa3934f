/**
 * Helpers for the table-function tests: resolve by name as the compiler would (the arguments after
 * the CURSOR as constants), feed rows, collect what comes out, and seeded data.
 */
import assert from "node:assert/strict";
import { tableFunctions } from "../../../src/analytics/sql/functions/analytic/index.js";
import type { TableFunctionImplementation, TableFunctionInstance } from "../../../src/analytics/sql/functions/contracts.js";
import type { Column, Row, SqlType, SqlValue } from "../../../src/analytics/sql/types.js";

export const col = (name: string, type: SqlType["name"], precision?: number): Column => ({ name, type: precision === undefined ? { name: type } : { name: type, precision } });

export function resolveTable(name: string, input: Column[], args: SqlValue[], seed = 1): TableFunctionImplementation {
  const fn = tableFunctions.find((candidate) => candidate.name === name);
  assert.ok(fn, `no table function ${name}`);
  const resolution = fn.resolve(input, args, args.map(() => ({ name: "INTEGER" })), seed);
  if (!resolution.ok) assert.fail(`${name} did not resolve: ${resolution.message}`);
  return resolution.value;
}

export function resolveTableError(name: string, input: Column[], args: (SqlValue | undefined)[]): string {
  const fn = tableFunctions.find((candidate) => candidate.name === name);
  assert.ok(fn, `no table function ${name}`);
  const resolution = fn.resolve(input, args, args.map(() => ({ name: "INTEGER" })), 1);
  assert.equal(resolution.ok, false, `${name} resolved but should not have`);
  return resolution.ok ? "" : resolution.message;
}

export interface Output {
  row: Row;
  rowtimeMs: number;
}

/** Pushes every row (with its ROWTIME) and answers what was emitted, in order. */
export function feed(instance: TableFunctionInstance, rows: [Row, number][], out: Output[] = []): Output[] {
  for (const [row, rowtimeMs] of rows) instance.push(row, rowtimeMs, (emitted, at) => out.push({ row: emitted, rowtimeMs: at }));
  return out;
}

export function advance(instance: TableFunctionInstance, watermarkMs: number, out: Output[] = []): Output[] {
  instance.advance(watermarkMs, (emitted, at) => out.push({ row: emitted, rowtimeMs: at }));
  return out;
}

/** A copy of the instance through a JSON checkpoint. */
export function restored(implementation: TableFunctionImplementation, instance: TableFunctionInstance): TableFunctionInstance {
  const copy = implementation.create();
  copy.restore(JSON.parse(JSON.stringify(instance.snapshot())));
  return copy;
}

/** A seeded uniform generator in [0, 1) (mulberry32), for test data only. */
export function uniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
