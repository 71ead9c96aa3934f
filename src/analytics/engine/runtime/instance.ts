/**
 * A running application (contracts.ts ApplicationInstance): stream nodes for the inputs and the
 * streams the code creates, the pumps' operator chains instantiated into them, reference tables,
 * and error_stream. push() runs rows through synchronously, depth first; advance() moves time so
 * that windows close; merges (UNION ALL, streams with several pumps) release rows once every
 * input's bound — its latest ROWTIME or the watermark — has passed them.
 *
 * Per row the work is the operators' closures; the EvalContext is one object updated in place
 * (nowMs from the clock once per push or advance, rowtimeMs per row).
 */
import type { EvalContext } from "../../sql/functions/contracts.js";
import { SqlRuntimeError, type Row } from "../../sql/types.js";
import { assert } from "../../../util/assert.js";
import type { ApplicationInstance, RowSink } from "../contracts.js";
import { errorStreamName } from "../contracts.js";
import type { ApplicationPlan, PumpPlan } from "../application-plan.js";
import { errorRow, internalErrorName, rowData } from "../error-stream.js";
import type { Operator } from "../plan-contracts.js";
import { nullRowtime } from "../planner/pump.js";
import { MergeBuffer, type MergeSnapshot } from "./merge.js";
import { StreamNode } from "./stream-node.js";
import type { BoundOf, MergePoint, TableHolder, Wiring, WiringSlot } from "./wiring.js";

interface RunningPump {
  plan: PumpPlan;
  operator: Operator;
}

interface RankedMerge {
  rank: number;
  point: MergePoint;
}

interface InstanceSnapshot {
  version: 1;
  watermarkMs: number | null;
  inputs?: MergeSnapshot;
  streams: Record<string, { lastRowtimeMs: number | null; lastPushedMs: number | null; merge?: MergeSnapshot }>;
  pumps: Record<string, { fingerprint: string; state: unknown }>;
}

const snapshotVersion = 1;

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

export class Instance implements ApplicationInstance {
  private readonly context: EvalContext;
  private readonly nodes = new Map<string, StreamNode>();
  private readonly tables = new Map<string, TableHolder>();
  private readonly pumps: RunningPump[] = [];
  private readonly merges: RankedMerge[] = [];
  private readonly writers = new Map<string, PumpPlan[]>();
  private watermarkMs = -Infinity;
  /**
   * Inputs that pumps read, when there are several: their rows are merged by ROWTIME before they
   * enter the application, so every operator sees rows in one global ROWTIME order (joins and
   * merges of two inputs need it). A row waits until every read input has reached its ROWTIME.
   */
  private readonly readInputs: string[];
  private readonly inputMerge: MergeBuffer | undefined;
  private inputLimitMs = -Infinity;

  constructor(
    private readonly plan: ApplicationPlan,
    slot: WiringSlot,
    private readonly sink: RowSink,
    private readonly clock: { nowMs(): number },
  ) {
    const startMs = clock.nowMs();
    // LOCALTIMESTAMP and CURRENT_TIMESTAMP stay at the query's start (the reference), which is this start().
    this.context = { rowtimeMs: 0, nowMs: startMs, queryStartMs: startMs, referenceRows: (name) => this.tables.get(name)?.rows };
    for (const pump of plan.pumps) this.writers.set(pump.target, [...(this.writers.get(pump.target) ?? []), pump]);
    const report = (error: Error, row: Row, rowtimeMs: number, pumpName: string | undefined) => this.reportError(error, row, rowtimeMs, pumpName);
    for (const schema of [...plan.inputs, ...plan.streams]) {
      const inserters = (this.writers.get(schema.name) ?? []).map((pump) => pump.name);
      this.nodes.set(schema.name, new StreamNode(schema.name, inserters, sink, report));
    }
    for (const reference of plan.references) this.tables.set(reference.name, { rows: [], version: 0 });
    const read = new Set(plan.pumps.flatMap((pump) => pump.query.sources));
    this.readInputs = plan.inputs.map((input) => input.name).filter((name) => read.has(name));
    this.inputMerge = this.readInputs.length > 1 ? new MergeBuffer(this.readInputs.length) : undefined;
    this.instantiatePumps(slot);
  }

