/**
 * Test helpers for the engine: compile application code against typed inputs, push rows with
 * ROWTIMEs, and collect what each in-application stream receives. ROWTIMEs are written as
 * 'YYYY-MM-DD HH:MM:SS.fff' text in expectations so goldens read like the service's output.
 */
import assert from "node:assert/strict";
import { compileWith } from "../../../src/analytics/engine/compile.js";
import type { ApplicationInstance, StreamSchema } from "../../../src/analytics/engine/contracts.js";
import type { WindowPlanner } from "../../../src/analytics/engine/plan-contracts.js";
import { windowPlanner } from "../../../src/analytics/engine/windows/index.js";
import { formatTimestamp, parseTimestamp } from "../../../src/analytics/engine/expressions/datetime.js";
import type { FunctionRegistry } from "../../../src/analytics/sql/functions/contracts.js";
import { defaultFunctionRegistry } from "../../../src/analytics/sql/functions/registry.js";
import { parseSqlType } from "../../../src/analytics/sql/parser.js";
import type { Column, Row, SqlCompileError } from "../../../src/analytics/sql/types.js";

/** `"TICKER VARCHAR(4), PRICE DOUBLE"` → columns. */
export function columns(text: string): Column[] {
  return text.split(/,(?![^(]*\))/).map((part) => {
    const [name, ...type] = part.trim().split(/\s+/);
    // Names as the API gives them (case kept); a quoted name loses its quotes.
    return { name: (name as string).replace(/^"(.*)"$/, "$1"), type: parseSqlType(type.join(" ")) };
  });
}

export function ts(text: string): number {
  const value = parseTimestamp(text);
  assert.notEqual(value, null, `bad timestamp ${text}`);
  return value as number;
}

export interface Received {
  stream: string;
  rowtime: string;
  row: Row;
}

export interface Harness {
  app: ApplicationInstance;
  received: Received[];
  /** Rows of one stream, as [rowtime text, ...values]. */
  rows(stream: string): unknown[][];
  push(input: string, rows: [string, ...unknown[]][]): void;
  clock: { now: number };
}

export interface CompileOptions {
  inputs: Record<string, string>;
  references?: Record<string, string>;
  functions?: FunctionRegistry;
  windows?: WindowPlanner | undefined;
  seed?: number;
}

function schemas(map: Record<string, string> | undefined): StreamSchema[] {
  return Object.entries(map ?? {}).map(([name, text]) => ({ name, columns: columns(text) }));
}

export function compile(code: string, options: CompileOptions) {
  return compileWith(
    { code, inputs: schemas(options.inputs), references: schemas(options.references), functions: options.functions ?? defaultFunctionRegistry(), seed: options.seed ?? 7 },
    "windows" in options ? options.windows : windowPlanner,
  );
}

export function start(code: string, options: CompileOptions): Harness {
  const result = compile(code, options);
  if (!result.ok) assert.fail(`compile error at ${JSON.stringify(result.error.position)}: ${result.error.message}`);
  const received: Received[] = [];
  const clock = { now: ts("2024-01-01 00:00:00") };
  const app = result.application.start((stream, row, rowtimeMs) => received.push({ stream, rowtime: formatTimestamp(rowtimeMs), row }), { nowMs: () => clock.now });
  return {
    app,
    received,
    clock,
    rows: (stream) => received.filter((entry) => entry.stream === stream).map((entry) => [entry.rowtime, ...entry.row]),
    push(input, rows) {
      app.push(
        input,
        rows.map(([, ...values]) => values as Row),
        rows.map(([time]) => ts(time)),
      );
    },
  };
}

/** The compile error of code that must not compile. */
export function compileError(code: string, options: CompileOptions): SqlCompileError {
  const result = compile(code, options);
  if (result.ok) assert.fail("expected a compile error");
  return result.error;
}
