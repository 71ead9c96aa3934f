/**
 * COUNT_DISTINCT_ITEMS_TUMBLING(cursor, 'columnName', windowSize): one row per tumbling window of
 * windowSize seconds (1 to 3,600) with NUMBER_OF_DISTINCT_ITEMS (BIGINT), the number of distinct
 * non-null values of the column: exact up to 10,000 distinct items, HyperLogLog beyond, as the
 * reference describes. A window whose rows all had a null item counts 0.
 */
import type { Row } from "../../types.js";
import type { TableFunction } from "../contracts.js";
import { DistinctCounter, type DistinctCounterState } from "./distinct-counter.js";
import { checkArity, columnArgument, integerArgument, resolving } from "./params.js";
import { TumblingInstance } from "./tumbling.js";

class CountDistinctInstance extends TumblingInstance<DistinctCounterState> {
  private counter = new DistinctCounter();

  constructor(
    private readonly column: number,
    windowSizeMs: number,
  ) {
    super(windowSizeMs);
  }

  protected add(row: Row): void {
    const value = row[this.column];
    if (value !== null && value !== undefined) this.counter.add(value);
  }

  protected close(): Row[] {
    const count = this.counter.count();
    this.counter = new DistinctCounter();
    return [[count]];
  }

  protected saveWindow(): DistinctCounterState {
    return this.counter.snapshot();
  }

  protected loadWindow(state: DistinctCounterState): void {
    this.counter.restore(state);
  }
}

export const countDistinctItemsTumblingFunction: TableFunction = {
  name: "COUNT_DISTINCT_ITEMS_TUMBLING",
  resolve(input, args) {
    return resolving(() => {
      const name = "COUNT_DISTINCT_ITEMS_TUMBLING";
      checkArity(name, args, 2);
      const column = columnArgument(name, input, args, 0);
      const windowSize = integerArgument(name, args, 1, { name: "windowSize", min: 1, max: 3_600 });
      return {
        columns: [{ name: "NUMBER_OF_DISTINCT_ITEMS", type: { name: "BIGINT", nullable: false } }],
        create: () => new CountDistinctInstance(column, windowSize * 1_000),
      };
    });
  },
};
