import type { StructShape } from "./shapes/shape.js";
import type { DynamoDbContext } from "./context.js";

/**
 * One DynamoDB action: its request shape, its checks that need no table (run after the shape's,
 * throwing ValidationException), and its handler, which receives the checked input.
 */
export interface DynamoDbAction<Input = any> {
  shape: StructShape;
  check?(input: Input): void;
  run(context: DynamoDbContext, input: Input): Promise<unknown>;
}

export function defineAction<Input>(action: DynamoDbAction<Input>): DynamoDbAction<Input> {
  return action;
}
