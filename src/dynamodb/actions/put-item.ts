import { defineAction } from "../action.js";
import { itemBytesMax, itemSizeBytes, type Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import { checkExpected } from "../expressions/legacy.js";
import { changeItem } from "../item-writes.js";
import { checkAttributeValues, checkExpressionParams, parseExpressions } from "../request-expressions.js";
import {
  conditionalOperator, expected, expressionAttributeNames, expressionAttributeValues, returnConsumedCapacity, returnItemCollectionMetrics,
  returnValues, returnValuesOnConditionCheckFailure,
} from "../shapes/common.js";
import { tableNameMember } from "../shapes/shape.js";
import { activeTable, checkItemKey, keyOf } from "../table.js";
import { checkCondition, checkOldOnlyReturnValues, type ConditionalWriteInput } from "./condition-check.js";

interface PutItemInput extends ConditionalWriteInput {
  Item: Item;
}

export const putItem = defineAction<PutItemInput>({
  iamAction: "dynamodb:PutItem",
  resource: "table",
  shape: {
    ReturnConsumedCapacity: returnConsumedCapacity,
    TableName: tableNameMember,
    Item: { type: "AttributeMap", notNull: true },
    ConditionalOperator: conditionalOperator,
    Expected: expected,
    ReturnValues: returnValues,
    ReturnItemCollectionMetrics: returnItemCollectionMetrics,
    ReturnValuesOnConditionCheckFailure: returnValuesOnConditionCheckFailure,
    ConditionExpression: { type: "String" },
    ExpressionAttributeValues: expressionAttributeValues,
    ExpressionAttributeNames: expressionAttributeNames,
  },
  check(input) {
    checkExpressionParams(input as never, ["ConditionExpression"], ["Expected"]);
    checkAttributeValues(input.Item);
    checkOldOnlyReturnValues(input.ReturnValues);
    if (itemSizeBytes(input.Item) > itemBytesMax) throw dynamoDbErrors.validation("Item size has exceeded the maximum allowed size");
    const problem = input.Expected && checkExpected(input.Expected);
    if (problem) throw dynamoDbErrors.validation(problem);
  },
  async run(context, input) {
    const { condition } = parseExpressions(input);
    const table = await activeTable(context, input.TableName);
    checkItemKey(table, input.Item);
    const key = keyOf(table, input.Item);
    return changeItem(context, table, key, (old) => {
      checkCondition(old, condition, input);
      return { write: input.Item, answer: input.ReturnValues === "ALL_OLD" && old !== undefined ? { Attributes: old } : {} };
    });
  },
});
