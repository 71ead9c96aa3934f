import { defineAction } from "../action.js";
import { catalogIdString, requiredName, structure, transactionIdString } from "../shapes.js";
import { catalogOf, requireTable } from "./common.js";

export const deleteTable = defineAction<{ CatalogId?: string; DatabaseName: string; Name: string }>({
  iamAction: "glue:DeleteTable",
  resource: "table",
  shape: structure({ CatalogId: catalogIdString, DatabaseName: requiredName, Name: requiredName, TransactionId: transactionIdString }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    await requireTable(context, catalogId, input.DatabaseName, input.Name);
    await context.store.deleteTable(catalogId, input.DatabaseName, input.Name);
    return {};
  },
});
