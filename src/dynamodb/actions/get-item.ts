import { defineAction } from "../action.js";
import type { AttributeValue, Item } from "../attribute-value.js";
import { dynamoDbErrors } from "../errors.js";
import { project } from "../expressions/evaluate.js";
import { readItem } from "../item-writes.js";
import { checkAttributeValues, checkExpressionParams, parseExpressions } from "../request-expressions.js";
import { attributesToGet, expressionAttributeNames, returnConsumedCapacity } from "../shapes/common.js";
import { tableNameMember } from "../shapes/shape.js";
import { activeTable, checkKey } from "../table.js";

interface GetItemInput {
  TableName: string;
  Key: Item;
  AttributesToGet?: string[];
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
}

/** Reads are this node's copy of the store; ConsistentRead first brings it up to the store (consistent-reads.ts). */
export const getItem = defineAction<GetItemInput>({
  iamAction: "dynamodb:GetItem",
  resource: "table",
  shape: {
    ReturnConsumedCapacity: returnConsumedCapacity,
    AttributesToGet: attributesToGet,
    TableName: tableNameMember,
    Key: { type: "AttributeMap", notNull: true },
    ConsistentRead: { type: "Boolean" },
    ProjectionExpression: { type: "String" },
    ExpressionAttributeNames: expressionAttributeNames,
  },
  check(input) {
    checkExpressionParams(input as never, ["ProjectionExpression"], ["AttributesToGet"]);
    checkAttributeValues(input.Key);
    const names = input.AttributesToGet;
    const duplicate = names?.find((name, index) => names.indexOf(name) !== index);
    if (duplicate !== undefined) throw dynamoDbErrors.validation(`One or more parameter values were invalid: Duplicate value in attribute name: ${duplicate}`);
  },
  async run(context, input) {
    const { projection } = parseExpressions(input);
    const table = await activeTable(context, input.TableName);
    checkKey(table, input.Key);
    const item = await readItem(context, table, input.Key);
    if (item === undefined) return {};
    const paths = projection ?? input.AttributesToGet?.map((name) => [name]);
    return { Item: paths === undefined ? item : project(item, paths) };
  },
});
