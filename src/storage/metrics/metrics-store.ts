/**
 * The process's metrics (src/core/metrics.ts; docs/metrics.md): samples aggregated per second
 * (kept in memory for the last rawSeconds, for the console and high-resolution reads), per minute
 * (the periods CloudWatch's API reads) and since the start (Prometheus' totals).
 *
 * Minutes are kept through the storage engine (minute-items.ts, minute-table.ts, minute-writer.ts),
 * so they survive a restart on the embedded engine and every engine serves them: a series' closed
 * minutes wait in memory until the flush timer writes them, all series at once, one item per series
 * per hour per node; each node (process) writes under its own random id, so nodes sharing an engine
 * never write the same item, and readers merge every node's items with the minutes this node has
 * not written yet. A failed write is logged at warn and tried again at the next flush; a timer sweeps items
 * older than the retention. Without `storage` (a store built alone, in a unit test) minutes stay in
 * memory for the retention.
 *
 * A series (series.ts) is on the hot path of every data-plane call: a sample costs three
 * additions into sets that already exist; a new set is made once a second per active series.
 *
 * Every series is one account's (CloudWatch is per account; MetricId.AccountId): one recorded
 * without an account is the process's (`accountId`), and so are the items written before series
 * had accounts (minute-items.ts), which reads of that account's series merge in.
 */
import { emptyStatistics, mergeStatistics, metricKey, type MetricDatapoint, type MetricFilter, type MetricId, type Metrics, type MetricSeries, type MetricUnit, type StatisticSet } from "../../core/metrics.js";
import type { Clock, Timer } from "../../util/clock.js";
import type { Logger } from "../../util/logger.js";
import type { Random } from "../../util/random.js";
import type { TableStore } from "../types.js";
import { directoryScanPrefix, hourMs, legacySeriesKeyPart, minuteMs, minutesScanStart, parseMinutesKey, readDirectory, readMinutes, seriesKeyPart, seriesMinutesPrefix, type AccountMetricId } from "./minute-items.js";
import { MinuteTable } from "./minute-table.js";
import { MinuteWriter, directoryBehind } from "./minute-writer.js";
import { Series, secondMs } from "./series.js";

export interface MetricsStoreOptions {
  /** `--metrics off`: nothing is kept, and nothing written. */
  enabled: boolean;
  /**
   * The process's account (ProcessSettings.accountId, `--account-id`): the account of a series
   * recorded without one, and of items written before series had accounts; with storage, the
   * metrics table lives under `metrics@<accountId>`.
   */
  accountId: string;
  /** How many seconds of 1-second data a series keeps in memory. */
  rawSeconds?: number;
  /** How many minutes of minute data are kept (`--metrics-retention-hours` × 60). */
  retentionMinutes?: number;
  /** Where minutes are kept; without it, in this process's memory for the retention. */
  storage?: MetricsStorage;
  /** How often closed minutes are written (flushIntervalMsDefault). */
  flushIntervalMs?: number;
  /** How often items older than the retention are removed (sweepIntervalMsDefault). */
  sweepIntervalMs?: number;
}

export interface MetricsStorage {
  tables: TableStore;
  /** Draws this node's id, once per store. */
  random: Random;
  logger: Logger;
}

export const rawSecondsDefault = 900;
export const retentionMinutesDefault = 24 * 60;
/** A minute is written within this long after it closes (and the timer trims idle series' seconds). */
export const flushIntervalMsDefault = minuteMs;
export const sweepIntervalMsDefault = 10 * minuteMs;

/** Drops samples: the recorder under `--metrics off`. */
const droppedSeries: MetricSeries = { observe() {} };

