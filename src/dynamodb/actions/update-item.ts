import { defineAction } from "../action.js";
import { itemBytesMax, itemSizeBytes, type Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import type { DocumentPath } from "../expressions/ast.js";
import { applyUpdate } from "../expressions/evaluate.js";
import { applyAttributeUpdates, checkAttributeUpdates, checkExpected, type AttributeUpdate } from "../expressions/legacy.js";
import { changeItem, updatedAttributes } from "../item-writes.js";
import { checkAttributeValues, checkExpressionParams, parseExpressions } from "../request-expressions.js";
import {
  conditionalOperator, expected, expressionAttributeNames, expressionAttributeValues, returnConsumedCapacity, returnItemCollectionMetrics,
  returnValues, returnValuesOnConditionCheckFailure,
} from "../shapes/common.js";
import { tableNameMember } from "../shapes/shape.js";
import { activeTable, checkKey } from "../table.js";
import { checkCondition, type ConditionalWriteInput } from "./condition-check.js";

interface UpdateItemInput extends ConditionalWriteInput {
  Key: Item;
  AttributeUpdates?: Record<string, AttributeUpdate>;
  UpdateExpression?: string;
}

const invalid = "One or more parameter values were invalid: ";

export const updateItem = defineAction<UpdateItemInput>({
  iamAction: "dynamodb:UpdateItem",
  resource: "table",
  shape: {
    ReturnConsumedCapacity: returnConsumedCapacity,
    TableName: tableNameMember,
    ReturnItemCollectionMetrics: returnItemCollectionMetrics,
    ReturnValues: returnValues,
    ReturnValuesOnConditionCheckFailure: returnValuesOnConditionCheckFailure,
    Key: { type: "AttributeMap", notNull: true },
    ConditionalOperator: conditionalOperator,
    Expected: expected,
    AttributeUpdates: {
      type: "StructMap",
      name: "AttributeValueUpdate",
      member: { type: "Struct", name: "AttributeValueUpdate", members: { Action: { type: "String" }, Value: { type: "AttributeValue" } } },
    },
    ConditionExpression: { type: "String" },
    UpdateExpression: { type: "String" },
    ExpressionAttributeValues: expressionAttributeValues,
    ExpressionAttributeNames: expressionAttributeNames,
  },
  check(input) {
    checkExpressionParams(input as never, ["UpdateExpression", "ConditionExpression"], ["AttributeUpdates", "Expected"]);
    checkAttributeValues(input.Key);
    for (const update of Object.values(input.AttributeUpdates ?? {})) {
      if (update.Value !== undefined) checkAttributeValues({ value: update.Value });
    }
    const problem = (input.AttributeUpdates && checkAttributeUpdates(input.AttributeUpdates)) || (input.Expected && checkExpected(input.Expected));
    if (problem) throw dynamoDbErrors.validation(problem);
  },
  async run(context, input) {
    const { update, condition } = parseExpressions(input);
    const table = await activeTable(context, input.TableName);
    checkKey(table, input.Key);
    const paths: DocumentPath[] = update ? update.map((action) => action.path) : Object.keys(input.AttributeUpdates ?? {}).map((name) => [name]);
    for (const keyAttribute of table.keys) {
      if (paths.some((path) => path[0] === keyAttribute.name)) {
        if (update && paths.some((path) => path[0] === keyAttribute.name && path.length > 1)) {
          throw dynamoDbErrors.validation(`Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: ${keyAttribute.name}`);
        }
        throw dynamoDbErrors.validation(`${invalid}Cannot update attribute ${keyAttribute.name}. This attribute is part of the key`);
      }
    }
    return changeItem(context, table, input.Key, (old) => {
      checkCondition(old, condition, input);
      const base = old ?? structuredClone(input.Key);
      const outcome = update ? applyUpdate(base, update) : applyAttributeUpdates(base, input.AttributeUpdates ?? {});
      if (!outcome.ok) throw dynamoDbErrors.validation(outcome.message);
      const item = outcome.item;
      if (itemSizeBytes(item) > itemBytesMax) throw dynamoDbErrors.validation("Item size to update has exceeded the maximum allowed size");
      return { write: item, answer: updateAnswer(input.ReturnValues, old, item, paths) };
    });
  },
});

/** What UpdateItem answers for ReturnValues. */
function updateAnswer(returnValues: string | undefined, old: Item | undefined, item: Item, paths: readonly DocumentPath[]): { Attributes?: Item } {
  switch (returnValues) {
    case "ALL_OLD":
      return old === undefined ? {} : { Attributes: old };
    case "UPDATED_OLD":
      return old === undefined ? {} : nonEmpty(updatedAttributes(old, paths));
    case "ALL_NEW":
      return { Attributes: item };
    case "UPDATED_NEW":
      return nonEmpty(updatedAttributes(item, paths));
    default:
      return {};
  }
}

function nonEmpty(attributes: Item): { Attributes?: Item } {
  return Object.keys(attributes).length === 0 ? {} : { Attributes: attributes };
}
