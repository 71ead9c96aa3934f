import type { StructureShape } from "../protocol/shapes.js";
import type { StreamsContext } from "./context.js";

/**
 * One Kinesis action: its request shape and its handler. The handler receives input already
 * checked against the shape and returns the response object (Dates and Buffers are encoded by
 * the wire codec), or undefined for an empty response.
 */
export interface StreamsAction<Input = any, Output = unknown> {
  shape: StructureShape;
  run(context: StreamsContext, input: Input): Promise<Output | undefined>;
}

export function defineAction<Input, Output>(action: StreamsAction<Input, Output>): StreamsAction<Input, Output> {
  return action;
}
