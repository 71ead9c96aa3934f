/**
 * What the runner takes from an input's lanes for one of its in-application streams: live, the
 * records each lane has (lanes in id order, starting one further each time, so none waits behind
 * a busy one); in a replay after a restart, exactly the takes the journal recorded (journal.ts),
 * so the engine sees the same records in the same order with the same ROWTIMEs as before the crash.
 */
import type { Lane, SourceRecord } from "./lane.js";

/** A take from one lane: `count` records, in the lane's order. */
export type Segment = readonly [laneId: string, count: number];

export interface Taken {
  readonly records: { readonly record: SourceRecord; readonly laneId: string }[];
  readonly segments: Segment[];
  /** Per lane, the position after its last record taken. */
  readonly positions: Map<string, string>;
}

export class LaneTaker {
  private turn = 0;

  /** Up to `max` records of stream `index`'s lanes, as they are. */
  take(index: number, lanes: readonly Lane[], max: number): Taken {
    const mine = lanes.filter((lane) => lane.streamIndex === index).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const taken: Taken = { records: [], segments: [], positions: new Map() };
    if (mine.length === 0) return taken;
    const first = this.turn++ % mine.length;
    for (let step = 0; step < mine.length && taken.records.length < max; step++) {
      const lane = mine[(first + step) % mine.length]!;
      const count = Math.min(lane.buffered, max - taken.records.length);
      if (count > 0) takeFrom(lane, count, taken);
    }
    return taken;
  }

  /** The segments given, once every lane named holds enough; undefined until then. */
  takeExact(lanes: readonly Lane[], segments: readonly Segment[]): Taken | undefined {
    const byId = new Map(lanes.map((lane) => [lane.id, lane]));
    const needed = new Map<string, number>();
    for (const [laneId, count] of segments) needed.set(laneId, (needed.get(laneId) ?? 0) + count);
    for (const [laneId, count] of needed) if ((byId.get(laneId)?.buffered ?? 0) < count) return undefined;
    const taken: Taken = { records: [], segments: [], positions: new Map() };
    for (const [laneId, count] of segments) takeFrom(byId.get(laneId)!, count, taken);
    return taken;
  }
}

function takeFrom(lane: Lane, count: number, taken: Taken): void {
  let record: SourceRecord | undefined;
  for (let index = 0; index < count; index++) {
    record = lane.take();
    taken.records.push({ record, laneId: lane.id });
  }
  taken.segments.push([lane.id, count]);
  taken.positions.set(lane.id, record!.position);
}
