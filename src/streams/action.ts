import type { StructureShape } from "../protocol/shapes.js";
import type { StreamsContext } from "./context.js";

/**
 * One Kinesis action: its request shape and its handler. The handler receives input already
 * checked against the shape and returns the response object (Dates and Buffers are encoded by
 * the wire codec), or undefined for an empty response.
 */
export interface StreamsAction<Input = any, Output = unknown> {
  shape: StructureShape;
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