export class MetricsStore implements Metrics {
  readonly enabled: boolean;
  /** The process's account: see MetricsStoreOptions.accountId. */
  readonly accountId: string;
  private readonly series_ = new Map<string, Series>();
  private readonly rawMs: number;
  private readonly retentionMs: number;
  private readonly flushIntervalMs: number;
  private readonly sweepIntervalMs: number;
  /** Where minutes go; undefined without storage or under `--metrics off`. */
  private readonly writer: MinuteWriter | undefined;
  /** This process's id among the nodes writing to one engine. */
  readonly nodeId: string;
  private timer: Timer | undefined;
  /** The timer's flush under way: a tick finding one skips its turn. */
  private running: Promise<void> | undefined;
  /** Flushes and sweeps run one at a time (two flushes of one series would each rewrite its hour item from the same text). */
  private queue: Promise<void> = Promise.resolve();
  private lastSweepMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    options: MetricsStoreOptions,
  ) {
    this.enabled = options.enabled;
    this.accountId = options.accountId;
    this.rawMs = (options.rawSeconds ?? rawSecondsDefault) * secondMs;
    this.retentionMs = (options.retentionMinutes ?? retentionMinutesDefault) * minuteMs;
    this.flushIntervalMs = options.flushIntervalMs ?? flushIntervalMsDefault;
    this.sweepIntervalMs = options.sweepIntervalMs ?? sweepIntervalMsDefault;
    const storage = this.enabled ? options.storage : undefined;
    this.nodeId = storage === undefined ? "local" : storage.random.bytes(8).toString("hex");
    this.writer = storage === undefined ? undefined : new MinuteWriter(new MinuteTable(storage.tables, clock, storage.random, this.accountId), this.nodeId, storage.logger, this.accountId);
  }

  nowMs(): number {
    return this.clock.nowMs();
  }

  series(id: MetricId, unit: MetricUnit): MetricSeries {
    if (!this.enabled) return droppedSeries;
    const full = this.withAccount(id);
    const key = metricKey(full);
    let series = this.series_.get(key);
    if (series === undefined) {
      series = new Series({ Namespace: id.Namespace, MetricName: id.MetricName, Dimensions: id.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })), AccountId: full.AccountId }, unit, this);
      this.series_.set(key, series);
    }
    return series;
  }

  /** The id with its account: the process's when it names none. */
  private withAccount(id: MetricId): AccountMetricId {
    return id.AccountId === undefined ? { ...id, AccountId: this.accountId } : (id as AccountMetricId);
  }

  /** Starts the flush and sweep timer (the app does at start). Nothing under `--metrics off`. */
  start(): void {
    if (!this.enabled || this.timer !== undefined) return;
    this.timer = this.clock.setInterval(() => this.tick(), this.flushIntervalMs, { unref: true });
  }

  /** Stops the timer and writes every minute not written yet, the open one too (the app does before closing the engine). */
  async stop(): Promise<void> {
    this.clock.clearTimer(this.timer);
    this.timer = undefined;
    const writer = this.writer;
    if (writer === undefined) return;
    await this.exclusive(() => writer.flush(this.series_.values(), Number.POSITIVE_INFINITY));
    for (const series of this.series_.values()) series.detachOpenMinute();
  }

  /** Writes the minutes closed by now (the timer's work; tests call it to wait for a flush). */
  flushClosedMinutes(): Promise<void> {
    return this.exclusive(async () => {
      const nowMs = this.clock.nowMs();
      await this.writer?.flush(this.series_.values(), nowMs - (nowMs % minuteMs));
    });
  }

  /** Removes every node's items wholly older than the retention (the timer's work, every sweepIntervalMs). */
  sweep(): Promise<void> {
    return this.exclusive(async () => {
      await this.writer?.sweep(this.clock.nowMs() - this.retentionMs);
    });
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.queue.then(work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private tick(): void {
    const nowMs = this.clock.nowMs();
    const writer = this.writer;
    // Idle series' seconds and minutes age out here; active ones' as they observe.
    for (const series of this.series_.values()) {
      this.trim(series, nowMs - (nowMs % secondMs));
      // An hour over for an hour is not appended to again (a late minute of it reads the item
      // back): an idle series keeps no copy of it, once its directory item is written.
      if (writer !== undefined && series.writtenHourMs >= 0 && series.writtenHourMs + 2 * hourMs <= nowMs && !directoryBehind(series, writer.table.generation)) {
        series.writtenHourMs = -1;
        series.writtenEntriesText = "";
      }
    }
    if (writer === undefined || this.running !== undefined) return;
    const sweepDue = nowMs - this.lastSweepMs >= this.sweepIntervalMs;
    this.running = this.exclusive(async () => {
      await writer.flush(this.series_.values(), nowMs - (nowMs % minuteMs));
      if (sweepDue) {
        this.lastSweepMs = nowMs;
        await writer.sweep(nowMs - this.retentionMs);
      }
    })
      .catch((error: unknown) => writer.logger.warn({ err: error }, "metrics: the flush or retention sweep failed; it runs again at the next flush"))
      .finally(() => (this.running = undefined));
  }

  /** Drops a series' seconds older than rawSeconds and its minutes older than the retention. */
  trim(series: Series, nowSecondMs: number): void {
    for (const second of series.seconds.keys()) {
      if (second > nowSecondMs - this.rawMs) break;
      series.seconds.delete(second);
    }
    for (const minute of series.minutes.keys()) {
      if (this.minuteKept(minute, nowSecondMs)) break;
      series.minutes.delete(minute);
    }
  }

  /** A minute is kept while any of it lies within the retention. */
  private minuteKept(minuteStartMs: number, nowMs: number): boolean {
    return minuteStartMs + minuteMs > nowMs - this.retentionMs;
  }

  async listMetrics(filter: MetricFilter): Promise<readonly { id: MetricId; unit: MetricUnit }[]> {
    const nowMs = this.clock.nowMs();
    const found = new Map<string, { id: MetricId; unit: MetricUnit }>();
    for (const [key, series] of this.series_) {
      if (series.totals.SampleCount > 0 && series.lastSecondMs + secondMs > nowMs - this.retentionMs && matches(series.id, filter)) found.set(key, { id: series.id, unit: series.unit });
    }
    const table = this.writer?.table;
    const tableId = await table?.existingTableId();
    if (table === undefined || tableId === undefined) return [...found.values()];
    // Series recorded before a restart, or by another node: their directory items — the account's
    // (every account's without one), and, for the process's, those written before series had accounts.
    const metricName = filter.Namespace === undefined ? undefined : filter.MetricName;
    const prefixes = [directoryScanPrefix(filter.AccountId, filter.Namespace, metricName)];
    // Without an account the first prefix is the whole directory, legacy items included.
    if (filter.AccountId !== undefined && filter.AccountId === this.accountId) prefixes.push(directoryScanPrefix(undefined, filter.Namespace, metricName, true));
    for (const prefix of prefixes) {
      for await (const page of table.scan(tableId, prefix, prefix)) {
        for (const { value } of page) {
          const listed = readDirectory(value, this.accountId);
          if (listed === undefined || listed.untilMs <= nowMs - this.retentionMs || !matches(listed.id, filter)) continue;
          const key = metricKey(listed.id);
          if (!found.has(key)) found.set(key, { id: listed.id, unit: listed.unit });
        }
      }
    }
    return [...found.values()];
  }

  async statistics(metricId: MetricId, startMs: number, endMs: number, periodSeconds: number): Promise<readonly MetricDatapoint[]> {
    const periodMs = periodSeconds * secondMs;
    const id = this.withAccount(metricId);
    const series = this.series_.get(metricKey(id));
    const periods = new Map<number, StatisticSet>();
    const add = (atMs: number, stats: StatisticSet): void => {
      const start = atMs - (atMs % periodMs);
      if (start < startMs || start >= endMs) return;
      let into = periods.get(start);
      if (into === undefined) periods.set(start, (into = emptyStatistics()));
      mergeStatistics(into, stats);
    };
    if (periodMs % minuteMs !== 0) {
      for (const [second, stats] of series?.seconds ?? []) add(second, stats);
    } else {
      await this.addMinutes(id, series, startMs, endMs + periodMs, add);
    }
    return [...periods].sort((a, b) => a[0] - b[0]).map(([timestampMs, stats]) => ({ timestampMs, stats }));
  }

  /** Hands `add` every minute in [fromMs, toMs) within the retention: the stored ones of every node, and this node's not yet stored. */
  private async addMinutes(id: AccountMetricId, series: Series | undefined, fromMs: number, toMs: number, add: (atMs: number, stats: StatisticSet) => void): Promise<void> {
    const nowMs = this.clock.nowMs();
    // This node's minutes are copied before the stored ones are read: a minute whose write lands
    // meanwhile is then found in one place or the other, never neither (and counted once: below).
    const unwritten: [number, StatisticSet][] = [];
    for (const [minute, stats] of series?.minutes ?? []) if (minute >= fromMs && minute < toMs) unwritten.push([minute, { ...stats }]);
    const writtenHere = new Set<number>();
    const table = this.writer?.table;
    const tableId = await table?.existingTableId();
    if (table !== undefined && tableId !== undefined) {
      const fromHourMs = Math.max(0, fromMs, nowMs - this.retentionMs - hourMs);
      // The process's account's series also has the items written before series had accounts (by
      // earlier processes: never this node's id), until the retention sweeps them away.
      const keyParts = [series?.keyPart ?? seriesKeyPart(id)];
      if (id.AccountId === this.accountId) keyParts.push(legacySeriesKeyPart(id));
      for (const keyPart of keyParts) {
        for await (const page of table.scan(tableId, minutesScanStart(keyPart, fromHourMs - (fromHourMs % hourMs)), seriesMinutesPrefix(keyPart))) {
          for (const { key, value } of page) {
            const item = parseMinutesKey(key);
            if (item === undefined || item.hourStartMs >= toMs) continue;
            for (const [minute, stats] of readMinutes(item.hourStartMs, value)) {
              if (minute < fromMs || minute >= toMs || !this.minuteKept(minute, nowMs)) continue;
              if (item.nodeId === this.nodeId) writtenHere.add(minute);
              add(minute, stats);
            }
          }
        }
      }
    }
    for (const [minute, stats] of unwritten) if (!writtenHere.has(minute) && this.minuteKept(minute, nowMs)) add(minute, stats);
  }

  *totals(): Iterable<{ id: MetricId; unit: MetricUnit; stats: StatisticSet }> {
    for (const series of this.series_.values()) yield { id: series.id, unit: series.unit, stats: series.totals };
  }
}

function matches(id: AccountMetricId, filter: MetricFilter): boolean {
  if (filter.AccountId !== undefined && filter.AccountId !== id.AccountId) return false;
  if (filter.Namespace !== undefined && filter.Namespace !== id.Namespace) return false;
  if (filter.MetricName !== undefined && filter.MetricName !== id.MetricName) return false;
  for (const wanted of filter.Dimensions ?? []) {
    const found = id.Dimensions.find((d) => d.Name === wanted.Name);
    if (found === undefined || (wanted.Value !== undefined && found.Value !== wanted.Value)) return false;
  }
  return true;
}
