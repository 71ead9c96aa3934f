/**
 * The records of an input's lanes in the order the engine takes them, with their ROWTIMEs, and the
 * watermark. Each in-application stream takes the records of its lanes in arrival order (ties by
 * lane id), releasing a record only once no lane can still produce an earlier one (every lane's
 * bound has passed it: sources/lane.ts) — so the order, and the ROWTIMEs, are the same when the
 * same records are read again after a restart. A record's ROWTIME is its arrival (the time the
 * record entered Tributary, its ApproximateArrivalTimestamp), raised when needed to stay at or
 * above the stream's previous ROWTIME and the last watermark (a record that became readable only
 * after the grace: rare, and the one case a replay may place differently).
 *
 * The watermark is the least bound over all the input's streams: no record still to come arrives
 * before it, so windows that end at or before it can close.
 */
import type { Lane, SourceRecord } from "./lane.js";

export interface TakenRecord {
  readonly record: SourceRecord;
  readonly laneId: string;
  readonly rowtimeMs: number;
}

export class InputMerger {
  private readonly lastRowtimeMs: number[];

  constructor(
    /** How many in-application streams the input feeds. */
    private readonly streamCount: number,
    private readonly graceMs: number,
    restoredRowtimesMs?: readonly number[],
  ) {
    this.lastRowtimeMs = Array.from({ length: streamCount }, (_, index) => restoredRowtimesMs?.[index] ?? -Infinity);
  }

  lastRowtimes(): number[] {
    return [...this.lastRowtimeMs];
  }

  /** Up to `max` records of stream `index` that may go to the engine now, in order. */
  take(index: number, lanes: readonly Lane[], nowMs: number, watermarkMs: number, max: number): TakenRecord[] {
    const mine = lanes.filter((lane) => lane.streamIndex === index).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const taken: TakenRecord[] = [];
    while (taken.length < max) {
      let next: Lane | undefined;
      let bound = Infinity;
      for (const lane of mine) {
        const laneBound = lane.bound(nowMs, this.graceMs);
        if (laneBound < bound) bound = laneBound;
        const head = lane.peek();
        if (head !== undefined && (next === undefined || head.arrivalMs < next.peek()!.arrivalMs)) next = lane;
      }
      if (next === undefined || next.peek()!.arrivalMs > bound) break;
      const record = next.take();
      const rowtimeMs = Math.max(record.arrivalMs, this.lastRowtimeMs[index]!, watermarkMs);
      this.lastRowtimeMs[index] = rowtimeMs;
      taken.push({ record, laneId: next.id, rowtimeMs });
    }
    return taken;
  }

  /** The least bound over every stream's lanes, and never past now − grace (more shards may come). */
  watermark(lanes: readonly Lane[], nowMs: number): number {
    let watermark = nowMs - this.graceMs;
    for (let index = 0; index < this.streamCount; index++) {
      let bound = Infinity;
      let any = false;
      for (const lane of lanes) {
        if (lane.streamIndex !== index) continue;
        any = true;
        bound = Math.min(bound, lane.bound(nowMs, this.graceMs));
      }
      if (any) watermark = Math.min(watermark, bound);
    }
    return watermark;
  }
}
