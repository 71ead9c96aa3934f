/**
 * Writes the metrics store's minutes to its table (minute-items.ts; docs/metrics.md, "Storage
 * layout") and sweeps what the retention no longer keeps. A flush writes, for every series with
 * closed minutes, its hour's item — the minutes this node wrote of that hour before, kept as text,
 * with the new ones appended — and, once an hour, its directory item. A series' minutes leave
 * memory only once their item is written; a failed write leaves them for the next flush.
 * The store runs one flush or sweep at a time.
 */
import type { Logger } from "../../util/logger.js";
import { directoryKey, directoryPrefix, directoryValue, hourMs, minuteEntryText, minutesKey, minutesValue, parseMinutesKey, readDirectory, readMinutes } from "./minute-items.js";
import type { MinuteTable } from "./minute-table.js";
import type { Series } from "./series.js";

/** Series written at once by a flush: each is one or two item writes, which the engine commits together. */
const flushSeriesConcurrency = 256;

export class MinuteWriter {
  constructor(
    readonly table: MinuteTable,
    /** This process's id among the nodes writing to one engine: the last part of every key it writes. */
    private readonly nodeId: string,
    readonly logger: Logger,
    /** The process's account: the one legacy directory items (minute-items.ts) are read as. */
    private readonly legacyAccountId: string,
  ) {}

  /**
   * Writes every minute before `beforeMs` not written yet, series by series, a bounded number at
   * once. Failures are logged once per flush; the minutes stay in memory for the next.
   */
  async flush(all: Iterable<Series>, beforeMs: number): Promise<void> {
    const due: Series[] = [];
    for (const series of all) if (hasMinuteBefore(series, beforeMs) || directoryBehind(series, this.table.generation)) due.push(series);
    const failures: unknown[] = [];
    for (let at = 0; at < due.length; at += flushSeriesConcurrency) {
      await Promise.all(due.slice(at, at + flushSeriesConcurrency).map((series) => this.writeSeries(series, beforeMs).catch((error: unknown) => failures.push(error))));
    }
    if (failures.length > 0) {
      this.logger.warn({ err: failures[0], seriesFailed: failures.length, seriesDue: due.length }, "metrics: minutes not written to the storage engine; kept in memory and tried again at the next flush");
    }
  }

  /** Writes a series' minutes before `beforeMs`, hour by hour, then its directory item; throws at the first failure. */
  private async writeSeries(series: Series, beforeMs: number): Promise<void> {
    const table = this.table;
    const hours = new Map<number, { entriesText: string; minutes: number[] }>();
    for (const [minute, stats] of series.minutes) {
      if (minute >= beforeMs) continue;
      const hour = minute - (minute % hourMs);
      let batch = hours.get(hour);
      if (batch === undefined) hours.set(hour, (batch = { entriesText: "", minutes: [] }));
      batch.entriesText += (batch.entriesText === "" ? "" : ",") + minuteEntryText(minute, stats);
      batch.minutes.push(minute);
    }
    for (const hour of [...hours.keys()].sort((a, b) => a - b)) {
      const batch = hours.get(hour)!;
      const key = minutesKey(series.keyPart, hour, this.nodeId);
      // Normally the hour is the one last written (its text is at hand) or a new one; otherwise (a
      // clock set back) what this node wrote for that hour is read, so no minute of it is lost.
      const before = hour === series.writtenHourMs ? series.writtenEntriesText : await this.writtenEntriesText(key, hour);
      const entriesText = before === "" ? batch.entriesText : `${before},${batch.entriesText}`;
      const result = await table.put(key, minutesValue(entriesText));
      if (!result.ok) throw result.failure;
      series.writtenHourMs = hour;
      series.writtenEntriesText = entriesText;
      for (const minute of batch.minutes) series.minutes.delete(minute);
    }
    if (directoryBehind(series, table.generation)) {
      const untilMs = series.writtenHourMs + hourMs;
      const generation = table.generation;
      const result = await table.put(directoryKey(series.keyPart, this.nodeId), directoryValue({ id: series.id, unit: series.unit, untilMs }));
      if (!result.ok) throw result.failure;
      series.listedUntilMs = untilMs;
      series.listedGeneration = generation;
    }
  }

  private async writtenEntriesText(key: string, hour: number): Promise<string> {
    const value = await this.table.get(key);
    if (value === undefined) return "";
    let text = "";
    for (const [minute, stats] of readMinutes(hour, value)) text += (text === "" ? "" : ",") + minuteEntryText(minute, stats);
    return text;
  }

  /** Removes every node's items wholly older than `cutoffMs`. */
  async sweep(cutoffMs: number): Promise<void> {
    const table = this.table;
    const tableId = await table.existingTableId();
    if (tableId === undefined) return;
    for await (const page of table.scan(tableId, undefined, "")) {
      const expired = page.filter(({ key, value }) => {
        const minutes = parseMinutesKey(key);
        if (minutes !== undefined) return minutes.hourStartMs + hourMs <= cutoffMs;
        // Directory items of this format that list nothing within the retention; foreign items stay.
        const listed = key.startsWith(directoryPrefix) ? readDirectory(value, this.legacyAccountId) : undefined;
        return listed !== undefined && listed.untilMs <= cutoffMs;
      });
      await Promise.all(expired.map(({ key }) => table.delete(tableId, key)));
    }
  }
}

function hasMinuteBefore(series: Series, beforeMs: number): boolean {
  for (const minute of series.minutes.keys()) if (minute < beforeMs) return true;
  return false;
}

/** Whether the series' directory item lags what the node wrote, or may have gone with a table dropped since. */
export function directoryBehind(series: Series, generation: number): boolean {
  return series.writtenHourMs >= 0 && (series.listedUntilMs < series.writtenHourMs + hourMs || series.listedGeneration !== generation);
}
