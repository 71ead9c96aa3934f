/**
 * Runs one pump's SELECT through the window planner, as the core would: the FROM streams become
 * planned inputs (a join's two sides through planStreamJoin), rows are pushed in ROWTIME order,
 * time advances to +Infinity at the end (as replay does), and every output row is collected with
 * its ROWTIME. Timestamps print as the replay prints them (`YYYY-MM-DD HH:MM:SS.fff`).
 *
 * The sources wire themselves: a stream's planned input registers the operator it instantiates
 * under the stream's name, and rows of that stream are pushed there.
 */
import { parseProgram } from "../../../../src/analytics/sql/parser.js";
import type { FromItem, Select } from "../../../../src/analytics/sql/ast.js";
import type { Column, Row, SqlType, SqlValue } from "../../../../src/analytics/sql/types.js";
import type { Operator, PlannedInput, PlannedSelect, WindowPlannerEnvironment } from "../../../../src/analytics/engine/plan-contracts.js";
import { windowPlanner } from "../../../../src/analytics/engine/windows/index.js";
import { miniCompile, registry } from "./mini-compiler.js";

export const TIMESTAMP: SqlType = { name: "TIMESTAMP", precision: 3 };
export const VARCHAR = (length: number): SqlType => ({ name: "VARCHAR", precision: length });
export const DOUBLE: SqlType = { name: "DOUBLE" };
export const INTEGER: SqlType = { name: "INTEGER" };
export const REAL: SqlType = { name: "REAL" };

/** Epoch ms of a UTC 'YYYY-MM-DD HH:MM:SS[.fff]'. */
export function ts(text: string): number {
  return Date.parse(`${text.replace(" ", "T")}Z`);
}

export function formatTs(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace("Z", "");
}

export interface StreamInput {
  name: string;
  columns: Column[];
}

export interface InputRow {
  stream?: string;
  /** ROWTIME, as 'YYYY-MM-DD HH:MM:SS' or epoch ms. */
  rowtime: string | number;
  row: Row;
}

export interface RunOptions {
  /** Which pump (default: the last one). */
  pump?: string;
  /** Snapshot after this many input rows, through JSON, and continue in a new instance restored from it. */
  restartAfter?: number;
  /** The last watermark (default +Infinity, as replay ends); null for none. */
  finalWatermarkMs?: number | null;
  /** Watermarks to advance to before the row at the same index. */
  watermarks?: Map<number, number>;
}

export interface RunResult {
  columns: { name: string; type: SqlType }[];
  /** [ROWTIME, ...values] with TIMESTAMP columns printed. */
  rows: SqlValue[][];
  errors: string[];
  snapshots: unknown[];
}

function selectOf(code: string, pump?: string): Select {
  const statements = parseProgram(code).statements;
  const pumps = statements.filter((statement) => statement.kind === "CreatePump");
  const chosen = pump === undefined ? pumps[pumps.length - 1] : pumps.find((statement) => statement.name === pump);
  if (chosen !== undefined && chosen.kind === "CreatePump") {
    if (chosen.query.kind !== "Select") throw new Error("the harness runs a single SELECT");
    return chosen.query;
  }
  const select = statements.find((statement) => statement.kind === "Select");
  if (select === undefined || select.kind !== "Select") throw new Error("no pump or SELECT in the code");
  return select;
}

export function plan(code: string, inputs: StreamInput[], pump?: string) {
  const select = selectOf(code, pump);
  const env: WindowPlannerEnvironment = { compile: miniCompile, functions: registry, ...(select.windows === undefined ? {} : { windows: select.windows }) };
  let wiring: Map<string, Operator[]> = new Map();
  const planFrom = (from: FromItem): PlannedInput => {
    if (from.kind === "Join") return windowPlanner.planStreamJoin(from, planFrom(from.left), planFrom(from.right), env);
    if (from.kind !== "StreamRef") throw new Error(`the harness plans streams and joins, not ${from.kind}`);
    const input = inputs.find((candidate) => candidate.name === from.name);
    if (input === undefined) throw new Error(`no input ${from.name}`);
    const qualifier = from.alias ?? from.name;
    return {
      scope: { columns: input.columns.map((column, index) => ({ qualifier, name: column.name, type: column.type, index })) },
      stream: true,
      instantiate: (emit) => {
        const operator: Operator = { push: emit, advance: () => {}, snapshot: () => null, restore: () => {} };
        const list = wiring.get(from.name) ?? [];
        list.push(operator);
        wiring.set(from.name, list);
        return operator;
      },
    };
  };
  const input = planFrom(select.from);
  const planned = windowPlanner.needsWindows(select, registry) ? windowPlanner.planSelect(select, input, env) : project(select, input);
  const joined = select.from.kind === "Join";
  return {
    planned,
    start(sink: (row: Row, rowtimeMs: number) => void, errors: string[]) {
      wiring = new Map();
      const operator = planned.instantiate(sink, (error) => errors.push(error.message), () => ({ rowtimeMs: 0, nowMs: 0 }));
      const sources = wiring;
      return {
        operator,
        push(stream: string | undefined, row: Row, rowtimeMs: number) {
          if (!joined) operator.push(row, rowtimeMs);
          else for (const target of sources.get(stream as string) ?? []) target.push(row, rowtimeMs);
        },
      };
    },
  };
}

/** A plain projection (the core's job), for SELECTs over a stream join that need no window themselves. */
function project(select: Select, input: PlannedInput): PlannedSelect {
  const items = select.items.map((item) => {
    if (item.kind === "Star") throw new Error("the harness's projection takes no *");
    return { name: item.alias ?? (item.expression.kind === "ColumnRef" ? item.expression.name : "EXPR"), compiled: miniCompile(item.expression, input.scope) };
  });
  const where = select.where === undefined ? undefined : miniCompile(select.where, input.scope);
  return {
    columns: items.map((item) => ({ name: item.name, type: item.compiled.type })),
    instantiate: (emit, errors, context) =>
      input.instantiate(
        (row, rowtimeMs) => {
          if (where !== undefined && where.evaluate(row, rowtimeMs, context()) !== true) return;
          emit(items.map((item) => item.compiled.evaluate(row, rowtimeMs, context())), rowtimeMs);
        },
        errors,
        context,
      ),
  };
}

export function run(code: string, inputs: StreamInput[], rows: InputRow[], options: RunOptions = {}): RunResult {
  const { planned, start } = plan(code, inputs, options.pump);
  const out: SqlValue[][] = [];
  const errors: string[] = [];
  const snapshots: unknown[] = [];
  const sink = (row: Row, rowtimeMs: number) => {
    const printed = row.map((value, index) => (planned.columns[index]?.type.name === "TIMESTAMP" && typeof value === "number" ? formatTs(value) : value));
    out.push([formatTs(rowtimeMs), ...printed]);
  };
  let running = start(sink, errors);
  rows.forEach((input, index) => {
    if (options.restartAfter === index) {
      const saved = JSON.parse(JSON.stringify(running.operator.snapshot())) as unknown;
      snapshots.push(saved);
      running = start(sink, errors);
      running.operator.restore(saved);
    }
    const watermark = options.watermarks?.get(index);
    if (watermark !== undefined) running.operator.advance(watermark);
    const rowtimeMs = typeof input.rowtime === "number" ? input.rowtime : ts(input.rowtime);
    running.push(input.stream, input.row, rowtimeMs);
  });
  const finalMs = options.finalWatermarkMs === undefined ? Number.POSITIVE_INFINITY : options.finalWatermarkMs;
  if (finalMs !== null) running.operator.advance(finalMs);
  return { columns: planned.columns, rows: out, errors, snapshots };
}
