/**
 * The aggregate functions of the Amazon Kinesis Data Analytics SQL Reference ("Aggregate Functions"
 * and "Statistical Variance and Deviation Functions"), for GROUP BY windows and OVER windows alike:
 * COUNT, SUM, AVG, MIN, MAX, EXP_AVG, FIRST_VALUE, LAST_VALUE, VAR_POP, VAR_SAMP, STDDEV_POP,
 * STDDEV_SAMP (alias STD_DEV), each with its DISTINCT form where the reference allows one.
 *
 * Every accumulator takes removals (sliding windows) and snapshots to JSON. The reference's
 * approximate aggregates are table functions (COUNT_DISTINCT_ITEMS_TUMBLING, TOP_K_ITEMS_TUMBLING:
 * ../analytic/). docs/analytics/analytic-functions.md has the types, null rules and exactness.
 *
 * @example
 * const sum = aggregateFunctions.find((f) => f.name === "SUM")!.resolve([{ name: "INTEGER" }], false, [undefined]);
 * if (sum.ok) { const acc = sum.value.create(); acc.add([2]); acc.add([3]); acc.remove([2]); acc.result(); } // 3
 */
import type { AggregateFunction } from "../contracts.js";
import { countFunction } from "./count.js";
import { expAvgFunction } from "./exp-avg.js";
import { firstValueFunction, lastValueFunction } from "./first-last.js";
import { maxFunction, minFunction } from "./min-max.js";
import { avgFunction, sumFunction, varianceFunctions } from "./moments.js";

export const aggregateFunctions: AggregateFunction[] = [
  countFunction,
  sumFunction,
  avgFunction,
  minFunction,
  maxFunction,
  expAvgFunction,
  firstValueFunction,
  lastValueFunction,
  ...varianceFunctions,
];

export { ignoreNullsAggregates } from "./first-last.js";
