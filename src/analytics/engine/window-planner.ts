/**
 * The window planner the compiler hands windowed SELECTs and stream-to-stream joins to
 * (windows/index.ts: GROUP BY tumbling windows, OVER sliding windows, STAGGER, stream joins).
 */
import type { WindowPlanner } from "./plan-contracts.js";
import { windowPlanner as planner } from "./windows/index.js";

export const windowPlanner: WindowPlanner | undefined = planner;
