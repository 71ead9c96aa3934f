/**
 * Function logs (START/END/REPORT and what handlers print), kept in the Lambda service's table
 * "function-logs" (src/lambda/service-tables.ts) so every storage engine holds them and a reset
 * drops them. One item per log event:
 *
 *   key   = <functionName> NUL <timestampMs, 13 digits> NUL <sequence, 10 digits> NUL <node, 16 hex digits>
 *   value = the message
 *
 * Keys sort by function, then time, then arrival (NUL sorts before every character of a function
 * name, so one function's keys never interleave with a longer name's). The sequence orders one
 * node's events; the node's id (random per process) keeps two nodes sharing the engine from
 * writing the same key when their sequences meet in one millisecond, which would lose a line. Keys
 * written before it (no node part) sort and read as the others do. The table is bounded: a
 * function keeps at most `eventsPerFunctionMax` events and none older than `retentionMs`; the
 * oldest go first, trimmed after appends once a function is `trimSlackEvents` past its cap.
 *
 * @example
 *   const logs = createFunctionLogs({ tables, serviceTables, clock });
 *   await logs.append("000000000000", "my-fn", [{ timestampMs: clock.nowMs(), message: "START RequestId: …" }]);
 *   const events = await logs.read("000000000000", "my-fn", { limit: 100 });
 */
import type { TableStore } from "../../storage/types.js";
import type { Clock } from "../../util/clock.js";
import { systemRandom } from "../../util/random.js";
import type { FunctionLogEvent, FunctionLogs } from "../model.js";
import type { ServiceTables } from "../service-tables.js";

export const functionLogsTableName = "function-logs";
/** At most this many events per function (older ones are dropped). */
export const eventsPerFunctionMax = 10_000;
/** Events older than this are dropped (a week, as a short CloudWatch retention would). */
export const retentionMs = 7 * 24 * 3600 * 1000;
/** How far past its cap a function may grow before a trim pass runs (trims in batches, not per event). */
const trimSlackEvents = 500;
const scanPageItems = 500;
const timestampDigits = 13;
const sequenceDigits = 10;
const sequenceModulus = 10 ** sequenceDigits;
const nodeIdBytes = 8;

export interface FunctionLogsDeps {
  tables: TableStore;
  serviceTables: ServiceTables;
  clock: Clock;
  /** This process's part of the keys it writes (16 hex digits); random unless a test names it. */
  nodeId?: string;
}

export function createFunctionLogs(deps: FunctionLogsDeps): FunctionLogs {
  return new TableFunctionLogs(deps);
}

function pad(value: number, digits: number): string {
  return String(Math.max(0, Math.floor(value))).padStart(digits, "0");
}

function prefixOf(functionName: string): string {
  return `${functionName}\u0000`;
}

function keyOf(functionName: string, timestampMs: number, sequence: number, nodeId: string): string {
  return `${prefixOf(functionName)}${pad(timestampMs, timestampDigits)}\u0000${pad(sequence, sequenceDigits)}\u0000${nodeId}`;
}

function timestampOfKey(key: string, prefixLength: number): number {
  return Number(key.slice(prefixLength, prefixLength + timestampDigits));
}

class TableFunctionLogs implements FunctionLogs {
  /** Events per account+function as last counted (undefined: not counted since start). */
  private readonly counts = new Map<string, number>();
  private readonly trimming = new Map<string, Promise<void>>();
  /** Orders events of the same millisecond; started from the clock so a restart does not reuse small numbers. */
  private sequence: number;
  private readonly nodeId: string;

  constructor(private readonly deps: FunctionLogsDeps) {
    this.sequence = (deps.clock.nowMs() * 1000) % sequenceModulus;
    this.nodeId = deps.nodeId ?? systemRandom.bytes(nodeIdBytes).toString("hex");
  }

