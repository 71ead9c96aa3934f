/**
 * TOP_K_ITEMS_TUMBLING(cursor, 'columnName', K, windowSize): the K most frequent values of a column
 * in each tumbling window of windowSize seconds, as rows (ITEM, ITEM_COUNT), most frequent first —
 * the columns the developer guide's "Most Frequently Occurring Values" example reads. K is 1 to
 * 100,000 and windowSize 1 to 3,600 seconds, as the reference bounds them. Counting uses
 * Space-Saving: exact while a window holds at most max(4·K, 10,000) distinct values (the reference
 * only promises an approximation), approximate past that with bounded memory. Nulls are not items.
 */
import type { Row, SqlValue } from "../../types.js";
import type { TableFunction } from "../contracts.js";
import { checkArity, columnArgument, integerArgument, resolving } from "./params.js";
import { SpaceSaving, type SpaceSavingState } from "./space-saving.js";
import { TumblingInstance } from "./tumbling.js";

/** Space-Saving slots per window: enough to be exact on most windows, bounded for the largest K. */
export function topKCapacity(k: number): number {
  return Math.min(Math.max(4 * k, 10_000), 400_000);
}

class TopKInstance extends TumblingInstance<SpaceSavingState> {
  private counter: SpaceSaving;

  constructor(
    private readonly column: number,
    private readonly k: number,
    windowSizeMs: number,
  ) {
    super(windowSizeMs);
    this.counter = new SpaceSaving(topKCapacity(k));
  }

  protected add(row: Row): void {
    const value = row[this.column];
    if (value !== null && value !== undefined) this.counter.add(value);
  }

  protected close(): Row[] {
    const rows = this.counter.top(this.k).map(({ value, count }): SqlValue[] => [value, count]);
    this.counter = new SpaceSaving(topKCapacity(this.k));
    return rows;
  }

  protected saveWindow(): SpaceSavingState {
    return this.counter.snapshot();
  }

  protected loadWindow(state: SpaceSavingState): void {
    this.counter.restore(state);
  }
}

export const topKItemsTumblingFunction: TableFunction = {
  name: "TOP_K_ITEMS_TUMBLING",
  resolve(input, args) {
    return resolving(() => {
      const name = "TOP_K_ITEMS_TUMBLING";
      checkArity(name, args, 3);
      const column = columnArgument(name, input, args, 0);
      const k = integerArgument(name, args, 1, { name: "K", min: 1, max: 100_000 });
      const windowSize = integerArgument(name, args, 2, { name: "windowSize", min: 1, max: 3_600 });
      const itemType = { ...input[column]!.type, nullable: false };
      return {
        columns: [
          { name: "ITEM", type: itemType },
          { name: "ITEM_COUNT", type: { name: "BIGINT", nullable: false } },
        ],
        create: () => new TopKInstance(column, k, windowSize * 1_000),
      };
    });
  },
};