  private instantiatePumps(slot: WiringSlot): void {
    let rank = 0;
    const wiring: Wiring = {
      subscribe: (stream, operator) => {
        const node = this.nodes.get(stream);
        assert(node !== undefined, `no stream ${stream}`);
        node.subscribers.push(operator);
      },
      table: (name) => {
        const table = this.tables.get(name);
        assert(table !== undefined, `no reference table ${name}`);
        return table;
      },
      addMergePoint: (point) => this.merges.push({ rank, point }),
    };
    const lastWriterRank = new Map<string, number>();
    slot.with(wiring, () => {
      this.plan.pumps.forEach((pump, index) => {
        rank = index * 2;
        this.pumps.push({ plan: pump, operator: this.instantiatePump(pump) });
        lastWriterRank.set(pump.target, index * 2 + 1);
      });
    });
    // A stream's own merge releases after the pumps writing it and before the pumps reading it.
    for (const [name, node] of this.nodes) {
      if (node.merge === undefined) continue;
      this.merges.push({ rank: lastWriterRank.get(name) ?? 0, point: { release: (bound) => node.releaseUpTo(bound(this.sourcesOf(name))) } });
    }
    this.merges.sort((a, b) => a.rank - b.rank);
  }

  private instantiatePump(pump: PumpPlan): Operator {
    const target = this.nodes.get(pump.target) as StreamNode;
    const inserter = target.inserters.indexOf(pump.name);
    const { map, rowtimeIndex } = pump.mapping;
    const context = this.context;
    const errors = (error: Error, row: Row, rowtimeMs: number) => this.reportError(error, row, rowtimeMs, pump.name);
    const emit =
      map === undefined
        ? (row: Row, rowtimeMs: number) => target.insert(inserter, row, rowtimeMs)
        : (row: Row, rowtimeMs: number) => {
            let out: Row;
            let rowtime = rowtimeMs;
            try {
              if (rowtimeIndex !== undefined) {
                const value = row[rowtimeIndex];
                if (value === null || value === undefined) throw nullRowtime();
                rowtime = value as number;
              }
              out = map(row, context);
            } catch (error) {
              errors(error as Error, row, rowtimeMs);
              return;
            }
            target.insert(inserter, out, rowtime);
          };
    return pump.query.instantiate(emit, errors, () => context);
  }

  private reportError(error: Error, row: Row, rowtimeMs: number, pumpName: string | undefined): void {
    const name = error instanceof SqlRuntimeError ? error.errorName : internalErrorName;
    const details = { errorTimeMs: this.context.nowMs, name, message: error.message, dataRowtimeMs: rowtimeMs, data: rowData(row) };
    this.sink(errorStreamName, errorRow(pumpName === undefined ? details : { ...details, pumpName }), rowtimeMs);
  }

  /** The input streams a stream's rows derive from (for merge bounds). */
  private sourcesOf(stream: string): string[] {
    return (this.writers.get(stream) ?? []).flatMap((pump) => pump.query.sources);
  }

  private bounds(): BoundOf {
    const memo = new Map<string, number>();
    const boundOfStream = (name: string, depth: number): number => {
      const known = memo.get(name);
      if (known !== undefined) return known;
      const writers = this.writers.get(name);
      let bound: number;
      if (writers === undefined) {
        const node = this.nodes.get(name);
        if (this.inputMerge !== undefined && this.readInputs.includes(name)) bound = this.inputLimitMs;
        else bound = node !== undefined && this.plan.inputs.some((input) => input.name === name) ? Math.max(node.lastPushedMs, this.watermarkMs) : Infinity;
      } else {
        bound = Infinity;
        // Pumps are acyclic (checked at compile time); depth only guards against a planning bug.
        assert(depth < 1000, "stream bounds recurse");
        for (const pump of writers) for (const source of pump.query.sources) bound = Math.min(bound, boundOfStream(source, depth + 1));
      }
      memo.set(name, bound);
      return bound;
    };
    return (sources) => {
      let bound = Infinity;
      for (const source of sources) bound = Math.min(bound, boundOfStream(source, 0));
      return bound;
    };
  }

  private flushMerges(): void {
    if (this.merges.length === 0) return;
    const bound = this.bounds();
    for (const merge of this.merges) merge.point.release(bound);
  }

  setReferenceTable(name: string, rows: Row[]): void {
    const table = this.tables.get(name);
    if (table === undefined) throw new Error(`setReferenceTable: the application has no reference table ${name}`);
    table.rows = rows;
    table.version++;
  }

