import { defineAction } from "../action.js";
import { glueErrors } from "../errors.js";
import { catalogIdString, requiredName, structure, tableInput, transactionIdString, type TableInputValue } from "../shapes.js";
import { catalogOf, requireDatabase } from "./common.js";
import { tableRecordOf } from "./table-record.js";

/** The first version of a table; UpdateTable counts up from it. */
export const firstVersionId = "0";

export const createTable = defineAction<{ CatalogId?: string; DatabaseName: string; TableInput: TableInputValue; PartitionIndexes?: unknown[]; TransactionId?: string }>({
  iamAction: "glue:CreateTable",
  resource: "table",
  shape: structure({
    CatalogId: catalogIdString,
    DatabaseName: requiredName,
    TableInput: tableInput,
    PartitionIndexes: { type: "list", lengthMax: 3, member: structure({ Keys: { type: "list", lengthMin: 1, required: true, member: requiredName }, IndexName: requiredName }) },
    TransactionId: transactionIdString,
  }),
  async run(context, input) {
    const catalogId = catalogOf(context, input.CatalogId);
    await requireDatabase(context, catalogId, input.DatabaseName);
    const record = tableRecordOf(context, catalogId, input.DatabaseName, input.TableInput, firstVersionId, undefined);
    const outcome = await context.store.putTable(catalogId, record, "absent");
    if (!outcome.ok) throw glueErrors.tableExists();
    return {};
  },
});
