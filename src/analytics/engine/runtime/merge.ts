/**
 * A k-way merge by ROWTIME: each side delivers rows in its own ROWTIME order; rows are held until
 * every side's bound (the lowest ROWTIME it may still deliver) has reached them, then released
 * in ROWTIME order (ties: the lower side first, then arrival). UNION ALL and a stream that several
 * pumps insert into ("rows are merged so that the ROWTIME column is ascending", SQL Reference
 * "Monotonic Expressions and Operators") both use it. The buffer is bounded by how far the
 * slowest side lags; the runtime advances every input's bound with the wall clock.
 */
import type { Row } from "../../sql/types.js";
import { decodeRows, encodeRows, type EncodedRow } from "./row-codec.js";

interface Side {
  rows: Row[];
  rowtimes: number[];
  head: number;
}

export interface MergeSnapshot {
  sides: { rows: EncodedRow[]; rowtimes: number[] }[];
}

export class MergeBuffer {
  private readonly sides: Side[];

  constructor(count: number) {
    this.sides = Array.from({ length: count }, () => ({ rows: [], rowtimes: [], head: 0 }));
  }

  add(side: number, row: Row, rowtimeMs: number): void {
    const target = this.sides[side] as Side;
    target.rows.push(row);
    target.rowtimes.push(rowtimeMs);
  }

  get pending(): number {
    let count = 0;
    for (const side of this.sides) count += side.rows.length - side.head;
    return count;
  }

  /** Emits every held row with ROWTIME ≤ `limitMs`, in ROWTIME order. */
  release(limitMs: number, emit: (row: Row, rowtimeMs: number, side: number) => void): void {
    for (;;) {
      let best = -1;
      let bestTime = Infinity;
      for (let i = 0; i < this.sides.length; i++) {
        const side = this.sides[i] as Side;
        if (side.head < side.rows.length) {
          const time = side.rowtimes[side.head] as number;
          if (time < bestTime) {
            best = i;
            bestTime = time;
          }
        }
      }
      if (best < 0 || bestTime > limitMs) break;
      const side = this.sides[best] as Side;
      const row = side.rows[side.head] as Row;
      side.head++;
      emit(row, bestTime, best);
    }
    for (const side of this.sides) {
      if (side.head > 0 && side.head * 2 >= side.rows.length) {
        side.rows.splice(0, side.head);
        side.rowtimes.splice(0, side.head);
        side.head = 0;
      }
    }
  }

  snapshot(): MergeSnapshot {
    return { sides: this.sides.map((side) => ({ rows: encodeRows(side.rows.slice(side.head)), rowtimes: side.rowtimes.slice(side.head) })) };
  }

  restore(state: MergeSnapshot): void {
    state.sides.forEach((saved, i) => {
      const side = this.sides[i];
      if (side === undefined) return;
      side.rows = decodeRows(saved.rows);
      side.rowtimes = saved.rowtimes.slice();
      side.head = 0;
    });
  }
}
