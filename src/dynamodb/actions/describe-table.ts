import { defineAction } from "../action.js";
import { dynamoDbErrors } from "../errors.js";
import { requiredTableNameMember } from "../shapes/shape.js";
import { describeTable as describe, tableOf } from "../table.js";

export const describeTable = defineAction<{ TableName: string }>({
  iamAction: "dynamodb:DescribeTable",
  resource: "table",
  shape: { TableName: requiredTableNameMember },
  async run(context, input) {
    const meta = await context.tables.get(context.accountId, input.TableName);
    if (meta === undefined) throw dynamoDbErrors.resourceNotFound(input.TableName);
    return { Table: await describe(context, tableOf(meta)) };
  },
});
