/**
 * The analytic (table) functions of the Amazon Kinesis Data Analytics SQL Reference, fed by
 * TABLE(fn(CURSOR(SELECT STREAM ...), arg, ...)): RANDOM_CUT_FOREST and
 * RANDOM_CUT_FOREST_WITH_EXPLANATION (anomaly scores), HOTSPOTS (dense regions),
 * TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING (approximate frequent and distinct items per
 * tumbling window). Each resolves its output columns from the cursor's columns and its constant
 * arguments, keeps bounded state, and snapshots to JSON. docs/analytics/analytic-functions.md.
 *
 * @example
 * const rcf = tableFunctions.find((f) => f.name === "RANDOM_CUT_FOREST")!;
 * const resolved = rcf.resolve([{ name: "heartRate", type: { name: "INTEGER" } }], [], [], 7);
 * // resolved.value.columns: heartRate, ANOMALY_SCORE; resolved.value.create().push(row, rowtimeMs, emit)
 */
import type { TableFunction } from "../contracts.js";
import { countDistinctItemsTumblingFunction } from "./count-distinct.js";
import { hotspotsFunction } from "./hotspots.js";
import { randomCutForestFunction, randomCutForestWithExplanationFunction } from "./random-cut-forest.js";
import { topKItemsTumblingFunction } from "./top-k.js";

export const tableFunctions: TableFunction[] = [
  randomCutForestFunction,
  randomCutForestWithExplanationFunction,
  hotspotsFunction,
  topKItemsTumblingFunction,
  countDistinctItemsTumblingFunction,
];
