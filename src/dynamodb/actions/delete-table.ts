import { defineAction } from "../action.js";
import { dynamoDbErrors } from "../errors.js";
import { requiredTableNameMember } from "../shapes/shape.js";
import { describeTable, tableOf } from "../table.js";

/** Removes the table at once; the answer shows it DELETING, as AWS's does. */
export const deleteTable = defineAction<{ TableName: string }>({
  iamAction: "dynamodb:DeleteTable",
  resource: "table",
  shape: { TableName: requiredTableNameMember },
  async run(context, input) {
    const meta = await context.tables.get(context.accountId, input.TableName);
    if (meta === undefined) throw dynamoDbErrors.resourceNotFound(input.TableName);
    const description = await describeTable(context, tableOf(meta), "DELETING");
    const outcome = await context.tables.drop(context.accountId, input.TableName);
    if (!outcome.ok) throw dynamoDbErrors.internal(outcome.failure.cause ?? new Error(outcome.failure.message));
    return { TableDescription: description };
  },
});
