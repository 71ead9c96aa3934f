/** The condition of a write (ConditionExpression or Expected), checked against the item as it stands. */
import type { AttributeValue, Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import type { Condition } from "../expressions/ast.js";
import { matches } from "../expressions/evaluate.js";
import { matchesExpected, type ExpectedAttribute } from "../expressions/legacy.js";

export interface ConditionParams {
  Expected?: Record<string, ExpectedAttribute>;
  ConditionalOperator?: string;
}

/** The members PutItem, UpdateItem and DeleteItem share: the table, the condition, what to return. */
export interface ConditionalWriteInput extends ConditionParams {
  TableName: string;
  ReturnValues?: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** PutItem and DeleteItem return the old item or nothing; UpdateItem has more choices. */
export function checkOldOnlyReturnValues(returnValues: string | undefined): void {
  if (returnValues !== undefined && returnValues !== "ALL_OLD" && returnValues !== "NONE") {
    throw dynamoDbErrors.validation("ReturnValues can only be ALL_OLD or NONE");
  }
}

export function checkCondition(current: Item | undefined, condition: Condition | undefined, input: ConditionParams): void {
  const item = current ?? {};
  const passes = condition !== undefined ? matches(item, condition) : input.Expected === undefined || matchesExpected(item, input.Expected, input.ConditionalOperator);
  if (!passes) throw dynamoDbErrors.conditionalCheckFailed();
}
