/**
 * How planned operators meet the running application. A plan is built once at compile time; each
 * start() instantiates it, and while it does, the operators that read a stream (a FROM's stream
 * reference) subscribe themselves to that stream's node, reference joins take a live handle on
 * their table, and UNION ALL operators register as merge points. The slot holds the instance
 * being built so that instantiate(emit, errors, context) — the planner seam's signature — needs
 * nothing more.
 */
import { assert } from "../../../util/assert.js";
import type { Row } from "../../sql/types.js";
import type { Operator } from "../plan-contracts.js";

/** A reference table's current rows; `version` changes when setReferenceTable replaces them. */
export interface TableHolder {
  rows: readonly Row[];
  version: number;
}

/** The lowest ROWTIME any stream in `sources` may still deliver (+Infinity: none will). */
export type BoundOf = (sources: readonly string[]) => number;

/** An operator that merges several ordered inputs by ROWTIME and releases rows once no input can undercut them. */
export interface MergePoint {
  release(bound: BoundOf): void;
}

export interface Wiring {
  subscribe(stream: string, operator: Operator): void;
  table(name: string): TableHolder;
  addMergePoint(point: MergePoint): void;
}

export class WiringSlot {
  current: Wiring | undefined;

  require(): Wiring {
    assert(this.current !== undefined, "a plan was instantiated outside CompiledApplication.start");
    return this.current;
  }

  /** Runs `build` with `wiring` as the instance being built. */
  with<T>(wiring: Wiring, build: () => T): T {
    const previous = this.current;
    this.current = wiring;
    try {
      return build();
    } finally {
      this.current = previous;
    }
  }
}
