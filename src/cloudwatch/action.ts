import type { MetricsReader } from "../core/metrics.js";
import type { Principal } from "../auth/principal.js";
import type { Clock } from "../util/clock.js";
import type { StructureShape } from "./model.js";

/** What an action reads: the metrics, the clock (CloudWatch rounds start times by their age) and who is asking. */
export interface CloudWatchContext {
  metrics: MetricsReader;
  clock: Clock;
  region: string;
  accountId: string;
  principal: Principal;
  /** Signs NextTokens (core/page-token.ts): drawn per instance, so a token outlives neither a restart nor a reset. */
  tokenKey: Buffer;
}

/**
 * One CloudWatch operation in its own file: its input and output shapes (model.ts), its IAM
 * action, and its handler, which receives the decoded input (types checked, constraints not:
 * those are the action's, in CloudWatch's wording) and returns the output, timestamps as Dates.
 */
export interface CloudWatchAction<Input = any> {
  input: StructureShape;
  output: StructureShape;
  iamAction: string;
  run(context: CloudWatchContext, input: Input): Promise<Record<string, unknown>>;
}

export function defineAction<Input>(action: CloudWatchAction<Input>): CloudWatchAction<Input> {
  return action;
}
