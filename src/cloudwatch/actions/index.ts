import type { CloudWatchAction } from "../action.js";
import { getMetricData } from "./get-metric-data.js";
import { getMetricStatistics } from "./get-metric-statistics.js";
import { listMetrics } from "./list-metrics.js";

/** The CloudWatch operations served, by their API names. */
export const cloudWatchActions: Readonly<Record<string, CloudWatchAction>> = {
  GetMetricData: getMetricData,
  GetMetricStatistics: getMetricStatistics,
  ListMetrics: listMetrics,
};
