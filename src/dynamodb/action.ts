import type { StructShape } from "./shapes/shape.js";
import type { DynamoDbContext } from "./context.js";

/** What an action is authorized on: the table the request names, or every table of the account (`*`). */
export type DynamoDbResource = "table" | "account";

/**
 * One DynamoDB action, declared whole in its own file: its request shape, how it is authorized
 * (authorize.ts), its checks that need no table (run after the shape's, throwing
 * ValidationException), and its handler, which receives the checked input.
 */
export interface DynamoDbAction<Input = any> {
  shape: StructShape;
  /** The IAM action it is authorized as, `dynamodb:GetItem`. */
  iamAction: string;
  /** Its resource: "table" for the table's ARN from TableName, "account" for `*` (ListTables). */
  resource: DynamoDbResource;
  check?(input: Input): void;
  run(context: DynamoDbContext, input: Input): Promise<unknown>;
}

export function defineAction<Input>(action: DynamoDbAction<Input>): DynamoDbAction<Input> {
  return action;
}
