/**
 * COUNT(*) counts rows (the planner passes no arguments); COUNT(x) counts rows whose x is not null
 * (with several arguments, rows where none is null); COUNT(DISTINCT x) counts distinct non-null
 * values. BIGINT, never null: an empty group counts 0. Whether COUNT DISTINCT is allowed where it
 * appears (the reference forbids it in streaming GROUP BY and OVER windows) is the planner's call.
 */
import type { SqlValue } from "../../types.js";
import type { Accumulator, AggregateFunction } from "../contracts.js";
import { withDistinct } from "./distinct.js";

class CountAccumulator implements Accumulator {
  private count = 0;

  add(args: readonly SqlValue[]): void {
    for (let i = 0; i < args.length; i++) if (args[i] === null) return;
    this.count++;
  }

  remove(args: readonly SqlValue[]): void {
    for (let i = 0; i < args.length; i++) if (args[i] === null) return;
    this.count--;
  }

  result(): SqlValue {
    return this.count;
  }

  snapshot(): number {
    return this.count;
  }

  restore(state: unknown): void {
    this.count = state as number;
  }
}

export const countFunction: AggregateFunction = {
  name: "COUNT",
  resolve(args, distinct) {
    if (distinct && args.length !== 1) {
      return { ok: false, message: args.length === 0 ? "COUNT(DISTINCT *) is not allowed" : "COUNT(DISTINCT ...) takes exactly one argument" };
    }
    const create = distinct ? () => withDistinct(new CountAccumulator()) : () => new CountAccumulator();
    return { ok: true, value: { type: { name: "BIGINT", nullable: false }, create } };
  },
};
