import type { StructureShape } from "../protocol/shapes.js";
import type { ActionPlane } from "../protocol/action-pipeline.js";
import type { StreamsContext } from "./context.js";
import type { ActionResources } from "./authorization/action-resources.js";
import type { ControlPlaneRate } from "./limits/control-plane-rates.js";

/**
 * One Kinesis action, declared whole in its own file: its request shape, how it is authorized, its
 * call rate, its plane, and its handler. The handler receives input already checked against the
 * shape and returns the response object (Dates and Buffers are encoded by the wire codec), or
 * undefined for an empty response. The service's tables (authorization/kinesis-actions.ts,
 * limits/control-plane-rates.ts, faults/fault-target.ts) are gathered from these declarations.
 */
export interface StreamsAction<Input = any, Output = unknown> {
  shape: StructureShape;
  /** The IAM action it is authorized as, `kinesis:PutRecord`. */
  iamAction: string;
  /** The resources a request touches (authorization/action-resources.ts); each is authorized. */
  resources: ActionResources;
  /**
   * Data-plane actions are throttled per shard (ProvisionedThroughputExceededException), also when
   * a fault rule throttles them; control-plane ones per stream or account (LimitExceededException).
   */
  plane: ActionPlane;
  /**
   * AWS's call rate, from the action's API reference page (limits/control-plane-rates.ts); absent
   * when the page names none, or when the action is metered by throughput instead (PutRecord,
   * PutRecords, GetRecords: limits/throughput-meters.ts).
   */
  rate?: ControlPlaneRate;
  /**
   * Argument checks that must come before the call is charged to its rate (streams/limits), so an
   * invalid call gets its own error and never a throttle: run with limits on, then `run` (which
   * checks again). Actions without it are charged once their shape is checked.
   */
  check?(context: StreamsContext, input: Input): Promise<void>;
  run(context: StreamsContext, input: Input): Promise<Output | undefined>;
}

export function defineAction<Input, Output>(action: StreamsAction<Input, Output>): StreamsAction<Input, Output> {
  return action;
}