  async append(accountId: string, functionName: string, events: readonly FunctionLogEvent[]): Promise<void> {
    if (events.length === 0) return;
    const tableId = await this.deps.serviceTables.tableId(accountId, functionLogsTableName);
    const writes = events.map((event) => {
      this.sequence = (this.sequence + 1) % sequenceModulus;
      return this.deps.tables.putItem(tableId, { key: keyOf(functionName, event.timestampMs, this.sequence, this.nodeId), value: event.message });
    });
    // Issued together, so the engine's group commit makes them durable in one flush.
    await Promise.all(writes);
    const countKey = `${accountId}\u0000${functionName}`;
    const counted = this.counts.get(countKey);
    if (counted !== undefined) this.counts.set(countKey, counted + events.length);
    if (counted === undefined || counted + events.length > eventsPerFunctionMax + trimSlackEvents) await this.trim(accountId, functionName, tableId);
  }

  async read(accountId: string, functionName: string, options: { startMs?: number; limit: number }): Promise<FunctionLogEvent[]> {
    const tableId = await this.deps.serviceTables.tableId(accountId, functionLogsTableName);
    const prefix = prefixOf(functionName);
    const oldestMs = this.deps.clock.nowMs() - retentionMs;
    const startMs = Math.max(options.startMs ?? 0, oldestMs);
    // Keys after this one start at startMs (the sequence part of any key sorts after it).
    let afterKey: string | undefined = `${prefix}${pad(startMs, timestampDigits)}`;
    if (startMs <= 0) afterKey = prefix;
    const events: FunctionLogEvent[] = [];
    while (events.length < options.limit) {
      const page = await this.deps.tables.scan(tableId, afterKey, Math.min(scanPageItems, options.limit - events.length));
      for (const entry of page) {
        if (!entry.key.startsWith(prefix)) return events;
        events.push({ timestampMs: timestampOfKey(entry.key, prefix.length), message: entry.value });
      }
      if (page.length === 0) break;
      afterKey = page[page.length - 1]!.key;
    }
    return events;
  }

  async drop(accountId: string, functionName: string): Promise<void> {
    const tableId = await this.deps.serviceTables.tableId(accountId, functionLogsTableName);
    await this.deleteWhile(tableId, functionName, () => true);
    this.counts.set(`${accountId}\u0000${functionName}`, 0);
  }

  /** Counts a function's events and drops those past the retention or the cap, oldest first; one pass at a time per function. */
  private trim(accountId: string, functionName: string, tableId: string): Promise<void> {
    const countKey = `${accountId}\u0000${functionName}`;
    const running = this.trimming.get(countKey);
    if (running !== undefined) return running;
    const pass = (async () => {
      const total = await this.countOf(tableId, functionName);
      const oldestMs = this.deps.clock.nowMs() - retentionMs;
      let excess = total - eventsPerFunctionMax;
      const prefixLength = prefixOf(functionName).length;
      const deleted = await this.deleteWhile(tableId, functionName, (key) => {
        if (excess > 0) {
          excess--;
          return true;
        }
        return timestampOfKey(key, prefixLength) < oldestMs;
      });
      this.counts.set(countKey, total - deleted);
    })().finally(() => this.trimming.delete(countKey));
    this.trimming.set(countKey, pass);
    return pass;
  }

  private async countOf(tableId: string, functionName: string): Promise<number> {
    const prefix = prefixOf(functionName);
    let afterKey = prefix;
    let count = 0;
    for (;;) {
      const page = await this.deps.tables.scan(tableId, afterKey, scanPageItems);
      const mine = page.filter((entry) => entry.key.startsWith(prefix));
      count += mine.length;
      if (mine.length < page.length || page.length < scanPageItems) return count;
      afterKey = page[page.length - 1]!.key;
    }
  }

  /** Deletes the function's events from the oldest while `shouldDelete` says so; answers how many went. */
  private async deleteWhile(tableId: string, functionName: string, shouldDelete: (key: string) => boolean): Promise<number> {
    const prefix = prefixOf(functionName);
    let afterKey = prefix;
    let deleted = 0;
    for (;;) {
      const page = await this.deps.tables.scan(tableId, afterKey, scanPageItems);
      const doomed: string[] = [];
      let stop = page.length < scanPageItems;
      for (const entry of page) {
        if (!entry.key.startsWith(prefix) || !shouldDelete(entry.key)) {
          stop = true;
          break;
        }
        doomed.push(entry.key);
      }
      await Promise.all(doomed.map((key) => this.deps.tables.deleteItem(tableId, key)));
      deleted += doomed.length;
      if (stop || page.length === 0) return deleted;
      afterKey = page[page.length - 1]!.key;
    }
  }
}
