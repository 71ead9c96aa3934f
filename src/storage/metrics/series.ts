/**
 * One series of the metrics store (metrics-store.ts): what a service's handle records into. A
 * sample adds to the set of its second, of its minute and of the process's total; a new set is
 * made once a second (and once a minute), so `observe()` — on the hot path of every data-plane
 * call — costs three additions otherwise. The fields after the sets are the minute writer's
 * bookkeeping (minute-writer.ts).
 */
import { addSample, emptyStatistics, type MetricSeries, type MetricUnit, type StatisticSet } from "../../core/metrics.js";
import { minuteMs, seriesKeyPart, type AccountMetricId } from "./minute-items.js";

export const secondMs = 1000;

/** What a series asks of its store. */
export interface SeriesOwner {
  nowMs(): number;
  /** Drops the series' seconds and minutes older than the store keeps (at each new second). */
  trim(series: Series, nowSecondMs: number): void;
}

export class Series implements MetricSeries {
  readonly totals: StatisticSet = emptyStatistics();
  /** Per-second sets by the second's start, oldest first (Map keeps insertion order). */
  readonly seconds = new Map<number, StatisticSet>();
  /** Per-minute sets not written yet (with storage) or kept (without), by the minute's start. */
  readonly minutes = new Map<number, StatisticSet>();
  lastSecondMs = -1;
  private current: StatisticSet = emptyStatistics();
  currentMinuteMs = -1;
  private currentMinute: StatisticSet = emptyStatistics();
  /** The `<series>` part of the series' item keys (minute-items.ts), made once. */
  readonly keyPart: string;
  /** This node's item for the hour of the last minute written, as written: what the next minute of that hour is appended to. */
  writtenHourMs = -1;
  writtenEntriesText = "";
  /** The `untilMs` of this node's directory item for the series, as last written, and the table's generation then. */
  listedUntilMs = -1;
  listedGeneration = 0;

  constructor(
    readonly id: AccountMetricId,
    readonly unit: MetricUnit,
    private readonly store: SeriesOwner,
  ) {
    this.keyPart = seriesKeyPart(id);
  }

  observe(value: number): void {
    const nowMs = this.store.nowMs();
    const second = nowMs - (nowMs % secondMs);
    if (second !== this.lastSecondMs) {
      this.lastSecondMs = second;
      this.current = emptyStatistics();
      this.seconds.set(second, this.current);
      this.store.trim(this, second);
      const minute = nowMs - (nowMs % minuteMs);
      if (minute !== this.currentMinuteMs) {
        this.currentMinuteMs = minute;
        // A clock set back into a minute not yet written adds to it rather than replacing it.
        let set = this.minutes.get(minute);
        if (set === undefined) this.minutes.set(minute, (set = emptyStatistics()));
        this.currentMinute = set;
      }
    }
    addSample(this.current, value);
    addSample(this.currentMinute, value);
    addSample(this.totals, value);
  }

  /** After the final flush wrote the open minute: a later sample starts a new set, kept in memory. */
  detachOpenMinute(): void {
    this.currentMinuteMs = -1;
  }
}