  push(input: string, rows: readonly Row[], rowtimesMs: readonly number[]): void {
    const node = this.nodes.get(input);
    if (node === undefined || !this.plan.inputs.some((schema) => schema.name === input)) throw new Error(`push: the application has no input stream ${input}`);
    this.context.nowMs = this.clock.nowMs();
    const side = this.inputMerge === undefined ? -1 : this.readInputs.indexOf(input);
    if (side < 0) {
      for (let i = 0; i < rows.length; i++) {
        const rowtimeMs = rowtimesMs[i] as number;
        if (rowtimeMs > node.lastPushedMs) node.lastPushedMs = rowtimeMs;
        node.deliver(rows[i] as Row, rowtimeMs, undefined);
      }
    } else {
      const merge = this.inputMerge as MergeBuffer;
      for (let i = 0; i < rows.length; i++) {
        const rowtimeMs = rowtimesMs[i] as number;
        // A row behind its own input cannot wait in the merge: it is out of order now.
        if (rowtimeMs < node.lastPushedMs) node.deliver(rows[i] as Row, rowtimeMs, undefined);
        else {
          node.lastPushedMs = rowtimeMs;
          merge.add(side, rows[i] as Row, rowtimeMs);
        }
      }
      this.releaseInputs();
    }
    this.flushMerges();
  }

  /** Lets merged input rows in, up to the lowest bound of the read inputs. */
  private releaseInputs(): void {
    const merge = this.inputMerge;
    if (merge === undefined) return;
    let limit = Infinity;
    for (const name of this.readInputs) limit = Math.min(limit, Math.max((this.nodes.get(name) as StreamNode).lastPushedMs, this.watermarkMs));
    this.inputLimitMs = limit;
    merge.release(limit, (row, rowtimeMs, side) => (this.nodes.get(this.readInputs[side] as string) as StreamNode).deliver(row, rowtimeMs, undefined));
  }

  advance(watermarkMs: number): void {
    if (watermarkMs > this.watermarkMs) this.watermarkMs = watermarkMs;
    this.context.nowMs = this.clock.nowMs();
    this.releaseInputs();
    for (const pump of this.pumps) {
      this.flushMerges();
      pump.operator.advance(watermarkMs);
    }
    this.flushMerges();
  }

  snapshot(): InstanceSnapshot {
    const streams: InstanceSnapshot["streams"] = {};
    for (const [name, node] of this.nodes) {
      streams[name] = { lastRowtimeMs: finite(node.lastRowtimeMs), lastPushedMs: finite(node.lastPushedMs), ...(node.merge === undefined ? {} : { merge: node.merge.snapshot() }) };
    }
    const pumps: InstanceSnapshot["pumps"] = {};
    for (const pump of this.pumps) pumps[pump.plan.name] = { fingerprint: pump.plan.fingerprint, state: pump.operator.snapshot() };
    const inputs = this.inputMerge === undefined ? {} : { inputs: this.inputMerge.snapshot() };
    return { version: snapshotVersion, watermarkMs: finite(this.watermarkMs), ...inputs, streams, pumps };
  }

  /** Restores what matches: a stream's position, a pump's state only when the pump is defined as before. */
  restore(state: unknown): void {
    const saved = state as InstanceSnapshot;
    if (saved === null || typeof saved !== "object" || saved.version !== snapshotVersion) throw new Error("restore: not an application snapshot of this version");
    this.watermarkMs = saved.watermarkMs ?? -Infinity;
    if (saved.inputs !== undefined) this.inputMerge?.restore(saved.inputs);
    for (const [name, node] of this.nodes) {
      const stream = saved.streams[name];
      if (stream === undefined) continue;
      node.lastRowtimeMs = stream.lastRowtimeMs ?? -Infinity;
      node.lastPushedMs = stream.lastPushedMs ?? -Infinity;
      if (stream.merge !== undefined) node.merge?.restore(stream.merge);
    }
    let limit = Infinity;
    for (const name of this.readInputs) limit = Math.min(limit, Math.max((this.nodes.get(name) as StreamNode).lastPushedMs, this.watermarkMs));
    this.inputLimitMs = this.inputMerge === undefined ? -Infinity : limit;
    for (const pump of this.pumps) {
      const pumpState = saved.pumps[pump.plan.name];
      if (pumpState !== undefined && pumpState.fingerprint === pump.plan.fingerprint) pump.operator.restore(pumpState.state);
    }
  }
}
