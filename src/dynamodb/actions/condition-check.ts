/** The condition of a write (ConditionExpression or Expected), checked against the item as it stands. */
import type { Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import type { Condition } from "../expressions/ast.js";
import { matches } from "../expressions/evaluate.js";
import { matchesExpected, type ExpectedAttribute } from "../expressions/legacy.js";

export interface ConditionParams {
  Expected?: Record<string, ExpectedAttribute>;
  ConditionalOperator?: string;
}

export function checkCondition(current: Item | undefined, condition: Condition | undefined, input: ConditionParams): void {
  const item = current ?? {};
  const passes = condition !== undefined ? matches(item, condition) : input.Expected === undefined || matchesExpected(item, input.Expected, input.ConditionalOperator);
  if (!passes) throw dynamoDbErrors.conditionalCheckFailed();
}
