import { defineAction } from "../action.js";
import type { Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import { checkExpected } from "../expressions/legacy.js";
import { changeItem } from "../item-writes.js";
import { checkAttributeValues, checkExpressionParams, parseExpressions } from "../request-expressions.js";
import {
  conditionalOperator, expected, expressionAttributeNames, expressionAttributeValues, returnConsumedCapacity, returnItemCollectionMetrics,
  returnValues, returnValuesOnConditionCheckFailure,
} from "../shapes/common.js";
import { tableNameMember } from "../shapes/shape.js";
import { activeTable, checkKey } from "../table.js";
import { checkCondition, checkOldOnlyReturnValues, type ConditionalWriteInput } from "./condition-check.js";

interface DeleteItemInput extends ConditionalWriteInput {
  Key: Item;
}

export const deleteItem = defineAction<DeleteItemInput>({
  iamAction: "dynamodb:DeleteItem",
  resource: "table",
  shape: {
    ReturnConsumedCapacity: returnConsumedCapacity,
    TableName: tableNameMember,
    ReturnValues: returnValues,
    ReturnItemCollectionMetrics: returnItemCollectionMetrics,
    ReturnValuesOnConditionCheckFailure: returnValuesOnConditionCheckFailure,
    Key: { type: "AttributeMap", notNull: true },
    ConditionalOperator: conditionalOperator,
    Expected: expected,
    ConditionExpression: { type: "String" },
    ExpressionAttributeValues: expressionAttributeValues,
    ExpressionAttributeNames: expressionAttributeNames,
  },
  check(input) {
    checkExpressionParams(input as never, ["ConditionExpression"], ["Expected"]);
    checkAttributeValues(input.Key);
    checkOldOnlyReturnValues(input.ReturnValues);
    const problem = input.Expected && checkExpected(input.Expected);
    if (problem) throw dynamoDbErrors.validation(problem);
  },
  async run(context, input) {
    const { condition } = parseExpressions(input);
    const table = await activeTable(context, input.TableName);
    checkKey(table, input.Key);
    return changeItem(context, table, input.Key, (old) => {
      checkCondition(old, condition, input);
      if (old === undefined) return { answer: {} };
      return { write: undefined, answer: input.ReturnValues === "ALL_OLD" ? { Attributes: old } : {} };
    });
  },
});
