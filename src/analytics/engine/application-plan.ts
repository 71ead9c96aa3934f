/**
 * From application code to a plan: the catalog of in-application streams (the inputs, those
 * CREATE [OR REPLACE] STREAM declares, error_stream, which code cannot read) and reference tables,
 * and every pump planned against it in statement order — a pump may read only what is declared
 * before it. Pumps form chains (a pump's target is another's source); a cycle is rejected, and the
 * pumps are ordered so that every pump comes after those that feed it.
 */
import type { CreatePump, CreateStream, Program } from "../sql/ast.js";
import type { Column, SqlType } from "../sql/types.js";
import type { StreamSchema } from "./contracts.js";
import { errorStreamName } from "./contracts.js";
import { compileError } from "./expressions/compiled.js";
import { rowtimeColumn } from "./expressions/names.js";
import { isInterval } from "./expressions/type-rules.js";
import type { Catalog, CatalogEntry, PlanContext, PlannedQuery } from "./planner/context.js";
import { planInsert, type RowMapping } from "./planner/pump.js";
import { planQuery } from "./planner/query.js";

export interface PumpPlan {
  name: string;
  target: string;
  query: PlannedQuery;
  mapping: RowMapping;
  /** Identifies the pump's definition, so a checkpoint restores state only into the same pump. */
  fingerprint: string;
}

export interface ApplicationPlan {
  inputs: StreamSchema[];
  streams: StreamSchema[];
  references: StreamSchema[];
  /** In dependency order. */
  pumps: PumpPlan[];
  /** Stream names in dependency order (inputs first). */
  streamOrder: string[];
}

export class MutableCatalog implements Catalog {
  private readonly entries = new Map<string, CatalogEntry>();

  get(name: string): CatalogEntry | undefined {
    return this.entries.get(name);
  }

  set(entry: CatalogEntry): void {
    this.entries.set(entry.name, entry);
  }

  all(): CatalogEntry[] {
    return [...this.entries.values()];
  }
}

function fingerprintOf(pump: CreatePump): string {
  return JSON.stringify(pump, (key, value: unknown) => (key === "at" ? undefined : value));
}

function declareStream(statement: CreateStream, catalog: MutableCatalog): void {
  const existing = catalog.get(statement.name);
  if (statement.name === errorStreamName || (existing !== undefined && (!statement.orReplace || existing.kind !== "stream"))) {
    throw compileError(`Object '${statement.name}' already exists`, statement.at);
  }
  const names = new Set<string>();
  const columns: Column[] = statement.columns.map((column) => {
    if (names.has(column.name)) throw compileError(`Duplicate column name '${column.name}'`, column.at);
    if (column.name === rowtimeColumn) throw compileError("ROWTIME is a system column and cannot be declared", column.at);
    if (isInterval(column.type as SqlType)) throw compileError("An INTERVAL type cannot be used for a column of a stream", column.at);
    names.add(column.name);
    return { name: column.name, type: column.type };
  });
  catalog.set({ name: statement.name, kind: "stream", columns });
}

function planPump(statement: CreatePump, context: PlanContext, catalog: MutableCatalog): PumpPlan {
  const target = catalog.get(statement.target);
  if (target === undefined) throw compileError(`Object '${statement.target}' not found`, statement.at);
  if (target.kind !== "stream") throw compileError(`Cannot insert into ${target.kind === "input" ? "input stream" : "reference table"} '${target.name}'`, statement.at);
  const keepRowtime = statement.targetColumns?.includes(rowtimeColumn) === true;
  const query = planQuery(statement.query, context, { extractRowtime: !keepRowtime });
  if (!query.stream) throw compileError(`Cannot insert into stream '${target.name}' from a relation: use SELECT STREAM`, statement.query.at);
  const mapping = planInsert(statement, target.columns, query.columns);
  return { name: statement.name, target: target.name, query, mapping, fingerprint: fingerprintOf(statement) };
}

/** Orders pumps so that each follows every pump writing a stream it reads; throws on a cycle. */
function orderPumps(pumps: PumpPlan[], statements: Map<string, CreatePump>): { pumps: PumpPlan[]; streams: string[] } {
  const writers = new Map<string, PumpPlan[]>();
  for (const pump of pumps) writers.set(pump.target, [...(writers.get(pump.target) ?? []), pump]);
  const ordered: PumpPlan[] = [];
  const streams: string[] = [];
  const state = new Map<PumpPlan, "visiting" | "done">();
  const doneStreams = new Set<string>();
  const visitStream = (stream: string, path: PumpPlan[]): void => {
    if (doneStreams.has(stream)) return;
    for (const writer of writers.get(stream) ?? []) visitPump(writer, path);
    if (!doneStreams.has(stream)) {
      doneStreams.add(stream);
      streams.push(stream);
    }
  };
  const visitPump = (pump: PumpPlan, path: PumpPlan[]): void => {
    const seen = state.get(pump);
    if (seen === "done") return;
    if (seen === "visiting") {
      throw compileError(`Pumps form a cycle: ${[...path, pump].map((p) => p.name).join(" -> ")}`, statements.get(pump.name)?.at);
    }
    state.set(pump, "visiting");
    for (const source of pump.query.sources) visitStream(source, [...path, pump]);
    state.set(pump, "done");
    ordered.push(pump);
  };
  for (const pump of pumps) visitPump(pump, []);
  for (const stream of writers.keys()) visitStream(stream, []);
  return { pumps: ordered, streams };
}

export function planApplication(program: Program, inputs: readonly StreamSchema[], references: readonly StreamSchema[], context: PlanContext, catalog: MutableCatalog): ApplicationPlan {
  for (const input of inputs) catalog.set({ name: input.name, kind: "input", columns: input.columns });
  for (const reference of references) catalog.set({ name: reference.name, kind: "reference", columns: reference.columns });
  const pumps = new Map<string, PumpPlan>();
  const statements = new Map<string, CreatePump>();
  for (const statement of program.statements) {
    switch (statement.kind) {
      case "CreateStream":
        declareStream(statement, catalog);
        break;
      case "CreatePump":
        if (pumps.has(statement.name) && !statement.orReplace) throw compileError(`Pump '${statement.name}' already exists`, statement.at);
        pumps.set(statement.name, planPump(statement, context, catalog));
        statements.set(statement.name, statement);
        break;
      case "Select":
        // A bare query is checked but runs nowhere: only pumps move rows between streams.
        planQuery(statement, context);
        break;
    }
  }
  const order = orderPumps([...pumps.values()], statements);
  const inputNames = inputs.map((input) => input.name);
  const created = catalog.all().filter((entry) => entry.kind === "stream");
  const streamOrder = [...inputNames, ...order.streams.filter((name) => !inputNames.includes(name))];
  for (const entry of created) if (!streamOrder.includes(entry.name)) streamOrder.push(entry.name);
  return {
    inputs: [...inputs],
    streams: created.map((entry) => ({ name: entry.name, columns: entry.columns })),
    references: [...references],
    pumps: order.pumps,
    streamOrder,
  };
}
