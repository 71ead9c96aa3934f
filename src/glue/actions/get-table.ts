import { defineAction } from "../action.js";
import { renderTable } from "../render.js";
import { catalogIdString, requiredName, structure, transactionIdString } from "../shapes.js";
import { catalogOf, requireTable } from "./common.js";

export const getTable = defineAction<{ CatalogId?: string; DatabaseName: string; Name: string }>({
  iamAction: "glue:GetTable",
  resource: "table",
  shape: structure({ CatalogId: catalogIdString, DatabaseName: requiredName, Name: requiredName, TransactionId: transactionIdString, QueryAsOfTime: { type: "timestamp" } }),
  async run(context, input) {
    const { record } = await requireTable(context, catalogOf(context, input.CatalogId), input.DatabaseName, input.Name);
    return { Table: renderTable(record) };
  },
});
