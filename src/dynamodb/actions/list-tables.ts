import { defineAction } from "../action.js";

/** AWS's page size when Limit is absent, and its largest. */
const pageTablesMax = 100;

export const listTables = defineAction<{ Limit?: number; ExclusiveStartTableName?: string }>({
  iamAction: "dynamodb:ListTables",
  resource: "account",
  shape: {
    Limit: { type: "Integer", min: 1, max: 100 },
    ExclusiveStartTableName: { type: "String", regex: "[a-zA-Z0-9_.-]+", lengthMin: 3, lengthMax: 255 },
  },
  async run(context, input) {
    const start = input.ExclusiveStartTableName;
    const names = (await context.tables.list(context.accountId))
      .map((meta) => meta.TableName)
      .filter((name) => start === undefined || name > start);
    const limit = input.Limit ?? pageTablesMax;
    const page = names.slice(0, limit);
    return { TableNames: page, ...(names.length > limit && { LastEvaluatedTableName: page[page.length - 1] }) };
  },
});
